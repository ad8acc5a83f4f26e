/**
 * Days spent in each status over a period (SPEC §4).
 *
 * Everything is in Paris day numbers and half-open intervals `[start, end)`:
 * - before the first event, from the creation day, the status is `non_renseigne`;
 * - event i holds `[day(at_i), day(at_i+1))`: the day of a change counts for the new status, and
 *   the earlier of two changes on one day gets 0 days;
 * - the last interval is open and closed at `end = min(to, today) + 1`;
 * - days of S over P = Σ over S's intervals of |interval ∩ [from, end)|.
 * So the seven totals add up to |[max(from, creation day), end)| (0 when empty).
 *
 * Decisions (documented in the project docs):
 * - Events are sorted by instant, stably (same instant → API order, the later one wins the day).
 * - An event dated before `createdAt` is clamped to the creation day: a status cannot be held
 *   before the dossier exists, and the invariant above keeps holding.
 * - `since` is the first day of the unbroken run of days spent in the end-of-period status: a
 *   repeated event with the same status, or a same-day detour through another status (which owns
 *   no day), does not restart it. It may be before `from`; `daysInStatus` = end − since is not
 *   clipped to P ("actuellement suivi depuis 5 jours").
 * - The history lists the intervals overlapping [from, end): every interval holding a day of it,
 *   plus the 0-day intervals of same-day changes inside it. The initial "Non renseigné" interval
 *   is listed only when it holds at least one day (otherwise it is an artefact of an event at
 *   creation, not a status the dossier had).
 * - `endDay` is the day of the next change (the first day no longer in the status), so
 *   daysInPeriod = endDay − startDay when the interval lies inside P; it is null when the interval
 *   is still in force at the end of P, even if it ended later (nothing after P is shown).
 */
import type { StatusCode, StatusEvent } from '../contract/spico';
import {
	dayNumber,
	fromDayNumber,
	instantMs,
	parisDayNumber,
	parisDayNumberOfMs
} from './calendar';
import type { Period } from './calendar';

export interface StatusDaysInput {
	/** ISO date-time with offset. */
	readonly createdAt: string;
	/** Possibly unsorted. */
	readonly statusEvents: readonly StatusEvent[];
	readonly period: Period;
	/** Day of the extraction, `YYYY-MM-DD` (Paris). */
	readonly today: string;
}

export interface StatusInterval {
	readonly status: StatusCode;
	/** First day in the status, `YYYY-MM-DD` (may be before the period). */
	readonly startDay: string;
	/** Day of the next change (exclusive end); null when still in force at the end of P. */
	readonly endDay: string | null;
	/** |[start, end) ∩ [from, min(to, today) + 1)|. */
	readonly daysInPeriod: number;
	/** The interval in force on the last day of P ("En cours"). */
	readonly current: boolean;
}

export interface StatusDays {
	/** Paris day of `createdAt`. */
	readonly createdDay: string;
	/** Last day counted: min(to, today). */
	readonly lastDay: string;
	/** Intervals overlapping the period, in order (the "Historique des statuts" rows). */
	readonly intervals: readonly StatusInterval[];
	/** Days over P per status, all seven codes present. */
	readonly days: Readonly<Record<StatusCode, number>>;
	/** Σ days = |[max(from, createdDay), lastDay + 1)|. */
	readonly totalDays: number;
	/** Status on the last day of P; null when the dossier did not exist yet. */
	readonly statusAtEnd: StatusCode | null;
	/** First day of the unbroken run of days in `statusAtEnd`. */
	readonly since: string | null;
	/** Days from `since` to the end of P, both counted (not clipped to P). */
	readonly daysInStatus: number | null;
}

function zeroDays(): Record<StatusCode, number> {
	return {
		analyse_demande: 0,
		en_attente: 0,
		non_suivi: 0,
		suivi_inclusion: 0,
		reorientation: 0,
		sortie: 0,
		non_renseigne: 0
	};
}

interface TimedEvent {
	ms: number;
	status: StatusCode;
}

function byInstant(a: TimedEvent, b: TimedEvent): number {
	return a.ms - b.ms;
}

export function computeStatusDays(input: StatusDaysInput): StatusDays {
	const from = dayNumber(input.period.from);
	const end = Math.min(dayNumber(input.period.to), dayNumber(input.today)) + 1;
	const created = parisDayNumber(input.createdAt);

	const events: TimedEvent[] = input.statusEvents.map((e) => ({
		ms: instantMs(e.at),
		status: e.status
	}));
	// Array.prototype.sort is stable (ES2019): equal instants keep the API's order.
	events.sort(byInstant);

	// Interval k: [starts[k], starts[k + 1]) with status statuses[k]; the last one is open.
	const count = events.length + 1;
	const starts = new Array<number>(count);
	const statuses = new Array<StatusCode>(count);
	starts[0] = created;
	statuses[0] = 'non_renseigne';
	for (let i = 0; i < events.length; i++) {
		const e = events[i] as TimedEvent;
		starts[i + 1] = Math.max(created, parisDayNumberOfMs(e.ms));
		statuses[i + 1] = e.status;
	}

	const days = zeroDays();
	const intervals: StatusInterval[] = [];
	let totalDays = 0;
	let currentIndex = -1;
	for (let k = 0; k < count; k++) {
		const s = starts[k] as number;
		const e = k + 1 < count ? (starts[k + 1] as number) : Infinity;
		const status = statuses[k] as StatusCode;
		const n = Math.max(0, Math.min(e, end) - Math.max(s, from));
		days[status] += n;
		totalDays += n;
		const current = s < end && e >= end;
		if (current) currentIndex = k;
		// A same-day change inside [from, end) is shown with its 0 days; see the decisions above.
		if (n > 0 || (k > 0 && s === e && s >= from && s < end)) {
			intervals.push({
				status,
				startDay: fromDayNumber(s),
				endDay: current ? null : fromDayNumber(e),
				daysInPeriod: n,
				current
			});
		}
	}

	let statusAtEnd: StatusCode | null = null;
	let since: number | null = null;
	if (currentIndex >= 0) {
		const status = statuses[currentIndex] as StatusCode;
		statusAtEnd = status;
		since = starts[currentIndex] as number;
		for (let k = currentIndex - 1; k >= 0; k--) {
			const s = starts[k] as number;
			if (s === starts[k + 1]) continue; // owns no day: does not break the run
			if (statuses[k] !== status) break;
			since = s;
		}
	}

	return {
		createdDay: fromDayNumber(created),
		lastDay: fromDayNumber(end - 1),
		intervals,
		days,
		totalDays,
		statusAtEnd,
		since: since === null ? null : fromDayNumber(since),
		daysInStatus: since === null ? null : end - since
	};
}

/**
 * SPEC §3: at least one day over P in one of the selected statuses. A dossier created after `to`
 * has no day in P at all (see the invariant), so it is never in scope.
 */
export function isInScope(result: StatusDays, selected: Iterable<StatusCode>): boolean {
	for (const s of selected) if (result.days[s] > 0) return true;
	return false;
}
