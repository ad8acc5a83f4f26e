/**
 * Names that come from the API (thematic and form labels) cannot break the files: ZIP entry
 * names stay short and unique however long the labels, and a sheet name that looks like an
 * `_xHHHH_` escape is written so that Excel reads it as it is.
 */
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { Thematic } from '../../src/lib/contract/spico';
import { planExtraction } from '../../src/lib/core/extraction/plan';
import { MAX_ENTRY_NAME_LENGTH } from '../../src/lib/core/naming';
import { createWorkbook } from '../../src/lib/core/xlsx/index';
import { buildZip } from '../../src/lib/core/zip';
import { everythingRequest } from '../../harness/form-driver';
import { col, concat, readBack } from './xlsx-helpers';

const PERIOD = { from: '2023-01-01', to: '2023-12-31' };

function thematic(id: string, label: string): Thematic {
	return {
		id,
		label,
		forms: [{ id: `${id}-f`, label: 'Formulaire', fields: [{ id: 'x', label: 'X', type: 'text' }] }]
	};
}

describe('ZIP entry names', () => {
	const long = 'Thématique '.repeat(500); // 5,500 characters
	const catalogue = [
		thematic('t1', long),
		thematic('t2', long), // the same label: a second file, never the same name
		thematic('t3', `${long} autre fin`), // differs only after the cut
		thematic('t4', 'Courte')
	];
	const plan = planExtraction(everythingRequest(catalogue, PERIOD), catalogue);
	const names = plan.jobs.map((j) => j.fileName);

	it(`are at most ${MAX_ENTRY_NAME_LENGTH} characters, whatever the label's length`, () => {
		expect(names).toHaveLength(9);
		for (const name of names) {
			expect(name.length).toBeLessThanOrEqual(MAX_ENTRY_NAME_LENGTH);
			expect(name).toMatch(/ 01012023_31122023\.xlsx$/);
		}
		expect(Math.max(...names.map((n) => n.length))).toBe(MAX_ENTRY_NAME_LENGTH);
	});

	it('stay unique (ignoring case) when long labels are cut to the same name', () => {
		const thematics = names.filter((n) => n.startsWith('thematique_'));
		expect(thematics).toHaveLength(4);
		expect(new Set(thematics.map((n) => n.toLowerCase())).size).toBe(4);
		expect(thematics[1]).toMatch(/_2 01012023_31122023\.xlsx$/);
		expect(thematics[2]).toMatch(/_3 01012023_31122023\.xlsx$/);
		expect(thematics[3]).toBe('thematique_courte 01012023_31122023.xlsx');
	});

	it('go into a ZIP that unzips to the same names', () => {
		const zipped = buildZip(names.map((fileName) => ({ fileName, parts: [new Uint8Array([1])] })));
		expect(Object.keys(unzipSync(concat(zipped.parts))).sort()).toEqual([...names].sort());
	});
});

describe('sheet names that look like escapes', () => {
	it('a form named « _x0041_ … » keeps its name (it does not become « A … »)', async () => {
		const wb = createWorkbook();
		const names = ['_x0041_ Suivi', 'Bilan _x00e9_t_x0065_'];
		for (const name of names) {
			await wb.addSheet({ name, columns: [col('Valeur')] }).writeRows([['v']]);
		}
		const read = readBack(await wb.finish());
		expect(read.book.SheetNames).toEqual([...names, 'Informations']);
		expect(read.files['xl/workbook.xml']).toContain('name="_x005F_x0041_ Suivi"');
		// The autofilter's hidden name refers to the same (escaped) sheet name.
		expect(read.files['xl/workbook.xml']).toContain("'_x005F_x0041_ Suivi'!$A$1:$A$2");
		// The sheet is found under its own name, with its row.
		expect(read.book.Sheets['_x0041_ Suivi']?.['A2']?.v).toBe('v');
	});
});
