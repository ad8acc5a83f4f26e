/**
 * Calendar days of Europe/Paris (SPEC §1: "calendar days are those of Europe/Paris").
 *
 * A day is a `YYYY-MM-DD` string or, for arithmetic, a day number: days since 1970-01-01 (the
 * proleptic Gregorian calendar, the same integer as `Date.UTC(y, m - 1, d) / 86_400_000`).
 * Parsing and formatting are done by hand: these functions run millions of times on large
 * extractions, and `Date.UTC` maps years 0–99 to 1900–1999.
 *
 * Only the Paris UTC offset comes from `Intl` (the time-zone database), cached per UTC hour.
 * No DOM, no Node API: runs unchanged on the page, in workers and in Node.
 */

/** A period of whole days, both ends inclusive (`YYYY-MM-DD`). */
export interface Period {
	readonly from: string;
	readonly to: string;
}

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

// '00'…'99': formatting is the hot path, padStart allocates more.
const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);

function pad2(n: number): string {
	return PAD2[n] as string;
}

function pad4(n: number): string {
	return n >= 1000 && n <= 9999 ? String(n) : String(n).padStart(4, '0');
}

/** Two ASCII digits at `i`, or -1. */
export function digits2(s: string, i: number): number {
	const a = s.charCodeAt(i) - 48;
	const b = s.charCodeAt(i + 1) - 48;
	return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

export function daysInMonth(y: number, m: number): number {
	if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
	return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Day number of a civil date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
	const yy = m <= 2 ? y - 1 : y;
	const era = Math.floor(yy / 400);
	const yoe = yy - era * 400;
	const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
	const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
	return era * 146_097 + doe - 719_468;
}

/** `YYYY-MM-DD` of a day number (H. Hinnant's civil_from_days). */
export function fromDayNumber(n: number): string {
	const z = n + 719_468;
	const era = Math.floor(z / 146_097);
	const doe = z - era * 146_097;
	const yoe = Math.floor(
		(doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365
	);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
	const m = mp < 10 ? mp + 3 : mp - 9;
	const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
	return pad4(y) + '-' + pad2(m) + '-' + pad2(d);
}

/** Day number of the `YYYY-MM-DD` at the start of `s`, or NaN if it is not a real day. */
export function dayNumberAtStart(s: string): number {
	if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
	const hi = digits2(s, 0);
	const lo = digits2(s, 2);
	const m = digits2(s, 5);
	const d = digits2(s, 8);
	if (hi < 0 || lo < 0 || m < 1 || m > 12 || d < 1) return NaN;
	const y = hi * 100 + lo;
	if (d > daysInMonth(y, m)) return NaN;
	return daysFromCivil(y, m, d);
}

/** Day number of `YYYY-MM-DD`, or NaN if it is not a real day. */
function tryDayNumber(day: string): number {
	return day.length === 10 ? dayNumberAtStart(day) : NaN;
}

/** True for `YYYY-MM-DD` naming a day that exists. */
export function isDay(day: string): boolean {
	return !Number.isNaN(tryDayNumber(day));
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` day; throws RangeError on anything else. */
export function dayNumber(day: string): number {
	const n = tryDayNumber(day);
	// The value is left out of the message: it may be a birth date.
	if (Number.isNaN(n)) throw new RangeError('Date invalide (format AAAA-MM-JJ attendu)');
	return n;
}

/** The day `n` days after `day` (n may be negative). */
export function addDays(day: string, n: number): string {
	return fromDayNumber(dayNumber(day) + n);
}

/** Days from `a` to `b` (`b − a`): 0 for the same day, negative when `b` is before `a`. */
export function daysBetween(a: string, b: string): number {
	return dayNumber(b) - dayNumber(a);
}

/** `YYYY-MM-DD` → `dd/mm/yyyy`, the way the UI shows days. */
export function formatFr(day: string): string {
	dayNumber(day);
	return day.slice(8, 10) + '/' + day.slice(5, 7) + '/' + day.slice(0, 4);
}

// --- Instants -----------------------------------------------------------------------------------

/**
 * UTC milliseconds of an ISO 8601 date-time with offset (`YYYY-MM-DDTHH:mm[:ss[.f…]](Z|±hh:mm)`),
 * truncated to the second (fractions never move a second, a minute or a day across a boundary).
 * NaN when malformed.
 */
export function tryInstantMs(s: string): number {
	const n = s.length;
	if (n < 17 || s.charCodeAt(10) !== 84 /* T */ || s.charCodeAt(13) !== 58) return NaN;
	const day = dayNumberAtStart(s);
	const h = digits2(s, 11);
	const mi = digits2(s, 14);
	if (Number.isNaN(day) || h < 0 || h > 23 || mi < 0 || mi > 59) return NaN;
	let sec = 0;
	let i = 16;
	if (s.charCodeAt(i) === 58 /* : */) {
		sec = digits2(s, 17);
		if (sec < 0 || sec > 59) return NaN;
		i = 19;
		if (s.charCodeAt(i) === 46 /* . */) {
			i++;
			const start = i;
			while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
			if (i === start) return NaN;
		}
	}
	let offsetMin = 0;
	const c = s.charCodeAt(i);
	if (c === 90 /* Z */ && i + 1 === n) {
		offsetMin = 0;
	} else if ((c === 43 || c === 45) && i + 6 === n && s.charCodeAt(i + 3) === 58) {
		const oh = digits2(s, i + 1);
		const om = digits2(s, i + 4);
		if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
		offsetMin = (c === 45 ? -1 : 1) * (oh * 60 + om);
	} else {
		return NaN;
	}
	return day * MS_PER_DAY + ((h * 60 + mi - offsetMin) * 60 + sec) * 1000;
}

/** UTC milliseconds of an ISO date-time with offset, to the second; throws RangeError if malformed. */
export function instantMs(isoDateTime: string): number {
	const ms = tryInstantMs(isoDateTime);
	if (Number.isNaN(ms)) {
		throw new RangeError('Date-heure invalide (ISO 8601 avec décalage attendu)');
	}
	return ms;
}

let formatter: Intl.DateTimeFormat | null = null;

/** Paris offset from UTC, in ms, at an instant, straight from the time-zone database. */
function parisOffsetUncached(ms: number): number {
	formatter ??= new Intl.DateTimeFormat('en-US', {
		timeZone: 'Europe/Paris',
		hourCycle: 'h23',
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
		hour: 'numeric',
		minute: 'numeric',
		second: 'numeric'
	});
	let y = 0;
	let mo = 0;
	let d = 0;
	let h = 0;
	let mi = 0;
	let sec = 0;
	for (const p of formatter.formatToParts(ms)) {
		const v = Number(p.value);
		if (p.type === 'year') y = v;
		else if (p.type === 'month') mo = v;
		else if (p.type === 'day') d = v;
		else if (p.type === 'hour')
			h = v % 24; // some engines still say 24 for midnight
		else if (p.type === 'minute') mi = v;
		else if (p.type === 'second') sec = v;
	}
	const wall = daysFromCivil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000;
	return wall - Math.floor(ms / 1000) * 1000;
}

// Paris changes offset at most once a day, on a whole UTC hour. A UTC day with the same offset
// at both ends has it all day (one Intl call pair per day, not per hour: extractions span years
// of instants); the few days with a change are cached hour by hour.
const offsetByDay = new Map<number, number>();
const offsetByHour = new Map<number, number>();
/** Marks a day with a change in `offsetByDay`. */
const CHANGING = NaN;
const OFFSET_CACHE_MAX = 200_000; // days or hours; bounded for long-lived workers
let lastDay = NaN;
let lastOffset = 0;

function hourOffset(ms: number): number {
	const hour = Math.floor(ms / MS_PER_HOUR);
	let off = offsetByHour.get(hour);
	if (off === undefined) {
		const start = hour * MS_PER_HOUR;
		off = parisOffsetUncached(start);
		// A change inside the hour (only in old history): do not cache that hour.
		if (parisOffsetUncached(start + MS_PER_HOUR - 1000) !== off) return parisOffsetUncached(ms);
		if (offsetByHour.size >= OFFSET_CACHE_MAX) offsetByHour.clear();
		offsetByHour.set(hour, off);
	}
	return off;
}

/** Paris offset from UTC, in ms, at an instant. */
export function parisOffsetMs(ms: number): number {
	const day = Math.floor(ms / MS_PER_DAY);
	if (day === lastDay) return lastOffset;
	let off = offsetByDay.get(day);
	if (off === undefined) {
		const start = day * MS_PER_DAY;
		off = parisOffsetUncached(start);
		if (parisOffsetUncached(start + MS_PER_DAY - 1000) !== off) off = CHANGING;
		if (offsetByDay.size >= OFFSET_CACHE_MAX) offsetByDay.clear();
		offsetByDay.set(day, off);
	}
	if (Number.isNaN(off)) return hourOffset(ms);
	lastDay = day;
	lastOffset = off;
	return off;
}

/** Paris day number of a UTC millisecond instant. */
export function parisDayNumberOfMs(ms: number): number {
	return Math.floor((ms + parisOffsetMs(ms)) / MS_PER_DAY);
}

/** Paris day number of an ISO date-time with offset. */
export function parisDayNumber(isoDateTime: string): number {
	return parisDayNumberOfMs(instantMs(isoDateTime));
}

/** The Paris calendar day (`YYYY-MM-DD`) of an ISO date-time with offset. */
export function parisDay(isoDateTime: string): string {
	return fromDayNumber(parisDayNumber(isoDateTime));
}

/** Paris wall time `YYYY-MM-DDTHH:mm:ss` (no offset) of a UTC millisecond instant. */
export function parisWallTimeOfMs(ms: number): string {
	const local = Math.floor(ms / 1000) * 1000 + parisOffsetMs(ms);
	const day = Math.floor(local / MS_PER_DAY);
	const secs = Math.floor((local - day * MS_PER_DAY) / 1000);
	const h = Math.floor(secs / 3600);
	const mi = Math.floor((secs % 3600) / 60);
	return fromDayNumber(day) + 'T' + pad2(h) + ':' + pad2(mi) + ':' + pad2(secs % 60);
}

/** Paris wall time `YYYY-MM-DDTHH:mm:ss` (no offset) of an ISO date-time with offset. */
export function parisWallTime(isoDateTime: string): string {
	return parisWallTimeOfMs(instantMs(isoDateTime));
}

/** Today in Paris, `YYYY-MM-DD`. */
export function todayInParis(now: Date = new Date()): string {
	return fromDayNumber(parisDayNumberOfMs(now.getTime()));
}

/**
 * The instant an extraction is launched, read once: validation, the status days ("today"), the
 * Informations sheet and the ZIP entries all use it, so a tab left open past midnight can never
 * check against one day and extract against another.
 */
export interface LaunchInstant {
	/** Milliseconds since the epoch, on the page's clock. */
	readonly ms: number;
	/** Its Paris day, `YYYY-MM-DD`. */
	readonly today: string;
	/** Its Paris wall time, `YYYY-MM-DDTHH:mm:ss`. */
	readonly wallTime: string;
}

export function launchInstant(ms: number = Date.now()): LaunchInstant {
	return { ms, today: fromDayNumber(parisDayNumberOfMs(ms)), wallTime: parisWallTimeOfMs(ms) };
}
