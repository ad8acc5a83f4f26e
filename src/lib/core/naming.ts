// File names of SPEC §5: `Generic_extractions_brutes_<from>_<to>.zip` and
// `<name> <from>_<to>.xlsx`, days written DDMMYYYY.

export interface Period {
	/** First day, `YYYY-MM-DD`. */
	from: string;
	/** Last day (inclusive), `YYYY-MM-DD`. */
	to: string;
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2023-03-28` → `28032023`. */
export function compactDay(day: string): string {
	const m = DAY_RE.exec(day);
	if (!m) throw new RangeError(`Date invalide : « ${day} » (attendu AAAA-MM-JJ)`);
	return `${m[3]}${m[2]}${m[1]}`;
}

/**
 * `Generic_extractions_brutes_01032023_28032023.zip`; pseudonymised (SPEC §13):
 * `Generic_extractions_brutes_pseudo_01032023_28032023.zip`.
 */
export function zipFileName(period: Period, options: { pseudonymised?: boolean } = {}): string {
	const kind = options.pseudonymised ? 'pseudo_' : '';
	return `Generic_extractions_brutes_${kind}${compactDay(period.from)}_${compactDay(period.to)}.zip`;
}

/** `RDV 01032023_28032023.xlsx` */
export function workbookFileName(name: string, period: Period): string {
	return `${name} ${compactDay(period.from)}_${compactDay(period.to)}.xlsx`;
}

/**
 * Longest name of an entry of the ZIP: `unzip` and Windows' Explorer choke on very long ones
 * (a 5,000-character thematic label gave a 5,034-character entry).
 */
export const MAX_ENTRY_NAME_LENGTH = 100;

/**
 * The workbook name `base`, or `base_n` for the n-th file of the same base (n ≥ 2), cut so that
 * the whole entry name (`<name> <from>_<to>.xlsx`) holds in MAX_ENTRY_NAME_LENGTH characters.
 */
export function fittedWorkbookBase(base: string, n: number, period: Period): string {
	const suffix = n < 2 ? '' : `_${n}`;
	const room = MAX_ENTRY_NAME_LENGTH - workbookFileName('', period).length - suffix.length;
	return base.slice(0, room).replace(/_+$/, '') + suffix;
}
