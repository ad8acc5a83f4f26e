import { unzipSync, Zip, ZipPassThrough } from 'fflate';
import { informationRows } from '../../src/lib/core/extraction/informations';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as XLSX from 'xlsx';
import { workbookFileName, zipFileName } from '../../src/lib/core/naming';
import { createWorkbook, ZipSizeError } from '../../src/lib/core/xlsx/index';
import { buildZip, layoutZip, measureParts } from '../../src/lib/core/zip';
import { centralDirectory, col, concat, dosDay } from './xlsx-helpers';

const period = { from: '2023-03-01', to: '2023-03-28' };

async function workbook(
	name: string,
	rows: number
): Promise<{ fileName: string; parts: Uint8Array[] }> {
	const wb = createWorkbook({
		informations: (summary) => informationRows([{ label: 'Structure', value: 'TEST' }], summary)
	});
	const sheet = wb.addSheet({ name, columns: [col('ID', 'integer'), col('Nom')] });
	await sheet.writeRows(Array.from({ length: rows }, (_, i) => [i, `nom ${i}`]));
	const result = await wb.finish();
	return { fileName: workbookFileName(name, period), parts: result.parts };
}

afterEach(() => {
	vi.useRealTimers();
});

describe('outer ZIP', () => {
	it('stores the workbooks as they are, under the SPEC names', async () => {
		const files = [await workbook('RDV', 500), await workbook('hospitalisations', 20)];
		const zip = buildZip(files);
		const bytes = concat(zip.parts);
		expect(zip.size).toBe(bytes.length);
		expect(zip.parts.length).toBeGreaterThan(1);

		const entries = centralDirectory(bytes);
		expect(entries.map((e) => e.name)).toEqual([
			'RDV 01032023_28032023.xlsx',
			'hospitalisations 01032023_28032023.xlsx'
		]);
		entries.forEach((e, i) => {
			const original = concat(files[i]!.parts);
			expect(e.method).toBe(0);
			expect(e.size).toBe(original.length);
			expect(e.compressedSize).toBe(original.length);
			expect(e.crc).toBe(crc32(original));
		});

		const unzipped = unzipSync(bytes);
		const rdv = unzipped['RDV 01032023_28032023.xlsx']!;
		expect(rdv).toEqual(concat(files[0]!.parts));
		const book = XLSX.read(rdv, { type: 'array' });
		expect(book.SheetNames).toEqual(['RDV', 'Informations']);
	});

	it('shares the workbook chunks instead of copying them', async () => {
		const file = await workbook('RDV', 10);
		const zip = buildZip([file]);
		for (const part of file.parts) expect(zip.parts).toContain(part);
	});

	it('marks non-ASCII names as UTF-8', async () => {
		const zip = buildZip([{ fileName: 'données é.xlsx', parts: [new Uint8Array([1, 2, 3])] }]);
		const [entry] = centralDirectory(concat(zip.parts));
		expect(entry?.name).toBe('données é.xlsx');
		expect((entry!.flags >> 11) & 1).toBe(1);
	});

	it('gives a valid ZIP when the machine clock is before 1980', async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date(1975, 5, 15, 12, 0, 0));
		expect(new Date().getFullYear()).toBe(1975);
		const file = await workbook('RDV', 3);
		const zip = buildZip([file]);
		const bytes = concat(zip.parts);
		const [entry] = centralDirectory(bytes);
		expect(dosDay(entry!.dosDate)).toEqual({ year: 1980, month: 1, day: 1 });
		// The inner workbook's entries too.
		const inner = centralDirectory(concat(file.parts));
		expect(inner.length).toBeGreaterThan(0);
		for (const e of inner) expect(dosDay(e.dosDate)).toEqual({ year: 1980, month: 1, day: 1 });
		expect(Object.keys(unzipSync(bytes))).toEqual(['RDV 01032023_28032023.xlsx']);
	});

	it('clamps dates past 2099 and keeps a normal date as it is', () => {
		const late = buildZip([{ fileName: 'a.txt', parts: [] }], { mtime: new Date(2150, 0, 1) });
		expect(dosDay(centralDirectory(concat(late.parts))[0]!.dosDate)).toEqual({
			year: 2099,
			month: 12,
			day: 31
		});
		const now = buildZip([{ fileName: 'a.txt', parts: [] }], { mtime: new Date(2023, 2, 28, 10) });
		expect(dosDay(centralDirectory(concat(now.parts))[0]!.dosDate)).toEqual({
			year: 2023,
			month: 3,
			day: 28
		});
	});

	it('keeps file names unique ignoring case, and empty files', () => {
		const zip = buildZip([
			{ fileName: 'thematique_bilan 01032023_28032023.xlsx', parts: [new Uint8Array([1])] },
			{ fileName: 'THEMATIQUE_BILAN 01032023_28032023.xlsx', parts: [new Uint8Array([2])] },
			{ fileName: 'vide', parts: [] }
		]);
		const unzipped = unzipSync(concat(zip.parts));
		expect(Object.keys(unzipped)).toEqual([
			'thematique_bilan 01032023_28032023.xlsx',
			'THEMATIQUE_BILAN 01032023_28032023 (2).xlsx',
			'vide'
		]);
		expect(unzipped['vide']).toHaveLength(0);
	});

	it('refuses to build an archive over the size limit', () => {
		const big = { fileName: 'a.xlsx', parts: [new Uint8Array(600), new Uint8Array(600)] };
		expect(() => buildZip([big], { maxBytes: 1000 })).toThrow(ZipSizeError);
		expect(() => buildZip([big], { maxBytes: 2000 })).not.toThrow();
	});

	// The reference: what the worker built with fflate before the layout was written by hand.
	function fflateZip(files: { fileName: string; parts: Uint8Array[] }[], mtime: number) {
		const out: Uint8Array[] = [];
		const zip = new Zip((err, chunk) => {
			if (err) throw err;
			out.push(chunk);
		});
		for (const file of files) {
			const entry = new ZipPassThrough(file.fileName);
			entry.mtime = mtime;
			zip.add(entry);
			if (file.parts.length === 0) entry.push(new Uint8Array(0), true);
			file.parts.forEach((p, j) => entry.push(p, j === file.parts.length - 1));
		}
		zip.end();
		return concat(out);
	}

	it('writes byte for byte what fflate writes (names, UTF-8 flag, empty file, dates)', async () => {
		const files = [
			await workbook('RDV', 300),
			{ fileName: 'réponses — bilan été.xlsx', parts: [new Uint8Array([1, 2, 3])] },
			{ fileName: 'vide', parts: [] }
		];
		for (const mtime of [Date.UTC(2026, 5, 30, 22, 59, 59), new Date(1980, 0, 1).getTime()]) {
			const ours = concat(buildZip(files, { mtime }).parts);
			expect(ours).toEqual(fflateZip(files, mtime));
		}
	});

	it('lays an archive around Blobs without reading them: one Blob, the same bytes', async () => {
		const files = [await workbook('RDV', 300), await workbook('hospitalisations', 20)];
		const mtime = Date.UTC(2026, 0, 15, 9, 30);
		const layout = layoutZip(
			files.map((f) => ({
				fileName: f.fileName,
				...measureParts(f.parts),
				body: new Blob(f.parts as BlobPart[])
			})),
			{ mtime }
		);
		const blobs = layout.parts.filter((p) => p instanceof Blob);
		expect(blobs).toHaveLength(2);
		const zip = new Blob(layout.parts as BlobPart[]);
		expect(zip.size).toBe(layout.size);
		expect(new Uint8Array(await zip.arrayBuffer())).toEqual(fflateZip(files, mtime));
	});

	it('measures chunks: CRC-32 and size of their concatenation', () => {
		const parts = [new TextEncoder().encode('Bonjour '), new TextEncoder().encode('Émile')];
		expect(measureParts(parts)).toEqual({ crc: crc32(concat(parts)), size: 14 });
		expect(measureParts([])).toEqual({ crc: 0, size: 0 });
	});

	it('uses the SPEC name for the archive', () => {
		expect(zipFileName(period)).toBe('Generic_extractions_brutes_01032023_28032023.zip');
	});
});
