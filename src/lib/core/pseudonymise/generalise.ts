/**
 * The generalisations of SPEC §13: a date of birth becomes its year and month and an age, a postal
 * code its département. Anything that is not what it should be gives an empty cell: a malformed
 * value may carry anything, and a generalisation must never pass it through.
 */
import { isIsoDate } from '../../contract/spico';

/** `2015-06-23` → `2015-06`; empty for anything but a real `YYYY-MM-DD` day. */
export function birthYearMonth(birthDay: unknown): string | null {
	return typeof birthDay === 'string' && isIsoDate(birthDay) ? birthDay.slice(0, 7) : null;
}

/**
 * Age in completed years on `day` (`YYYY-MM-DD`). One born on 29 February has a birthday on
 * 1 March in other years (as `addYears` of the request), never a day early. Empty when unknown or
 * when the person was born after `day` (no age yet).
 */
export function ageOn(birthDay: unknown, day: string): number | null {
	if (typeof birthDay !== 'string' || !isIsoDate(birthDay) || !isIsoDate(day)) return null;
	if (birthDay > day) return null;
	const by = Number(birthDay.slice(0, 4));
	const dy = Number(day.slice(0, 4));
	// Same-length `MM-DD` strings compare as dates within a year.
	return dy - by - (day.slice(5) < birthDay.slice(5) ? 1 : 0);
}

const POSTAL_CODE = /^\d{5}$/;
const CORSICA = /^2[AB]\d{3}$/;
const WHITESPACE = /\s+/g;

/**
 * The département of a French postal code: its first 2 characters, 3 for the overseas 97x and
 * 98x (971 Guadeloupe … 988 Nouvelle-Calédonie). `2A`/`2B` codes (INSEE, sometimes typed for
 * Corsica) keep their letter. Spaces are ignored (`44 000`); anything else gives an empty cell.
 */
export function departementOf(codePostal: unknown): string | null {
	if (typeof codePostal !== 'string') return null;
	const code = codePostal.replace(WHITESPACE, '').toUpperCase();
	if (CORSICA.test(code)) return code.slice(0, 2);
	if (!POSTAL_CODE.test(code)) return null;
	return code.startsWith('97') || code.startsWith('98') ? code.slice(0, 3) : code.slice(0, 2);
}
