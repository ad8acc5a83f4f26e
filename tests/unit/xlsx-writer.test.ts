import { inflateSync, unzipSync } from 'fflate';
import { informationRows } from '../../src/lib/core/extraction/informations';
import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import * as XLSX from 'xlsx';
import type { Row } from '../../src/lib/core/table';
import {
	crc32,
	Crc32,
	createWorkbook,
	CUT_MARKER,
	excelSerial,
	hasNativeDeflateRaw,
	INFORMATIONS_SHEET,
	MAX_CELL_LENGTH,
	MAX_DATA_ROWS,
	ZipSizeError,
	type DeflateEngine
} from '../../src/lib/core/xlsx/index';
import { DeflatedEntry } from '../../src/lib/core/xlsx/deflate';
import {
	centralDirectory,
	col,
	concat,
	readBack,
	rowCount,
	rowXml,
	sheetXml,
	writeOne,
	type Written
} from './xlsx-helpers';

const native = hasNativeDeflateRaw();
const engines: DeflateEngine[] = native ? ['native', 'fflate'] : ['fflate'];

const COLUMNS = [
	col('ID dossier', 'integer'),
	col('Nom'),
	col('Date de naissance', 'date'),
	col('Début', 'datetime'),
	col('Durée', 'number')
];

const ROWS: Row[] = [
	[101, 'Lefèvre', '2015-06-30', '2023-03-24T14:30', 45.5],
	[102, "N'Diaye 😀", '1900-01-01', '2023-03-26T02:30:15', -3],
	[103, null, undefined, null, 0]
];

const cell = (w: Written, sheet: string, ref: string): XLSX.CellObject | undefined =>
	w.book.Sheets[sheet]?.[ref] as XLSX.CellObject | undefined;

/** Values of a sheet as an array of rows (raw, no formatting). */
const values = (w: Written, sheet: string): unknown[][] =>
	XLSX.utils.sheet_to_json(w.book.Sheets[sheet]!, { header: 1, raw: true, defval: null });

/** The first cell of each data row (the header left out). */
const firstColumn = (w: Written, sheet = 'Données'): unknown[] =>
	values(w, sheet)
		.slice(1)
		.map((r) => r[0]);

/** Texts written as one column, in the shared table or inline; and the part that holds them. */
async function textColumn(texts: readonly string[], sharedStrings: boolean) {
	const w = await writeOne(
		[col('T')],
		texts.map((t) => [t]),
		{ sharedStrings }
	);
	const textXml = sharedStrings ? (w.files['xl/sharedStrings.xml'] ?? '') : sheetXml(w, 'Données');
	return { w, textXml };
}

describe('values and types', () => {
	it('writes numbers as numbers, dates as serials with a date format, text as text', async () => {
		const w = await writeOne(COLUMNS, ROWS);
		expect(w.book.SheetNames).toEqual(['Données', INFORMATIONS_SHEET]);
		expect(values(w, 'Données')[0]).toEqual(COLUMNS.map((c) => c.header));

		expect(cell(w, 'Données', 'A2')).toMatchObject({ t: 'n', v: 101 });
		expect(cell(w, 'Données', 'B2')).toMatchObject({ t: 's', v: 'Lefèvre' });
		expect(cell(w, 'Données', 'C2')).toMatchObject({ t: 'n', v: 42185, z: 'dd/mm/yyyy' });
		expect(cell(w, 'Données', 'C2')?.w).toBe('30/06/2015');
		expect(cell(w, 'Données', 'D2')).toMatchObject({ t: 'n', z: 'dd/mm/yyyy hh:mm' });
		expect(cell(w, 'Données', 'D2')?.v).toBe(excelSerial('2023-03-24T14:30'));
		expect(cell(w, 'Données', 'D2')?.w).toBe('24/03/2023 14:30');
		expect(cell(w, 'Données', 'E2')).toMatchObject({ t: 'n', v: 45.5 });
		expect(cell(w, 'Données', 'C3')).toMatchObject({ t: 'n', v: 1 });
		expect(cell(w, 'Données', 'B3')).toMatchObject({ t: 's', v: "N'Diaye 😀" });
		expect(cell(w, 'Données', 'E4')).toMatchObject({ t: 'n', v: 0 });
	});

	it('omits empty cells, and names a cell’s position only after a gap', async () => {
		const w = await writeOne(COLUMNS, ROWS);
		const xml = sheetXml(w, 'Données');
		const row4 = rowXml(xml, 4);
		expect(row4).toBe('<c><v>103</v></c><c r="E4"><v>0</v></c>');
		expect(cell(w, 'Données', 'B4')).toBeUndefined();
		expect(cell(w, 'Données', 'E4')).toMatchObject({ t: 'n', v: 0 });
		const row2 = rowXml(xml, 2);
		expect(row2).not.toContain(' r=');
	});

	it('keeps every cell in its column whatever is empty, with or without every reference', async () => {
		const columns = [col('A'), col('B'), col('C', 'number'), col('D', 'date'), col('E')];
		const rows: Row[] = [
			[null, 'b', 1, '2023-03-24', 'e'],
			['\u0000\u0001', 'b', null, 'pas une date', 'e'],
			['a', '', 3, null, null],
			[undefined, undefined, undefined, undefined, 'e']
		];
		const expected = [
			[null, 'b', 1, 45009, 'e'],
			[null, 'b', null, 'pas une date', 'e'],
			['a', null, 3, null, null],
			[null, null, null, null, 'e']
		];
		for (const allCellReferences of [false, true]) {
			// Inline texts, to read the cells' XML here; shared ones are tested below.
			const w = await writeOne(columns, rows, { allCellReferences, sharedStrings: false });
			expect(values(w, 'Données').slice(1), String(allCellReferences)).toEqual(expected);
			const xml = sheetXml(w, 'Données');
			// Data rows carry their number only when every reference is asked for.
			expect(xml.includes('<row r="5">'), String(allCellReferences)).toBe(allCellReferences);
			expect(xml.includes('<row r="1">'), 'the header row').toBe(true);
			const row5 = rowXml(xml, 5);
			expect(row5).toBe('<c r="E5" t="inlineStr"><is><t>e</t></is></c>');
			const row4 = rowXml(xml, 4);
			expect(row4).toBe(
				allCellReferences
					? '<c r="A4" t="inlineStr"><is><t>a</t></is></c><c r="C4"><v>3</v></c>'
					: '<c t="inlineStr"><is><t>a</t></is></c><c r="C4"><v>3</v></c>'
			);
		}
	});

	it('writes a bold header row and the date formats in styles.xml', async () => {
		const w = await writeOne(COLUMNS, ROWS);
		const styles = w.files['xl/styles.xml'] ?? '';
		expect(styles).toContain('formatCode="dd/mm/yyyy"');
		expect(styles).toContain('formatCode="dd/mm/yyyy hh:mm"');
		const xml = sheetXml(w, 'Données');
		const header = rowXml(xml, 1);
		const boldIndex = /<c r="A1" s="(\d+)"/.exec(header)?.[1];
		const xf = [...styles.matchAll(/<cellXfs[^>]*>(.*?)<\/cellXfs>/g)][0]?.[1]?.match(
			/<xf [^>]*\/>/g
		);
		const fontId = /fontId="(\d+)"/.exec(xf?.[Number(boldIndex)] ?? '')?.[1];
		const fonts = /<fonts[^>]*>(.*?)<\/fonts>/.exec(styles)?.[1]?.match(/<font>.*?<\/font>/g);
		expect(fonts?.[Number(fontId)]).toContain('<b/>');
	});

	it('keeps a text in a date column that is not a date, instead of losing it', async () => {
		const w = await writeOne(
			[col('Date', 'date'), col('Quand', 'datetime')],
			[
				['inconnue', '2023-02-30T10:00'],
				[45009, '']
			]
		);
		expect(cell(w, 'Données', 'A2')).toMatchObject({ t: 's', v: 'inconnue' });
		expect(cell(w, 'Données', 'B2')).toMatchObject({ t: 's', v: '2023-02-30T10:00' });
		// A number in a date column is taken as a serial and formatted as a date.
		expect(cell(w, 'Données', 'A3')).toMatchObject({ t: 'n', v: 45009, z: 'dd/mm/yyyy' });
		expect(cell(w, 'Données', 'B3')).toBeUndefined();
	});

	it('drops NaN and Infinity rather than writing an invalid number', async () => {
		const w = await writeOne(
			[col('N', 'number'), col('M', 'number')],
			[
				[NaN, 1],
				[Infinity, 2]
			]
		);
		expect(values(w, 'Données').slice(1)).toEqual([
			[null, 1],
			[null, 2]
		]);
		expect(sheetXml(w, 'Données')).not.toMatch(/NaN|Infinity/);
	});

	it('refuses a row with more cells than columns', async () => {
		const wb = createWorkbook();
		const sheet = wb.addSheet({ name: 'A', columns: [col('X')] });
		await expect(sheet.writeRows([['a', 'b']])).rejects.toThrow(/2 cellules pour 1 colonnes/);
	});
});

describe('text is written as text, exactly', () => {
	const tricky = [
		'=1+1',
		'+33 6 12 34 56 78',
		'-5',
		'@SOMME(A1)',
		'\tTab',
		'\rCR',
		'=HYPERLINK("x")'
	];

	it.each([true, false])('never writes a formula element (shared strings: %s)', async (shared) => {
		const { w, textXml } = await textColumn(tricky, shared);
		expect(sheetXml(w, 'Données') + textXml).not.toMatch(/<f[ >]/);
		expect(firstColumn(w)).toEqual(tricky);
		for (let i = 0; i < tricky.length; i++) {
			expect(cell(w, 'Données', `A${i + 2}`)).toMatchObject({ t: 's' });
			expect(cell(w, 'Données', `A${i + 2}`)?.f).toBeUndefined();
		}
	});

	it.each([true, false])('reads _x0041_ back literally (shared strings: %s)', async (shared) => {
		const texts = ['_x0041_', 'a_x00e9_b', '__x0041__', '_x004_', 'snake_case_x'];
		const { w, textXml } = await textColumn(texts, shared);
		expect(firstColumn(w)).toEqual(texts);
		expect(textXml).toContain('<t>_x005F_x0041_</t>');
	});

	it('removes the control characters XML cannot carry, keeps tab, LF and CR', async () => {
		const w = await writeOne(
			[col('T')],
			[
				['a\u0000b\u0001c\u0008d\u000be\u000cf\u001fg'],
				['ligne 1\nligne 2\r\n\tfin'],
				['x\uFFFEy\uFFFFz'],
				['lone \uD800 high, lone \uDC00 low, pair 😀'],
				['\u0000\u0001']
			]
		);
		expect(firstColumn(w)).toEqual([
			'abcdefg',
			'ligne 1\nligne 2\r\n\tfin',
			'xyz',
			'lone  high, lone  low, pair 😀',
			null
		]);
	});

	it.each([true, false])(
		'round-trips markup characters, accents, emoji and edge spaces (shared strings: %s)',
		async (shared) => {
			const texts = [
				`&<>"' &amp; <b>`,
				'Éléonore Çà où ñ ß Ø',
				'😀 👩‍👩‍👧 🇫🇷',
				'  espaces autour  ',
				']]>'
			];
			const { w, textXml } = await textColumn(texts, shared);
			expect(firstColumn(w)).toEqual(texts);
			expect(textXml).toContain('<t xml:space="preserve">  espaces autour  </t>');
		}
	);

	it('writes rows bigger than its encoding buffer, multi-byte characters and emoji intact', async () => {
		// 24 cells of 30,000 characters of 3 and 4 bytes: one row is ~2.4 MB of UTF-8.
		const columns = Array.from({ length: 24 }, (_, i) => col(`C${i}`));
		const big = (i: number) => (i % 2 ? '€' : '😀é').repeat(i % 2 ? 30_000 : 10_000) + `#${i}`;
		const rows: Row[] = [columns.map((_, i) => big(i)), columns.map((_, i) => `petit ${i}`)];
		const w = await writeOne(columns, rows);
		const read = values(w, 'Données').slice(1);
		expect(read[0]).toEqual(columns.map((_, i) => big(i)));
		expect(read[1]).toEqual(columns.map((_, i) => `petit ${i}`));
	});
});
describe('data sheet layout', () => {
	it('freezes the header, filters the data range and sizes the columns', async () => {
		const w = await writeOne(
			[col('ID', 'integer'), col('Commentaire'), col('Date', 'date'), col('Long')],
			[
				[1, 'court', '2023-01-01', 'x'.repeat(500)],
				[2, 'un commentaire de trente-six lettres', '2023-01-02', null]
			]
		);
		const xml = sheetXml(w, 'Données');
		expect(xml).toMatch(
			/<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"\/>/
		);
		expect(xml).toContain('<autoFilter ref="A1:D3"/>');
		expect(w.book.Sheets['Données']?.['!autofilter']).toEqual({ ref: 'A1:D3' });
		const widths = [...xml.matchAll(/<col min="(\d+)" max="\d+" width="([\d.]+)"/g)].map((m) =>
			Number(m[2])
		);
		expect(widths).toHaveLength(4);
		expect(widths[0]).toBe(8); // clamped up
		expect(widths[1]).toBe(38); // 36 characters + 2
		expect(widths[2]).toBeGreaterThanOrEqual(10);
		expect(widths[3]).toBe(60); // clamped down
		expect(w.files['xl/workbook.xml']).toContain(
			`<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'Données'!$A$1:$D$3</definedName>`
		);
		expect(xml.indexOf('<cols>')).toBeLessThan(xml.indexOf('<sheetData>'));
		expect(xml.indexOf('</sheetData>')).toBeLessThan(xml.indexOf('<autoFilter'));
	});

	it('sizes columns from the first rows only, then streams', async () => {
		const rows: Row[] = [['court']];
		for (let i = 0; i < 30; i++) rows.push(['x'.repeat(50)]);
		const w = await writeOne([col('T')], rows, { measureRows: 1, page: 1 });
		const width = /<col min="1" max="1" width="([\d.]+)"/.exec(sheetXml(w, 'Données'))?.[1];
		expect(Number(width)).toBe(8);
		expect(w.result.sheets[0]?.rows).toBe(31);
	});

	it('writes an empty sheet with its header when there are no rows', async () => {
		const w = await writeOne(COLUMNS, []);
		expect(values(w, 'Données')).toEqual([COLUMNS.map((c) => c.header)]);
		expect(sheetXml(w, 'Données')).toContain('<autoFilter ref="A1:E1"/>');
		expect(w.result.sheets).toEqual([{ name: 'Données', fullName: 'Données', rows: 0 }]);
	});

	it('selects only the first sheet tab', async () => {
		const wb = createWorkbook();
		for (const name of ['Un', 'Deux', 'Trois']) {
			await wb.addSheet({ name, columns: [col('X')] }).writeRows([['x']]);
		}
		const w = readBack(await wb.finish());
		expect(w.book.SheetNames).toEqual(['Un', 'Deux', 'Trois', INFORMATIONS_SHEET]);
		const selected = ['Un', 'Deux', 'Trois', INFORMATIONS_SHEET].filter((n) =>
			sheetXml(w, n).includes('tabSelected="1"')
		);
		expect(selected).toEqual(['Un']);
	});
});

describe('Informations sheet', () => {
	it('comes last and holds the context, row counts, full names and the column dictionary', async () => {
		const wb = createWorkbook({
			informations: (summary) =>
				informationRows(
					[
						{ label: 'Structure', value: 'PLATEFORME TND TEST' },
						{ label: 'Période', value: 'du 01/03/2023 au 28/03/2023' },
						{ label: "Date et heure d'extraction", value: '28/03/2023 10:15' }
					],
					summary
				)
		});
		const form = 'Questionnaire de développement psychomoteur (0-6 ans)';
		const a = wb.addSheet({ name: form, columns: [col('Réponse')] });
		const b = wb.addSheet({ name: 'RDV', columns: [col('ID RDV'), col('Date', 'date')] });
		await a.writeRows([['oui'], ['non']]);
		await b.writeRows([['r1', '2023-03-02']]);
		const w = readBack(await wb.finish());
		const short = w.result.sheets[0]!.name;
		expect(short).toHaveLength(31);
		expect(w.book.SheetNames).toEqual([short, 'RDV', INFORMATIONS_SHEET]);
		const info = values(w, INFORMATIONS_SHEET).map((r) => r.filter((v) => v !== null));
		expect(info.slice(0, 3)).toEqual([
			['Structure', 'PLATEFORME TND TEST'],
			['Période', 'du 01/03/2023 au 28/03/2023'],
			["Date et heure d'extraction", '28/03/2023 10:15']
		]);
		const text = info.map((r) => r.join(' | '));
		expect(text).toContain(`${short} | 2`);
		expect(text).toContain('RDV | 1');
		expect(text).toContain(`${short} | ${form}`);
		expect(text).not.toContain('RDV | RDV');
		expect(text).toContain(`${short} | Réponse | Signification de Réponse`);
		expect(text).toContain('RDV | Date | Signification de Date');
		// Row counts are numbers, not text.
		const countCell = Object.values(w.book.Sheets[INFORMATIONS_SHEET]!).find(
			(c) => (c as XLSX.CellObject).v === 2
		) as XLSX.CellObject | undefined;
		expect(countCell?.t).toBe('n');
		// Not a data sheet: no frozen pane, no filter.
		expect(sheetXml(w, INFORMATIONS_SHEET)).not.toMatch(/<pane|<autoFilter/);
	});

	it('renames a data sheet called Informations rather than the Informations sheet', async () => {
		const wb = createWorkbook();
		const s = wb.addSheet({ name: 'INFORMATIONS', columns: [col('X')] });
		expect(s.name).toBe('INFORMATIONS (2)');
		const w = readBack(await wb.finish());
		expect(w.book.SheetNames).toEqual(['INFORMATIONS (2)', INFORMATIONS_SHEET]);
	});
});

describe('Excel limits', () => {
	it('continues a sheet past Excel’s 1,048,576 rows (header included) by default', async () => {
		const wb = createWorkbook({ sharedStrings: false });
		const sheet = wb.addSheet({ name: 'Grand', columns: [col('N', 'integer')] });
		const row: Row = [1];
		const page = Array.from({ length: 131_072 }, () => row);
		// 8 pages of 131,072 = 1,048,576 data rows: one more than a sheet holds.
		for (let i = 0; i < 8; i++) await sheet.writeRows(page);
		const result = await wb.finish();
		expect(result.sheets.map((s) => [s.name, s.rows])).toEqual([
			['Grand', 1_048_575],
			['Grand (2)', 1]
		]);
		expect(MAX_DATA_ROWS).toBe(result.sheets[0]!.rows);
	}, 120_000);

	const rowsOf = (n: number): Row[] => Array.from({ length: n }, (_, i) => [i + 1, `r${i + 1}`]);

	it.each([
		[4, ['Liste'], [4]],
		[5, ['Liste'], [5]],
		[6, ['Liste', 'Liste (2)'], [5, 1]],
		[11, ['Liste', 'Liste (2)', 'Liste (3)'], [5, 5, 1]]
	])('with a limit of 5 rows, %i rows give sheets %j', async (n, names, counts) => {
		const w = await writeOne([col('N', 'integer'), col('T')], rowsOf(n), {
			name: 'Liste',
			maxRowsPerSheet: 5,
			measureRows: 2,
			page: 3
		});
		expect(w.book.SheetNames).toEqual([...names, INFORMATIONS_SHEET]);
		expect(w.result.sheets.map((s) => s.rows)).toEqual(counts);
		let next = 1;
		names.forEach((name, i) => {
			const v = values(w, name);
			expect(v[0]).toEqual(['N', 'T']);
			expect(v.length).toBe(counts[i]! + 1);
			for (const row of v.slice(1)) expect(row[0]).toBe(next++);
			const xml = sheetXml(w, name);
			expect(xml).toContain('state="frozen"');
			expect(xml).toContain(`<autoFilter ref="A1:B${counts[i]! + 1}"/>`);
		});
		expect(next).toBe(n + 1);
		const continuations = w.result.warnings.filter((x) => x.kind === 'continuation');
		expect(continuations.map((c) => c.sheet)).toEqual(names.slice(1));
		for (const c of continuations) expect(c.message).toContain(`« ${c.sheet} »`);
		expect(w.result.sheets.slice(1).every((s) => s.continuationOf === 'Liste')).toBe(true);
		expect(w.result.sheets.every((s) => s.fullName === 'Liste')).toBe(true);
	});

	it('keeps continuation names within 31 characters', async () => {
		const w = await writeOne(
			[col('N', 'integer')],
			rowsOf(3).map((r) => [r[0]]),
			{
				name: 'n'.repeat(31),
				maxRowsPerSheet: 2
			}
		);
		expect(w.book.SheetNames).toEqual([
			'n'.repeat(31),
			'n'.repeat(26) + '… (2)',
			INFORMATIONS_SHEET
		]);
	});

	it.each([
		[MAX_CELL_LENGTH - 1, false],
		[MAX_CELL_LENGTH, false],
		[MAX_CELL_LENGTH + 1, true]
	])('a cell of %i characters is cut: %s', async (length, cut) => {
		const text = 'é'.repeat(length);
		const w = await writeOne([col('Commentaire')], [['avant'], [text]]);
		const v = cell(w, 'Données', 'A3')?.v as string;
		expect(v.length).toBeLessThanOrEqual(MAX_CELL_LENGTH);
		if (cut) {
			expect(v).toHaveLength(MAX_CELL_LENGTH);
			expect(v.endsWith(CUT_MARKER)).toBe(true);
			expect(w.result.cutCells).toBe(1);
			expect(w.result.warnings).toEqual([
				expect.objectContaining({
					kind: 'cut-cell',
					sheet: 'Données',
					row: 3,
					column: 'Commentaire',
					cell: 'A3',
					length
				})
			]);
		} else {
			expect(v).toBe(text);
			expect(w.result.cutCells).toBe(0);
			expect(w.result.warnings).toEqual([]);
		}
	});

	it('counts the length after removing invalid characters, and never splits an emoji', async () => {
		const w = await writeOne(
			[col('T')],
			[['\u0001'.repeat(10) + 'a'.repeat(MAX_CELL_LENGTH)], ['😀'.repeat(20000)]]
		);
		expect(cell(w, 'Données', 'A2')?.v).toBe('a'.repeat(MAX_CELL_LENGTH));
		const v = cell(w, 'Données', 'A3')?.v as string;
		expect(v.length).toBeLessThanOrEqual(MAX_CELL_LENGTH);
		expect(v).toMatch(/^(😀)+… \[texte tronqué\]$/u);
		expect(w.result.cutCells).toBe(1);
	});

	it('caps detailed cut-cell warnings but counts them all', async () => {
		const long = 'x'.repeat(MAX_CELL_LENGTH + 10);
		const w = await writeOne(
			[col('T')],
			Array.from({ length: 8 }, () => [long]),
			{
				maxWarningDetails: 3,
				informations: (summary) => informationRows([], summary)
			}
		);
		expect(w.result.cutCells).toBe(8);
		expect(w.result.warnings.filter((x) => x.kind === 'cut-cell')).toHaveLength(3);
		const info = values(w, INFORMATIONS_SHEET).map((r) => r.filter((v) => v !== null).join(' | '));
		expect(info).toContain('Cellules tronquées (plus de 32\u00a0767 caractères) | 8');
		expect(info).toContain('… et 5 autres cellules tronquées.');
	});

	it('fails clearly when a part would exceed the ZIP size limit', async () => {
		const wb = createWorkbook({ maxPartBytes: 50_000 });
		const sheet = wb.addSheet({ name: 'Gros', columns: [col('T')] });
		const rows = Array.from({ length: 2000 }, (_, i) => [`ligne ${i} `.repeat(5)]);
		await expect(
			(async () => {
				await sheet.writeRows(rows);
				await wb.finish();
			})()
		).rejects.toThrow(ZipSizeError);
		await expect(
			(async () => {
				const again = createWorkbook({ maxPartBytes: 50_000 });
				await again.addSheet({ name: 'Gros', columns: [col('T')] }).writeRows(rows);
			})()
		).rejects.toThrow(/La feuille « Gros », une fois décompressée, dépasse 4 Go/);
	});
});

describe('shared strings', () => {
	const STATUTS = ['Prévu', 'Honoré', 'Annulé', 'Non honoré'];
	/** `count` and `uniqueCount` of the table. */
	const counts = (w: Written) => {
		const m = /<sst [^>]*count="(\d+)" uniqueCount="(\d+)"/.exec(
			w.files['xl/sharedStrings.xml'] ?? ''
		);
		return m ? { count: Number(m[1]), unique: Number(m[2]) } : null;
	};
	const inlineCells = (xml: string) => xml.match(/t="inlineStr"/g)?.length ?? 0;

	it('writes a repeated text once; a column of identifiers leaves the table after its probe', async () => {
		const rows: Row[] = Array.from({ length: 3000 }, (_, i) => [`rdv-${i}`, STATUTS[i % 4]!]);
		const w = await writeOne([col('ID'), col('Statut')], rows, { page: 500 });
		expect(values(w, 'Données').slice(1)).toEqual(rows);
		// Each identifier is new: the column shares its first 257 (the probe of 256, then one more
		// shows more than half are new), the 2,743 others are inline. The four statuses are shared.
		expect(counts(w)).toEqual({ count: 3000 + 257, unique: 4 + 257 });
		const xml = sheetXml(w, 'Données');
		expect(inlineCells(xml)).toBe(2 + 2743); // the header's two cells, then the identifiers
		// Indexes in order of first use: rdv-0 0, Prévu 1, rdv-1 2, Honoré 3, … Non honoré 7.
		expect(rowXml(xml, 6)).toBe('<c t="s"><v>8</v></c><c t="s"><v>1</v></c>');
		expect(rowXml(xml, 3001)).toBe(
			'<c t="inlineStr"><is><t>rdv-2999</t></is></c><c t="s"><v>7</v></c>'
		);
		expect(rowCount(xml)).toBe(3001);
		expect(w.files['xl/sharedStrings.xml']).toContain('<si><t>Non honoré</t></si>');
	});

	it('declares the table in the content types and the workbook relationships', async () => {
		const w = await writeOne([col('Statut')], [['Prévu'], ['Prévu']]);
		expect(w.files['[Content_Types].xml']).toContain(
			'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
		);
		expect(w.files['xl/_rels/workbook.xml.rels']).toMatch(
			/Type="[^"]+\/sharedStrings" Target="sharedStrings.xml"/
		);
		expect(counts(w)).toEqual({ count: 2, unique: 1 });
	});

	it('shares one table between the sheets of a workbook', async () => {
		const wb = createWorkbook();
		const a = wb.addSheet({ name: 'A', columns: [col('Lieu')] });
		const b = wb.addSheet({ name: 'B', columns: [col('Lieu'), col('Type')] });
		await a.writeRows([['Domicile'], ['Cabinet']]);
		await b.writeRows([
			['Cabinet', 'Domicile'],
			['Domicile', 'Visite']
		]);
		const w = readBack(await wb.finish());
		expect(values(w, 'A').slice(1)).toEqual([['Domicile'], ['Cabinet']]);
		expect(values(w, 'B').slice(1)).toEqual([
			['Cabinet', 'Domicile'],
			['Domicile', 'Visite']
		]);
		expect(counts(w)).toEqual({ count: 6, unique: 3 });
	});

	it('writes the texts past the table’s bound inline, and long texts always', async () => {
		const long = 'x'.repeat(256);
		const rows: Row[] = Array.from({ length: 40 }, (_, i) => [`lieu ${i % 10}`, long]);
		const w = await writeOne([col('Lieu'), col('Note')], rows, { maxSharedStrings: 3 });
		expect(values(w, 'Données').slice(1)).toEqual(rows);
		expect(counts(w)).toEqual({ count: 12, unique: 3 }); // lieu 0, 1 and 2, four times each
		expect(inlineCells(sheetXml(w, 'Données'))).toBe(2 + 28 + 40);
	});

	it('can be turned off: no table, every text inline', async () => {
		const rows: Row[] = Array.from({ length: 10 }, (_, i) => [STATUTS[i % 4]!]);
		const w = await writeOne([col('Statut')], rows, { sharedStrings: false });
		expect(values(w, 'Données').slice(1)).toEqual(rows);
		expect(w.files['xl/sharedStrings.xml']).toBeUndefined();
		expect(w.files['[Content_Types].xml']).not.toContain('sharedStrings');
		expect(w.files['xl/_rels/workbook.xml.rels']).not.toContain('sharedStrings');
		expect(inlineCells(sheetXml(w, 'Données'))).toBe(11);
	});

	it('leaves out a text that is nothing once cleaned, shared or not', async () => {
		const rows: Row[] = [['\u0000'], ['a'], ['\u0000'], ['a']];
		const w = await writeOne(
			[col('T'), col('U', 'number')],
			rows.map((r) => [...r, 1])
		);
		expect(values(w, 'Données').slice(1)).toEqual([
			[null, 1],
			['a', 1],
			[null, 1],
			['a', 1]
		]);
		expect(counts(w)).toEqual({ count: 2, unique: 1 });
	});
});

describe('deflate engines', () => {
	it('detects CompressionStream("deflate-raw") exactly when the runtime has it', () => {
		let available = true;
		try {
			new CompressionStream('deflate-raw');
		} catch {
			available = false;
		}
		expect(hasNativeDeflateRaw()).toBe(available);
	});

	it('falls back to fflate, and refuses the native engine, where deflate-raw is missing', async () => {
		vi.resetModules();
		// Safari < 16.4 and Firefox < 113: 'gzip' but no 'deflate-raw'.
		vi.stubGlobal(
			'CompressionStream',
			class extends CompressionStream {
				constructor(format: CompressionFormat) {
					if (format === 'deflate-raw') throw new TypeError('format non pris en charge');
					super(format);
				}
			}
		);
		try {
			const fresh = await import('../../src/lib/core/xlsx/index');
			expect(fresh.hasNativeDeflateRaw()).toBe(false);
			expect(() => fresh.createWorkbook({ engine: 'native' })).toThrow(
				"CompressionStream('deflate-raw') indisponible"
			);
			const wb = fresh.createWorkbook();
			await wb.addSheet({ name: 'Données', columns: [col('Nom')] }).writeRows([['Léa']]);
			const w = readBack(await wb.finish());
			expect(XLSX.utils.sheet_to_json(w.book.Sheets['Données']!, { header: 1 })).toEqual([
				['Nom'],
				['Léa']
			]);
		} finally {
			vi.unstubAllGlobals();
			vi.resetModules();
		}
	});

	it('give workbooks SheetJS reads identically', async () => {
		const rows: Row[] = [];
		for (let i = 0; i < 3000; i++) {
			rows.push([
				i,
				`Nom ${i} é`,
				`20${String(10 + (i % 14))}-0${1 + (i % 9)}-1${i % 10}`,
				'2023-03-24T08:15',
				i / 7
			]);
		}
		const read = await Promise.all(
			engines.map(async (engine) => {
				const w = await writeOne(COLUMNS, rows, { engine, page: 700 });
				return {
					names: w.book.SheetNames,
					data: values(w, 'Données'),
					info: values(w, INFORMATIONS_SHEET)
				};
			})
		);
		expect(read[0]?.data).toHaveLength(3001);
		for (const other of read.slice(1)) expect(other).toEqual(read[0]);
		expect(engines.length).toBe(native ? 2 : 1);
	});

	it.each(engines)('%s: entries carry the right CRC and sizes', async (engine) => {
		// Enough incompressible text for the deflate output to come in many chunks.
		const noise = randomBytes(600_000).toString('base64');
		const rows: Row[] = [
			...ROWS,
			...Array.from({ length: 8000 }, (_, i): Row => [i, noise.slice(i * 100, i * 100 + 97)])
		];
		const w = await writeOne(COLUMNS, rows, { engine });
		expect(values(w, 'Données')[8003]?.[1]).toBe(noise.slice(799_900, 799_997));
		const raw = unzipSync(w.bytes);
		const entries = centralDirectory(w.bytes);
		expect(entries.map((e) => e.name).sort()).toEqual([
			'[Content_Types].xml',
			'_rels/.rels',
			'xl/_rels/workbook.xml.rels',
			'xl/sharedStrings.xml',
			'xl/styles.xml',
			'xl/workbook.xml',
			'xl/worksheets/sheet1.xml',
			'xl/worksheets/sheet2.xml'
		]);
		for (const e of entries) {
			const data = raw[e.name]!;
			expect(e.method, e.name).toBe(8);
			expect(e.size, e.name).toBe(data.length);
			expect(e.crc, e.name).toBe(zlibCrc32(data));
		}
	});

	it.each(engines)('%s: bytes pushed may be reused once the push resolves', async (engine) => {
		// The writer encodes every flush into the same buffer: a compressor still to read the
		// previous bytes would deflate the next ones in their place (Node's CompressionStream).
		const entry = new DeflatedEntry({ filename: 'x', engine, level: 6, mtime: 0 });
		const out: Uint8Array[] = [];
		entry.ondata = (_err, chunk) => out.push(chunk);
		const buffer = new Uint8Array(1 << 16);
		const expected: number[] = [];
		for (const [letter, size] of [
			[65, 10],
			[66, 5000],
			[67, 70_000 - 5010],
			[68, 1]
		] as const) {
			const bytes = buffer.subarray(0, Math.min(size, buffer.length));
			bytes.fill(letter);
			await entry.push(bytes);
			expected.push(...bytes);
			buffer.fill(0);
		}
		await entry.end();
		const inflated = inflateSync(concat(out));
		expect(inflated.length).toBe(expected.length);
		expect(Buffer.from(inflated).equals(Buffer.from(expected))).toBe(true);
		expect(entry.crc).toBe(zlibCrc32(Buffer.from(expected)));
	});

	it('computes CRC-32 as zlib does, for every length modulo 8', () => {
		const data = randomBytes(70_001);
		for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 1000, 70_001]) {
			expect(crc32(data.subarray(0, n)), String(n)).toBe(zlibCrc32(data.subarray(0, n)));
		}
		const running = new Crc32();
		running.update(data.subarray(0, 12_345));
		running.update(data.subarray(12_345));
		expect(running.digest()).toBe(zlibCrc32(data));
	});

	it('lets the thread’s queued tasks run while it writes a large page', async () => {
		// fflate resolves in microtasks only: a task queued before the page can run before the
		// page is written only if the writer yields (the next page's response waits on it).
		const wb = createWorkbook({ engine: 'fflate', measureRows: 10 });
		const sheet = wb.addSheet({ name: 'A', columns: [col('N', 'integer'), col('T')] });
		await sheet.writeRows(Array.from({ length: 10 }, (_, i) => [i, 'x']));
		let written = false;
		let ranWhileWriting = false;
		setImmediate(() => (ranWhileWriting = !written));
		// ~2.4 M characters of XML: a dozen flushes.
		await sheet.writeRows(Array.from({ length: 40_000 }, (_, i) => [i, `ligne ${i} `.repeat(4)]));
		written = true;
		await wb.finish();
		expect(ranWhileWriting).toBe(true);
	});

	it('streams pages written without awaiting each other, in order', async () => {
		const wb = createWorkbook({ measureRows: 10 });
		const sheet = wb.addSheet({ name: 'A', columns: [col('N', 'integer')] });
		const writes = [];
		for (let p = 0; p < 10; p++) {
			writes.push(sheet.writeRows(Array.from({ length: 7 }, (_, i) => [p * 7 + i])));
		}
		await Promise.all(writes);
		const w = readBack(await wb.finish());
		expect(firstColumn(w, 'A')).toEqual(Array.from({ length: 70 }, (_, i) => i));
	});
});
