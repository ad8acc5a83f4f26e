// Sheet names as Excel accepts them (SheetJS checks only some of these rules).
import { cutUnits, removeInvalidXmlChars } from './xml';

export const SHEET_NAME_MAX = 31;
/** Name used when nothing usable is left of the original. */
export const FALLBACK_SHEET_NAME = 'Feuille';
/** Names Excel keeps for itself (English and French versions), compared ignoring case. */
const RESERVED = new Set(['HISTORY', 'HISTORIQUE']);
const FORBIDDEN = /[[\]:*?/\\]/g;
const ELLIPSIS = '…';

/** Trims spaces and the apostrophes Excel refuses at either end of a name. */
function trimEnds(name: string): string {
	return name.replace(/^[\s']+|[\s']+$/g, '');
}

/** Shortens to `max` units, marking the cut with an ellipsis so readers know to look it up. */
function fit(name: string, max: number): string {
	if (name.length <= max) return name;
	return trimEnds(cutUnits(name, max - ELLIPSIS.length)) + ELLIPSIS;
}

/** A valid name on its own (not yet unique): forbidden characters replaced, cut to 31. */
export function cleanSheetName(raw: string): string {
	let name = removeInvalidXmlChars(raw)
		.replace(FORBIDDEN, '-')
		.replace(/[\t\r\n]+/g, ' ');
	name = trimEnds(name);
	name = fit(name, SHEET_NAME_MAX);
	if (name === '') name = FALLBACK_SHEET_NAME;
	if (RESERVED.has(name.toUpperCase())) name += '_';
	return name;
}

/** `name (n)` within 31 characters, shortening the name when needed. */
export function suffixedSheetName(name: string, n: number): string {
	const suffix = ` (${n})`;
	return fit(name, SHEET_NAME_MAX - suffix.length) + suffix;
}

/**
 * Hands out names unique within one workbook, ignoring case. The same sequence of requests
 * always gives the same names.
 */
export class SheetNamer {
	readonly #taken = new Set<string>();

	constructor(reserved: readonly string[] = []) {
		for (const name of reserved) this.#taken.add(name.toUpperCase());
	}

	/** A unique, valid name for `raw`. */
	take(raw: string): string {
		return this.#claim(cleanSheetName(raw));
	}

	/** The name of part `n` (2, 3…) of a sheet too long for one sheet: `RDV (2)`. */
	takeContinuation(name: string, n: number): string {
		return this.#claim(suffixedSheetName(name, n));
	}

	#claim(name: string): string {
		let candidate = name;
		for (let n = 2; this.#taken.has(candidate.toUpperCase()); n++) {
			candidate = suffixedSheetName(name, n);
		}
		this.#taken.add(candidate.toUpperCase());
		return candidate;
	}
}

/** Names for a list of sheets, in order: valid, unique ignoring case, deterministic. */
export function sheetNames(raws: readonly string[], reserved: readonly string[] = []): string[] {
	const namer = new SheetNamer(reserved);
	return raws.map((raw) => namer.take(raw));
}
