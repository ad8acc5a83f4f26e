/**
 * What leaves an extraction worker: the workbook's bytes in a Blob (shared, not copied, when
 * posted), with the CRC and size the outer ZIP needs, and no chunks left beside it.
 */
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { BuiltWorkbook } from '../../src/lib/core/extraction/run-job';
import { sealWorkbook } from '../../src/lib/core/extraction/sealed-workbook';

const enc = new TextEncoder();

function built(parts: Uint8Array[]): BuiltWorkbook {
	return {
		jobId: 'rdv',
		fileName: 'RDV 01032023_28032023.xlsx',
		label: 'RDV',
		parts,
		size: parts.reduce((n, p) => n + p.length, 0),
		sheets: [],
		items: 2,
		warnings: [],
		cutCells: 0,
		issues: { unknownChoiceCodes: 0, mismatchedValues: 0 },
		dataChanged: null,
		countMismatch: null
	};
}

describe('sealWorkbook', () => {
	it('keeps the summary, puts the bytes in a Blob with their CRC, and holds no chunk', async () => {
		const parts = [enc.encode('PK premier morceau '), enc.encode('— second, été')];
		const whole = Buffer.concat(parts);
		const sealed = sealWorkbook(built(parts));
		expect(Object.keys(sealed)).not.toContain('parts');
		expect(Object.values(sealed).some((v) => v instanceof Uint8Array)).toBe(false);
		expect(sealed.size).toBe(whole.length);
		expect(sealed.crc).toBe(crc32(whole));
		expect(new Uint8Array(await sealed.blob.arrayBuffer())).toEqual(new Uint8Array(whole));
		expect(sealed.items).toBe(2);
	});
});
