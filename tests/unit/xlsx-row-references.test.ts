/**
 * Data rows without `r="…"` (the default) read back as with every reference, by every reader
 * the tests have: SheetJS, a positional reader written here from ECMA-376 §18.3.1.73/§18.3.1.4
 * (a row or cell without reference follows the previous one), and openpyxl when this machine has
 * it (Debian's `python3-openpyxl`; skipped otherwise).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import type { Row } from '../../src/lib/core/table';
import { excelSerial } from '../../src/lib/core/xlsx/index';
import { col, rowCount, sheetXml, writeOne, type Written } from './xlsx-helpers';

const COLUMNS = [
	col('ID dossier', 'integer'),
	col('Nom'),
	col('Date de naissance', 'date'),
	col('Début', 'datetime'),
	col('Commentaire'),
	col('Durée', 'number')
];

// Gaps at the start, in the middle and at the end of rows, a row with one cell, an empty row,
// texts that need escaping or keep their spaces, repeated texts (shared) and unique ones.
const ROWS: Row[] = [
	[1, 'Martin', '2015-06-30', '2023-03-24T14:30', 'a < b & c', 45],
	[null, 'Martin', null, '2023-03-26T02:30', null, 0.5],
	[3, null, null, null, '  espaces  ', null],
	[null, null, null, null, null, null],
	[5, 'Dubois', '1900-03-01', null, '"guillemets"', -2],
	[null, null, null, null, null, 7],
	...Array.from({ length: 40 }, (_, i): Row => [100 + i, i % 2 ? 'Martin' : `Nom ${i}`])
];

/** The values a reader should find, row by row, header first (dates as serials). */
const EXPECTED: unknown[][] = [
	COLUMNS.map((c) => c.header),
	...ROWS.map((row) =>
		COLUMNS.map((c, i) => {
			const v = row[i];
			if (v === null || v === undefined) return null;
			if (c.kind === 'date' || c.kind === 'datetime') return excelSerial(String(v)) ?? null;
			return v;
		})
	)
];

const decodeXml = (s: string): string =>
	s
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&apos;/g, "'")
		.replace(/&amp;/g, '&');

function columnIndex(letters: string): number {
	let n = 0;
	for (const ch of letters) n = n * 26 + ch.charCodeAt(0) - 64;
	return n - 1;
}

/**
 * A reader that knows nothing but the positions the standard gives: a `<row>` without `r` is
 * the one after the previous row, a `<c>` without `r` the one after the previous cell.
 */
function readPositionally(w: Written, sheet: string): unknown[][] {
	const shared = [...(w.files['xl/sharedStrings.xml'] ?? '').matchAll(/<si>(.*?)<\/si>/g)].map(
		(m) => decodeXml(m[1]!.replace(/<[^>]+>/g, ''))
	);
	const grid: unknown[][] = [];
	let r = 0;
	for (const row of sheetXml(w, sheet).matchAll(/<row(?: r="(\d+)")?[^>]*>(.*?)<\/row>/g)) {
		r = row[1] === undefined ? r + 1 : Number(row[1]);
		const cells: unknown[] = [];
		let c = -1;
		for (const cell of row[2]!.matchAll(/<c((?: [a-z]+="[^"]*")*)>(.*?)<\/c>/g)) {
			const attrs = Object.fromEntries(
				[...cell[1]!.matchAll(/ ([a-z]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])
			);
			if (attrs.r !== undefined) {
				const ref = /^([A-Z]+)(\d+)$/.exec(attrs.r);
				if (!ref || Number(ref[2]) !== r) throw new Error(`cellule ${attrs.r} dans la ligne ${r}`);
				c = columnIndex(ref[1]!);
			} else c++;
			const body = cell[2]!;
			const v = /<v>(.*?)<\/v>/.exec(body)?.[1];
			cells[c] =
				attrs.t === 'inlineStr'
					? decodeXml(body.replace(/<[^>]+>/g, ''))
					: attrs.t === 's'
						? shared[Number(v)]
						: Number(v);
		}
		grid[r - 1] = Array.from({ length: COLUMNS.length }, (_, i) => cells[i] ?? null);
	}
	return Array.from(grid, (row) => row ?? COLUMNS.map(() => null));
}

const sheetJsValues = (w: Written): unknown[][] =>
	XLSX.utils.sheet_to_json<unknown[]>(w.book.Sheets['Données']!, {
		header: 1,
		raw: true,
		defval: null,
		blankrows: true
	});

/** A Python that has openpyxl: Debian's (outside any virtual environment) or the one on PATH. */
const PYTHON = ['/usr/bin/python3', 'python3'].find(
	(py) => spawnSync(py, ['-c', 'import openpyxl'], { stdio: 'ignore' }).status === 0
);

const dir = mkdtempSync(join(tmpdir(), 'eb-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readWithOpenpyxl(w: Written): unknown[][] {
	const path = join(dir, 'rows.xlsx');
	writeFileSync(path, w.bytes);
	const script = [
		'import json, sys, datetime, openpyxl',
		'ws = openpyxl.load_workbook(sys.argv[1], read_only=True)["Données"]',
		'epoch = datetime.datetime(1899, 12, 30)',
		'def v(x):',
		'    if isinstance(x, datetime.datetime): return (x - epoch).total_seconds() / 86400',
		'    return x',
		`print(json.dumps([[v(c) for c in r] + [None] * (${COLUMNS.length} - len(r)) for r in ws.iter_rows(values_only=True)]))`
	].join('\n');
	const run = spawnSync(PYTHON!, ['-c', script, path], { encoding: 'utf8' });
	if (run.status !== 0) throw new Error(run.stderr);
	return JSON.parse(run.stdout) as unknown[][];
}

/** Date-times compared to the millisecond: openpyxl goes through a float of seconds. */
const rounded = (grid: unknown[][]) =>
	grid.map((row) => row.map((v) => (typeof v === 'number' ? Math.round(v * 86_400_000) : v)));

describe('data rows without references', () => {
	const written = Promise.all([
		writeOne(COLUMNS, ROWS, { page: 7 }),
		writeOne(COLUMNS, ROWS, { page: 7, allCellReferences: true })
	]);

	it('writes no reference on data rows, nor on a cell that follows the previous one', async () => {
		const [plain, every] = await written;
		const xml = sheetXml(plain, 'Données');
		expect(rowCount(xml)).toBe(ROWS.length + 1);
		expect(xml.match(/<row r=/g)).toEqual(['<row r=']); // the header's
		// References left: only cells after a gap (row 3's D3 and F3, row 7's F7…).
		expect(xml).toContain('<c r="D3" s="3"><v>');
		expect(xml).not.toContain('r="A2"');
		const everyXml = sheetXml(every, 'Données');
		expect(everyXml.match(/<row r=/g)).toHaveLength(ROWS.length + 1);
		expect(everyXml).toContain('r="A2"');
		expect(plain.bytes.length).toBeLessThan(every.bytes.length);
	});

	it('reads back the same with SheetJS as with every reference', async () => {
		const [plain, every] = await written;
		expect(sheetJsValues(plain)).toEqual(EXPECTED);
		expect(sheetJsValues(every)).toEqual(EXPECTED);
	});

	it('reads back the same by position, as ECMA-376 places rows and cells', async () => {
		const [plain, every] = await written;
		expect(readPositionally(plain, 'Données')).toEqual(EXPECTED);
		expect(readPositionally(every, 'Données')).toEqual(EXPECTED);
	});

	it.skipIf(!PYTHON)('reads back the same with openpyxl', async () => {
		const [plain, every] = await written;
		expect(rounded(readWithOpenpyxl(plain))).toEqual(rounded(EXPECTED));
		expect(rounded(readWithOpenpyxl(every))).toEqual(rounded(EXPECTED));
	});
});
