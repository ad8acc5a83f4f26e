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
