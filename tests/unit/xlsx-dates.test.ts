import { describe, expect, it } from 'vitest';
import { excelSerial } from '../../src/lib/core/xlsx/dates';

describe('excelSerial', () => {
	it('gives the serials Excel shows, around its fake 1900-02-29', () => {
		expect(excelSerial('1900-01-01')).toBe(1);
		expect(excelSerial('1900-02-28')).toBe(59);
		expect(excelSerial('1900-03-01')).toBe(61);
		expect(excelSerial('1970-01-01')).toBe(25569);
		expect(excelSerial('2023-03-24')).toBe(45009);
		expect(excelSerial('2024-02-29')).toBe(45351);
		expect(excelSerial('9999-12-31')).toBe(2958465);
	});

	it('matches the UTC day count for every day from 1900-03-01 to 2100', () => {
		const start = Date.UTC(1900, 2, 1);
		const end = Date.UTC(2100, 11, 31);
		let checked = 0;
		for (let t = start; t <= end; t += 86_400_000) {
			const d = new Date(t);
			const text = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
			const expected = Math.round(t / 86_400_000) + 25569;
			if (excelSerial(text) !== expected) throw new Error(`${text}: ${excelSerial(text)}`);
			checked++;
		}
		expect(checked).toBe((end - start) / 86_400_000 + 1);
	});

	it('adds wall-clock time as a fraction of a day, even on DST change days', () => {
		expect(excelSerial('2023-03-24T14:30')).toBe(45009 + (14 * 60 + 30) / 1440);
		expect(excelSerial('2023-03-24T14:30:15')).toBe(45009 + (14 * 3600 + 30 * 60 + 15) / 86400);
		expect(excelSerial('2023-03-24T00:00')).toBe(45009);
		// 02:30 does not exist in Paris that day: a wall time is written as given.
		expect(excelSerial('2023-03-26T02:30')).toBe(45011 + 2.5 / 24);
		expect(excelSerial('2023-10-29T02:30:00.500')).toBe(45228 + 2.5 / 24);
	});

	it('refuses what is not a valid date Excel can show', () => {
		for (const bad of [
			'',
			'2023-02-29',
			'2023-13-01',
			'2023-00-10',
			'2023-04-31',
			'1899-12-31',
			'2023-03-24T24:00',
			'2023-03-24T12:60',
			'2023-03-24T12:00:60',
			'24/03/2023',
			'2023-03-24Z',
			'2023-03-24T12:00+01:00'
		]) {
			expect(excelSerial(bad), bad).toBeUndefined();
		}
	});
});
