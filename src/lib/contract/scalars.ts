/** The contract's scalars (SPEC §8): status codes, days, date-times, ids. */
import * as v from 'valibot';
import { isDay } from '../core/calendar.ts';

export const STATUS_CODES = [
	'analyse_demande',
	'en_attente',
	'non_suivi',
	'suivi_inclusion',
	'reorientation',
	'sortie',
	'non_renseigne'
] as const;
export type StatusCode = (typeof STATUS_CODES)[number];

/** The guide's labels, in the guide's order. */
export const STATUS_LABELS: Readonly<Record<StatusCode, string>> = {
	analyse_demande: 'Analyse de la demande',
	en_attente: 'En attente',
	non_suivi: 'Non suivi',
	suivi_inclusion: 'Suivi (Inclusion)',
	reorientation: 'Réorientation',
	sortie: 'Sortie',
	non_renseigne: 'Non renseigné'
};

// --- Scalars ----------------------------------------------------------------------------------

export const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const DATETIME_RE =
	/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * True for `YYYY-MM-DD` naming a day that exists in the proleptic Gregorian calendar (no
 * 2023-02-30; 0000-02-29 exists, year 0 being divisible by 400): the calendar's own rule, so
 * the contract, the form and the workbooks never disagree on what a day is.
 */
export function isIsoDate(s: string): boolean {
	return isDay(s);
}

/**
 * True for an ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`, up to ±23:59) whose
 * day exists (as `isIsoDate`) and whose time is 00:00–23:59:59, fractions of up to 9 digits.
 */
export function isIsoDateTime(s: string): boolean {
	const m = DATETIME_RE.exec(s);
	if (m === null || !isDay(s.slice(0, 10))) return false;
	if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return false;
	return m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
}

export const IsoDate = v.pipe(v.string(), v.check(isIsoDate, 'date attendue au format AAAA-MM-JJ'));
export const IsoDateTime = v.pipe(
	v.string(),
	v.check(isIsoDateTime, 'date-heure ISO 8601 avec décalage attendue')
);
export const Text = v.nullable(v.string());
/** `.` and `..` would change a request's path once put in it (`forms/../responses`). */
export const isPathSafeId = (s: string) => s !== '.' && s !== '..';
export const Id = v.pipe(
	v.string(),
	v.minLength(1),
	v.check(isPathSafeId, 'identifiant « . » ou « .. » refusé')
);
