// Text as SpreadsheetML can carry it: XML 1.0 characters only, `&<>` escaped, and a literal
// `_xHHHH_` protected so that Excel does not decode it as an escaped character.

/* eslint-disable no-control-regex -- matching control characters is the point here */
/** Anything that needs work: XML-invalid characters, markup, underscores, surrogates. */
const NEEDS_WORK = /[\u0000-\u0008\u000B\u000C\u000E-\u001F&<>"_\uD800-\uDFFF\uFFFE\uFFFF]/;
/** A character XML 1.0 cannot carry, or a surrogate (maybe lone). */
const MAYBE_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
/** Characters XML 1.0 cannot carry, and lone surrogates (tab, LF and CR are kept). */
const INVALID =
	/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/* eslint-enable no-control-regex */
const MARKUP = /[&<>"]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
/** An underscore that Excel would read as the start of an `_xHHHH_` escape. */
const ESCAPE_LIKE = /_(?=x[0-9A-Fa-f]{4}_)/g;

/** False when text can be written as it is: no invalid character, markup or `_` (the usual case). */
export function needsWork(text: string): boolean {
	return NEEDS_WORK.test(text);
}

/** Removes the characters XML 1.0 cannot carry (keeps tab, LF, CR). */
export function removeInvalidXmlChars(text: string): string {
	return MAYBE_INVALID.test(text) ? text.replace(INVALID, '') : text;
}

/** Escapes text for an element or a double-quoted attribute (input already cleaned). */
export function escapeXml(text: string): string {
	if (!NEEDS_WORK.test(text)) return text;
	return text.replace(MARKUP, (c) => ENTITIES[c] ?? c);
}

/** Escapes cell text (input already cleaned): markup, then `_xHHHH_` look-alikes. */
export function escapeCellText(text: string): string {
	if (!NEEDS_WORK.test(text)) return text;
	return text.replace(MARKUP, (c) => ENTITIES[c] ?? c).replace(ESCAPE_LIKE, '_x005F_');
}

/** Column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnLetters(index: number): string {
	let n = index + 1;
	let s = '';
	while (n > 0) {
		const r = (n - 1) % 26;
		s = String.fromCharCode(65 + r) + s;
		n = Math.floor((n - 1) / 26);
	}
	return s;
}

/** Cuts at most `max` UTF-16 units without splitting a surrogate pair. */
export function cutUnits(text: string, max: number): string {
	if (text.length <= max) return text;
	const last = text.charCodeAt(max - 1);
	return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
