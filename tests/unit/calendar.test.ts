import { describe, expect, it } from 'vitest';
import {
	addDays,
	dayNumber,
	daysBetween,
	formatFr,
	fromDayNumber,
	instantMs,
	isDay,
	parisDay,
	parisOffsetMs,
	parisWallTime,
	todayInParis
} from '../../src/lib/core/calendar';
// Seeded (mulberry32, the sandbox's) so that a failure can be replayed.
import { mulberry32 as prng } from '../../sandbox/generator';

describe('day numbers', () => {
	it('counts days since 1970-01-01', () => {
		expect(dayNumber('1970-01-01')).toBe(0);
		expect(dayNumber('1970-01-02')).toBe(1);
		expect(dayNumber('1969-12-31')).toBe(-1);
		// 2023-01-01: 53 years from 1970 with 13 leap days (1972…2020) → 53 × 365 + 13 = 19358;
		// 2023-03-28 is 31 + 28 + 27 = 86 days later → 19444.
		expect(dayNumber('2023-01-01')).toBe(19358);
		expect(dayNumber('2023-03-28')).toBe(19444);
		expect(fromDayNumber(19444)).toBe('2023-03-28');
		expect(fromDayNumber(-1)).toBe('1969-12-31');
	});

	it('agrees with Date.UTC and round-trips on random days', () => {
		const rnd = prng(42);
		for (let i = 0; i < 5000; i++) {
			const ms = Date.UTC(1900, 0, 1) + Math.floor(rnd() * 250 * 365.25) * 86_400_000;
			const day = new Date(ms).toISOString().slice(0, 10);
			expect(dayNumber(day)).toBe(ms / 86_400_000);
			expect(fromDayNumber(dayNumber(day))).toBe(day);
		}
	});

	it('rejects days that do not exist', () => {
		expect(isDay('2024-02-29')).toBe(true);
		expect(isDay('2000-02-29')).toBe(true);
		expect(isDay('2023-02-29')).toBe(false);
		expect(isDay('1900-02-29')).toBe(false);
		expect(isDay('2023-04-31')).toBe(false);
		expect(isDay('2023-13-01')).toBe(false);
		expect(isDay('2023-3-01')).toBe(false);
		expect(isDay('2023-03-01T00:00:00Z')).toBe(false);
		expect(() => dayNumber('2023-02-30')).toThrow(RangeError);
		expect(() => formatFr('28/03/2023')).toThrow(RangeError);
	});

	it('adds days and counts between days on the calendar, DST or not', () => {
		// Across the spring change (26/03/2023 has 23 hours): still one day per day.
		expect(addDays('2023-03-25', 2)).toBe('2023-03-27');
		expect(addDays('2023-10-28', 2)).toBe('2023-10-30');
		expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
		expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
		expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
		expect(addDays('2023-01-01', -1)).toBe('2022-12-31');
		// 01/03 → 29/03: 28 days.
		expect(daysBetween('2023-03-01', '2023-03-29')).toBe(28);
		expect(daysBetween('2023-03-29', '2023-03-01')).toBe(-28);
		expect(daysBetween('2023-03-26', '2023-03-26')).toBe(0);
	});

	it('formats days the French way', () => {
		expect(formatFr('2023-03-28')).toBe('28/03/2023');
		expect(formatFr('2024-01-05')).toBe('05/01/2024');
	});
});

describe('Paris days and wall times of instants', () => {
	it('switches to summer time on the last Sunday of March at 01:00 UTC', () => {
		// 26/03/2023: 02:00 CET becomes 03:00 CEST.
		expect(parisWallTime('2023-03-26T00:59:59Z')).toBe('2023-03-26T01:59:59');
		expect(parisWallTime('2023-03-26T01:00:00Z')).toBe('2023-03-26T03:00:00');
		expect(parisWallTime('2023-03-26T01:30:00+01:00')).toBe('2023-03-26T01:30:00');
		expect(parisWallTime('2023-03-26T03:30:00+02:00')).toBe('2023-03-26T03:30:00');
		expect(parisDay('2023-03-25T22:59:59Z')).toBe('2023-03-25');
		expect(parisDay('2023-03-25T23:00:00Z')).toBe('2023-03-26');
		// After the change midnight is 22:00 UTC.
		expect(parisDay('2023-03-26T21:59:59Z')).toBe('2023-03-26');
		expect(parisDay('2023-03-26T22:00:00Z')).toBe('2023-03-27');
	});

	it('switches back on the last Sunday of October at 01:00 UTC', () => {
		// 29/10/2023: 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
		expect(parisWallTime('2023-10-29T00:30:00Z')).toBe('2023-10-29T02:30:00');
		expect(parisWallTime('2023-10-29T00:59:59Z')).toBe('2023-10-29T02:59:59');
		expect(parisWallTime('2023-10-29T01:00:00Z')).toBe('2023-10-29T02:00:00');
		expect(parisWallTime('2023-10-29T01:30:00Z')).toBe('2023-10-29T02:30:00');
		expect(parisDay('2023-10-28T21:59:59Z')).toBe('2023-10-28');
		expect(parisDay('2023-10-28T22:00:00Z')).toBe('2023-10-29');
		// After the change midnight is 23:00 UTC.
		expect(parisDay('2023-10-29T22:59:59Z')).toBe('2023-10-29');
		expect(parisDay('2023-10-29T23:00:00Z')).toBe('2023-10-30');
	});

	it('takes the Paris day, not the UTC one, near midnight', () => {
		// Winter, +01:00: 23:30Z is 00:30 the next day.
		expect(parisDay('2023-03-09T23:30:00Z')).toBe('2023-03-10');
		expect(parisDay('2023-12-31T23:00:00Z')).toBe('2024-01-01');
		expect(parisDay('2023-12-31T22:59:59Z')).toBe('2023-12-31');
		// Summer, +02:00: 22:30Z is 00:30 the next day.
		expect(parisDay('2023-06-30T22:30:00Z')).toBe('2023-07-01');
		expect(parisDay('2023-06-30T21:59:59Z')).toBe('2023-06-30');
		// Other offsets: 20:00 at −05:00 = 01:00Z = 03:00 Paris (summer).
		expect(parisWallTime('2023-07-14T20:00:00-05:00')).toBe('2023-07-15T03:00:00');
		// 06:29 at +05:30 = 00:59Z on 26/03 = 01:59 CET.
		expect(parisWallTime('2023-03-26T06:29:00+05:30')).toBe('2023-03-26T01:59:00');
		expect(parisWallTime('2023-07-15T00:30+02:00')).toBe('2023-07-15T00:30:00');
	});

	it('gives the time-zone database’s offset on every hour of 2018–2027 and at random instants', () => {
		const parts = new Intl.DateTimeFormat('en-US', {
			timeZone: 'Europe/Paris',
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
			second: 'numeric'
		});
		// Before 1911 Paris was 9 min 21 s ahead of UTC: seconds count.
		const expected = (ms: number): number => {
			const p = Object.fromEntries(parts.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
			const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
			return wall - Math.floor(ms / 1000) * 1000;
		};
		const random = prng(7);
		const instants: number[] = [];
		// Every hour and half-hour of ten years, then in random order (the cache is filled by day).
		for (let t = Date.UTC(2018, 0, 1); t < Date.UTC(2028, 0, 1); t += 1_800_000) instants.push(t);
		for (let i = 0; i < 2000; i++) instants.push(Date.UTC(1900, 0, 1) + random() * 6.3e12);
		const wrong = instants.filter((t) => parisOffsetMs(t) !== expected(t));
		expect(wrong.map((t) => new Date(t).toISOString()).slice(0, 5)).toEqual([]);
		expect(instants.length).toBeGreaterThan(175_000);
	});

	it('truncates fractions of a second', () => {
		expect(parisWallTime('2023-03-26T00:59:59.999Z')).toBe('2023-03-26T01:59:59');
		expect(parisDay('2023-12-31T22:59:59.999999Z')).toBe('2023-12-31');
		expect(instantMs('2023-03-01T00:00:00.5Z')).toBe(Date.UTC(2023, 2, 1));
	});

	it('rejects what is not a date-time with offset', () => {
		for (const bad of [
			'2023-03-01',
			'2023-03-01T10:00:00',
			'2023-13-01T00:00:00Z',
			'2023-02-29T00:00:00Z',
			'2023-03-01T24:00:00Z',
			'2023-03-01T10:00:00+0100',
			'2023-03-01T10:00:00Zjunk',
			'2023-03-01 10:00:00Z'
		]) {
			expect(() => parisDay(bad), bad).toThrow(RangeError);
		}
	});

	it('agrees with Intl on thousands of random instants', () => {
		const fmt = new Intl.DateTimeFormat('sv-SE', {
			timeZone: 'Europe/Paris',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
			hourCycle: 'h23'
		});
		const rnd = prng(7);
		const lo = Date.UTC(1975, 0, 1);
		const hi = Date.UTC(2040, 0, 1);
		for (let i = 0; i < 5000; i++) {
			const ms = Math.floor((lo + rnd() * (hi - lo)) / 1000) * 1000;
			// sv-SE prints `YYYY-MM-DD HH:mm:ss`.
			const expected = fmt.format(ms).replace(' ', 'T');
			const iso = new Date(ms).toISOString();
			expect(parisWallTime(iso), iso).toBe(expected);
			expect(parisDay(iso), iso).toBe(expected.slice(0, 10));
		}
	});
});

describe('todayInParis', () => {
	it('is the Paris day of now', () => {
		expect(todayInParis(new Date('2023-07-14T22:30:00Z'))).toBe('2023-07-15');
		expect(todayInParis(new Date('2023-07-14T21:30:00Z'))).toBe('2023-07-14');
		expect(todayInParis(new Date('2023-01-01T22:59:59Z'))).toBe('2023-01-01');
		expect(todayInParis(new Date('2023-12-31T23:00:00Z'))).toBe('2024-01-01');
		expect(todayInParis()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
	});
});
