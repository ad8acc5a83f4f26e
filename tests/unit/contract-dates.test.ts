/**
 * The contract's date checks, stated as rules: a date is `YYYY-MM-DD` naming a day of the
 * proleptic Gregorian calendar (the calendar's own `isDay`, so the contract, the form and the
 * workbooks agree); a date-time adds `THH:mm[:ss[.f{1,9}]]` and an offset `Z` or `±hh:mm`.
 */
import { describe, expect, it } from 'vitest';
import { isIsoDate, isIsoDateTime } from '../../src/lib/contract/spico';
import { isDay } from '../../src/lib/core/calendar';

const p2 = (n: number) => String(n).padStart(2, '0');
const p4 = (n: number) => String(n).padStart(4, '0');

/** The Gregorian rule, written out: every 4th year, not every 100th, every 400th. */
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const lastDay = (y: number, m: number) => (m === 2 && leap(y) ? 29 : MONTH_DAYS[m - 1]!);

describe('isIsoDate', () => {
	it('accepts exactly the days of each month, 29 February in leap years only', () => {
		for (const y of [0, 4, 99, 100, 400, 1900, 1999, 2000, 2023, 2024, 2100, 9999])
			for (let m = 0; m <= 13; m++)
				for (let d = 0; d <= 32; d++) {
					const s = `${p4(y)}-${p2(m)}-${p2(d)}`;
					const exists = m >= 1 && m <= 12 && d >= 1 && d <= lastDay(y, m);
					expect(isIsoDate(s), s).toBe(exists);
				}
	});

	it('answers the edge cases of the rule by hand', () => {
		// Year 0 is divisible by 400: a leap year in the proleptic Gregorian calendar.
		expect(isIsoDate('0000-02-29')).toBe(true);
		expect(isIsoDate('0100-02-29')).toBe(false);
		expect(isIsoDate('1900-02-29')).toBe(false);
		expect(isIsoDate('2000-02-29')).toBe(true);
		expect(isIsoDate('2024-02-29')).toBe(true);
		expect(isIsoDate('2023-02-29')).toBe(false);
		expect(isIsoDate('2023-04-31')).toBe(false);
		expect(isIsoDate('2023-12-31')).toBe(true);
	});

	it('refuses any other shape', () => {
		for (const s of ['2023-2-03', '2023-02-03 ', ' 2023-02-03', '20230203', '', '2023/02/03'])
			expect(isIsoDate(s), s).toBe(false);
		for (const s of ['+2023-02-03', '2023-02-3a', '２０２３-02-03', '2023-02-03T00:00Z'])
			expect(isIsoDate(s), s).toBe(false);
	});

	it('is the calendar’s own check', () => {
		for (const s of ['0000-02-29', '2023-02-29', '2024-02-29', '9999-12-31', '2023-13-01'])
			expect(isIsoDate(s), s).toBe(isDay(s));
	});
});

describe('isIsoDateTime', () => {
	it('needs a real day, a time within the day and an explicit offset', () => {
		const ok = [
			'2024-02-29T00:00Z',
			'2024-02-29T23:59:59Z',
			'0000-02-29T12:00+01:00',
			'2024-06-01T10:00:00.5+02:00',
			'2024-06-01T10:00:00.123456789-23:59',
			'2024-06-01T10:00:00-00:00'
		];
		for (const s of ok) expect(isIsoDateTime(s), s).toBe(true);
		const ko = [
			'2023-02-29T10:00Z', // no such day
			'2024-06-01T24:00Z', // hours 00–23
			'2024-06-01T12:60Z', // minutes 00–59
			'2024-06-01T23:59:60Z', // no leap second
			'2024-06-01T10:00', // no offset
			'2024-06-01T10:00z', // lower-case zone
			'2024-06-01T10:00:00.1234567890Z', // ten fraction digits
			'2024-06-01T10:00:Z',
			'2024-06-01T10:00+24:00', // offsets up to ±23:59
			'2024-06-01T10:00-12:60',
			'2024-06-01T10:00+0100',
			'2024-06-01T10:00+01',
			'2024-06-01 10:00Z'
		];
		for (const s of ko) expect(isIsoDateTime(s), s).toBe(false);
	});

	it('accepts every offset from −23:59 to +23:59 and nothing beyond', () => {
		for (let h = 0; h <= 99; h++)
			for (const mm of [0, 30, 59, 60, 99]) {
				const s = `2024-06-01T10:00:00-${p2(h)}:${p2(mm)}`;
				expect(isIsoDateTime(s), s).toBe(h <= 23 && mm <= 59);
			}
	});
});
