/**
 * A finished workbook as it leaves its worker: its bytes in a Blob, with the size and CRC-32 the
 * outer ZIP needs. Cloning a Blob through postMessage shares its data instead of copying it, and
 * the archive is laid around the Blobs (`layoutZip`): the bytes are never held twice, by the
 * page or by the worker that zips.
 */
import type { BuiltWorkbook } from './run-job';
import { measureParts } from '../zip';

export type SealedWorkbook = Omit<BuiltWorkbook, 'parts'> & { blob: Blob; crc: number };

/** Moves the workbook's chunks into a Blob; the caller drops `built` (its chunks) after. */
export function sealWorkbook(built: BuiltWorkbook): SealedWorkbook {
	const { parts, ...summary } = built;
	const { crc, size } = measureParts(parts);
	return { ...summary, size, blob: new Blob(parts as BlobPart[]), crc };
}
