/**
 * Calendar days of Europe/Paris for the sandbox. SQLite has no time zones, so every day the scope
 * SQL compares is computed here once, at insertion, and stored beside its date-time.
 */

const PARTS = new Intl.DateTimeFormat('en-CA', {
	timeZone: 'Europe/Paris',
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
	hour: '2-digit',
	hourCycle: 'h23',
	timeZoneName: 'longOffset'
});

interface HourInfo {
	day: string;
	offset: string;
}

// Paris offsets change only on whole UTC hours, so one Intl call per hour is enough.
const hourCache = new Map<number, HourInfo>();
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function hourInfo(ms: number): HourInfo {
	const hour = Math.floor(ms / HOUR_MS);
	let info = hourCache.get(hour);
	if (info === undefined) {
		const p: Record<string, string> = {};
		for (const part of PARTS.formatToParts(new Date(hour * HOUR_MS))) p[part.type] = part.value;
		const tz = p['timeZoneName'] ?? 'GMT';
		info = {
			day: `${p['year']}-${p['month']}-${p['day']}`,
			offset: tz === 'GMT' ? '+00:00' : tz.slice(3)
		};
		hourCache.set(hour, info);
	}
	return info;
}

/** Paris calendar day (`YYYY-MM-DD`) of an instant given as epoch ms or ISO 8601 with offset. */
export function parisDay(instant: number | string): string {
	const ms = typeof instant === 'number' ? instant : Date.parse(instant);
	if (Number.isNaN(ms)) throw new Error('date-heure illisible');
	return hourInfo(ms).day;
}

/** Today in Paris. */
export function parisToday(now = Date.now()): string {
	return parisDay(now);
}

/** Epoch day number (days since 1970-01-01) of a `YYYY-MM-DD` day. */
export function dayNumber(day: string): number {
	return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

/** `YYYY-MM-DD` of an epoch day number. */
export function dayString(n: number): string {
	return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
	return dayString(dayNumber(day) + n);
}

/**
 * ISO 8601 with the Paris offset for a Paris wall-clock time. The offset is the one in force at
 * noon that day: callers stay away from the 02:00–03:00 switch hours.
 */
export function parisWallTime(day: string, hour: number, minute: number, second = 0): string {
	const offset = hourInfo(Date.parse(`${day}T12:00:00Z`)).offset;
	const hh = String(hour).padStart(2, '0');
	const mm = String(minute).padStart(2, '0');
	const ss = String(second).padStart(2, '0');
	return `${day}T${hh}:${mm}:${ss}${offset}`;
}
