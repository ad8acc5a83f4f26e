/**
 * The contract's date checks run on every date of every item: they are arithmetic now, and must
 * answer exactly as the Date-based checks they replaced (a Date per day, `Date.parse` per instant).
 */
import { describe, expect, it } from 'vitest';
import { isIsoDate, isIsoDateTime } from '../../src/lib/contract/spico';

// The previous implementation, word for word: the reference.
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE =
	/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
function realDay(y: number, m: number, d: number): boolean {
	if (m < 1 || m > 12 || d < 1) return false;
	return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}
function refDate(s: string): boolean {
	const m = DATE_RE.exec(s);
	return m !== null && realDay(Number(m[1]), Number(m[2]), Number(m[3]));
}
function refDateTime(s: string): boolean {
	const m = DATETIME_RE.exec(s);
	if (m === null) return false;
	if (!realDay(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
	if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return false;
	return !Number.isNaN(Date.parse(s));
}

const p2 = (n: number) => String(n).padStart(2, '0');
const p4 = (n: number) => String(n).padStart(4, '0');
const YEARS = [0, 4, 99, 100, 400, 1900, 1999, 2000, 2023, 2024, 2100, 9999];

describe('contract date checks', () => {
	it('isIsoDate answers as before for every month and day of leap and common years', () => {
		let accepted = 0;
		for (const y of YEARS)
			for (let m = 0; m <= 13; m++)
				for (let d = 0; d <= 32; d++) {
					const s = `${p4(y)}-${p2(m)}-${p2(d)}`;
					expect(isIsoDate(s), s).toBe(refDate(s));
					if (refDate(s)) accepted++;
				}
		// Both kinds of answer were asked: 12 years of 365 or 366 days.
		expect(accepted).toBeGreaterThan(12 * 364);
		for (const s of ['2023-2-03', '2023-02-03 ', '20230203', '']) expect(isIsoDate(s)).toBe(false);
	});

	it('isIsoDateTime answers as Date.parse did, offsets and fractions included', () => {
		const days = [
			'2024-02-29',
			'2023-02-29',
			'2023-12-31',
			'0000-02-29',
			'0004-02-29',
			'9999-12-31'
		];
		const times = ['00:00', '23:59', '24:00', '12:60', '23:59:59', '23:59:60', '10:00:00.5'];
		times.push('10:00:00.123456789', '10:00:00.1234567890', '10:00:');
		const offsets = ['Z', 'z', '', '+00:00', '-00:00', '+05:30', '-23:59', '+24:00', '-12:60'];
		offsets.push('+99:99', '+0100', '+01');
		let accepted = 0;
		for (const day of days)
			for (const time of times)
				for (const offset of offsets) {
					const s = `${day}T${time}${offset}`;
					expect(isIsoDateTime(s), s).toBe(refDateTime(s));
					if (refDateTime(s)) accepted++;
				}
		expect(accepted).toBeGreaterThan(50);
		for (let h = 0; h <= 99; h++)
			for (const mm of [0, 30, 59, 60, 99]) {
				const s = `2024-06-01T10:00:00-${p2(h)}:${p2(mm)}`;
				expect(isIsoDateTime(s), s).toBe(refDateTime(s));
			}
	});
});
