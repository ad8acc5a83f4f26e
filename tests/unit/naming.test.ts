import { describe, expect, it } from 'vitest';
import { compactDay, workbookFileName, zipFileName } from '../../src/lib/core/naming';

describe('file names (SPEC §5)', () => {
	const period = { from: '2023-03-01', to: '2023-12-28' };

	it('writes days as DDMMYYYY', () => {
		expect(compactDay('2023-03-01')).toBe('01032023');
		expect(compactDay('1999-12-31')).toBe('31121999');
	});

	it('names the ZIP Generic_extractions_brutes_<from>_<to>.zip', () => {
		expect(zipFileName(period)).toBe('Generic_extractions_brutes_01032023_28122023.zip');
	});

	it('names each workbook <name> <from>_<to>.xlsx', () => {
		expect(workbookFileName('RDV', period)).toBe('RDV 01032023_28122023.xlsx');
		expect(workbookFileName('thematique_plateforme_tnd', period)).toBe(
			'thematique_plateforme_tnd 01032023_28122023.xlsx'
		);
	});

	it('refuses a day that is not YYYY-MM-DD', () => {
		expect(() => compactDay('01/03/2023')).toThrow(/AAAA-MM-JJ/);
		expect(() => zipFileName({ from: '2023-3-1', to: '2023-03-28' })).toThrow();
	});
});
