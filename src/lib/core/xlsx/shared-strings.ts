// The workbook's shared-strings table (`xl/sharedStrings.xml`), for texts that repeat: a status,
// a place, a form's choice. Such a cell becomes `<c t="s"><v>12</v></c>` instead of carrying its
// text inline, which is how Excel writes every text: the sheets' XML of a full extraction is ~35 %
// smaller to build and encode, and the package ~12 % smaller. The table lives until the workbook
// is finished, so it is bounded; texts past the bounds are written inline, as before.
import { escapeCellText, removeInvalidXmlChars } from './xml';

/** Longer texts (comments, free answers) rarely repeat: they stay inline. */
export const SHARED_TEXT_MAX_LENGTH = 255;
/** Entries kept at most, by default (a few MB at worst). */
export const DEFAULT_MAX_SHARED_STRINGS = 100_000;
/** Characters kept at most over all entries. */
const MAX_SHARED_CHARS = 4_000_000;

export class SharedStrings {
	readonly #index = new Map<string, number>();
	/** The `<si>` element of each entry, in index order. */
	readonly #items: string[] = [];
	#chars = 0;
	/** Cells that refer to the table (the part's `count`). */
	references = 0;

	constructor(readonly maxEntries = DEFAULT_MAX_SHARED_STRINGS) {}

	get size(): number {
		return this.#items.length;
	}

	/** Index of `text`, if the table has it. */
	find(text: string): number | undefined {
		return this.#index.get(text);
	}

	/**
	 * Adds `text` (not in the table yet) and returns its index, or -1 when it is not to be shared:
	 * the table is full, the text is long, or nothing would be left of it once cleaned.
	 */
	add(text: string): number {
		if (
			this.#items.length >= this.maxEntries ||
			text.length > SHARED_TEXT_MAX_LENGTH ||
			this.#chars + text.length > MAX_SHARED_CHARS
		) {
			return -1;
		}
		const clean = removeInvalidXmlChars(text);
		if (clean === '') return -1;
		const first = clean.charCodeAt(0);
		const last = clean.charCodeAt(clean.length - 1);
		const t = first <= 32 || last <= 32 ? '<t xml:space="preserve">' : '<t>';
		const index = this.#items.length;
		this.#items.push('<si>' + t + escapeCellText(clean) + '</t></si>');
		this.#index.set(text, index);
		this.#chars += text.length;
		return index;
	}

	/** The part's XML, as pieces to hand to the compressor one after the other. */
	xmlPieces(head: string, ns: string): string[] {
		return [
			head + `<sst xmlns="${ns}" count="${this.references}" uniqueCount="${this.size}">`,
			...this.#items,
			'</sst>'
		];
	}
}
