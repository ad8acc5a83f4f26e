// At Excel's real row limit: 1,048,575 data rows fill a sheet, the next one starts `RDV (2)`.
import { describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import * as XLSX from 'xlsx';
import { createWorkbook, MAX_DATA_ROWS } from '../../src/lib/core/xlsx/index';
import { concat, rowCount, sheetXml } from './xlsx-helpers';

describe('the real Excel row limit', () => {
	it('continues the 1,048,576th data row on a second sheet', async () => {
		const wb = createWorkbook();
		const sheet = wb.addSheet({
			name: 'RDV',
			columns: [{ header: 'N', kind: 'integer', description: 'Numéro' }]
		});
		const total = MAX_DATA_ROWS + 1;
		for (let start = 1; start <= total; start += 100_000) {
			const page = [];
			for (let n = start; n < Math.min(start + 100_000, total + 1); n++) page.push([n]);
			await sheet.writeRows(page);
		}
		const result = await wb.finish();
		expect(result.sheets).toEqual([
			{ name: 'RDV', fullName: 'RDV', rows: 1_048_575 },
			{ name: 'RDV (2)', fullName: 'RDV', rows: 1, continuationOf: 'RDV' }
		]);
		expect(result.warnings).toMatchObject([{ kind: 'continuation', sheet: 'RDV (2)' }]);

		const bytes = concat(result.parts);
		const raw = unzipSync(bytes);
		const files: Record<string, string> = {};
		for (const [name, data] of Object.entries(raw)) files[name] = strFromU8(data);
		const w = { files } as Parameters<typeof sheetXml>[0];
		const first = sheetXml(w, 'RDV');
		expect(first.slice(-200)).toContain(
			'<row><c><v>1048575</v></c></row></sheetData><autoFilter ref="A1:A1048576"/>'
		);
		expect(rowCount(first)).toBe(1_048_576);

		const book = XLSX.read(bytes, { type: 'array', sheets: ['RDV (2)'] });
		const second = XLSX.utils.sheet_to_json(book.Sheets['RDV (2)']!, { header: 1 });
		expect(second).toEqual([['N'], [1_048_576]]);
	});
});
