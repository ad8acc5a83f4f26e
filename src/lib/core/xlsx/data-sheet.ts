// One data sheet: rows measured, then streamed as XML into one part or more (`RDV`, `RDV (2)`…).
// The hot loop of the writer.
import type { Column, Row, SheetSpec } from '../table';
import { excelSerial } from './dates';
import {
	clampWidth,
	CUT_MARKER,
	displayLength,
	formatCount,
	MAX_CELL_LENGTH,
	MAX_COLUMNS,
	type SheetInfo,
	type SheetWriter
} from './model';
import type { Book, Part } from './package';
import { STYLE } from './parts';
import { SHARED_TEXT_MAX_LENGTH } from './shared-strings';
import { columnLetters, cutUnits, escapeCellText, needsWork, removeInvalidXmlChars } from './xml';

const KIND_CODE = { text: 0, number: 1, integer: 1, date: 2, datetime: 3 } as const;
/**
 * A column stops using the shared table once more than half of its texts were new after this
 * many additions: identifiers and free text would only fill it.
 */
const SHARING_PROBE = 256;

/** One sheet as the caller sees it: one or more parts (`RDV`, `RDV (2)`…). */
export class DataSheet implements SheetWriter {
	readonly name: string;
	readonly fullName: string;
	readonly columns: readonly Column[];
	readonly parts: { name: string; number: number; rows: number }[] = [];
	readonly #book: Book;
	readonly #first: boolean;
	readonly #letters: string[];
	readonly #kinds: number[];
	/** `<c r="F`: the opening of each column's cells, up to the row number. */
	readonly #open: string[];
	/** After the opening, for numbers and dates: `><v>` or ` s="2"><v>`. */
	readonly #numberTail: string[];
	/** Per column: whether its texts still go through the shared table, texts seen, added. */
	readonly #sharing: boolean[];
	readonly #sharedSeen: number[];
	readonly #sharedAdded: number[];
	#pending: Row[] | undefined = [];
	#widths: number[] = [];
	#part: Part | undefined;
	#partRows = 0;
	#closed = false;
	#queue: Promise<void> = Promise.resolve();

	constructor(book: Book, spec: SheetSpec, first: boolean) {
		if (spec.columns.length > MAX_COLUMNS) {
			throw new RangeError(`Feuille « ${spec.name} » : plus de ${MAX_COLUMNS} colonnes.`);
		}
		this.#book = book;
		this.#first = first;
		this.name = book.namer.take(spec.name);
		this.fullName = spec.fullName ?? spec.name;
		this.columns = spec.columns;
		this.#letters = spec.columns.map((_, i) => columnLetters(i));
		this.#kinds = spec.columns.map((c) => KIND_CODE[c.kind]);
		this.#open = this.#letters.map((l) => '<c r="' + l);
		this.#numberTail = this.#kinds.map((k) =>
			k === 2 ? ` s="${STYLE.date}"><v>` : k === 3 ? ` s="${STYLE.datetime}"><v>` : '><v>'
		);
		this.#widths = spec.columns.map((c) => c.header.length * 1.1 + 4);
		this.#sharing = spec.columns.map(() => book.sst !== null);
		this.#sharedSeen = spec.columns.map(() => 0);
		this.#sharedAdded = spec.columns.map(() => 0);
	}

	writeRows(rows: readonly Row[]): Promise<void> {
		// Serialised: a page waits for the previous one, whoever forgot to await.
		const run = this.#queue.then(() => this.#write(rows));
		this.#queue = run.catch(() => {});
		return run;
	}

	close(): Promise<void> {
		const run = this.#queue.then(() => this.#close());
		this.#queue = run.catch(() => {});
		return run;
	}

	async #write(rows: readonly Row[]): Promise<void> {
		if (this.#closed) throw new Error(`Feuille « ${this.name} » déjà fermée`);
		this.#book.check();
		for (const row of rows) {
			if (row.length > this.columns.length) {
				throw new RangeError(
					`Feuille « ${this.name} » : ${row.length} cellules pour ${this.columns.length} colonnes.`
				);
			}
		}
		const pending = this.#pending;
		if (pending) {
			for (const row of rows) {
				this.#measure(row);
				pending.push(row);
			}
			if (pending.length < this.#book.options.measureRows) return;
			await this.#startStreaming();
			return;
		}
		await this.#stream(rows);
	}

	async #close(): Promise<void> {
		if (this.#closed) return;
		if (this.#pending) await this.#startStreaming();
		this.#closed = true;
		await this.#endPart();
	}

	#measure(row: Row): void {
		const widths = this.#widths;
		for (let i = 0; i < row.length && i < widths.length; i++) {
			const len = displayLength(row[i], this.columns[i]!.kind) + 2;
			if (len > widths[i]!) widths[i] = len;
		}
	}

	async #startStreaming(): Promise<void> {
		const rows = this.#pending ?? [];
		this.#pending = undefined;
		this.#widths = this.#widths.map(clampWidth);
		await this.#openPart(this.name);
		await this.#stream(rows);
	}

	async #openPart(name: string): Promise<void> {
		const part = await this.#book.openPart(name, {
			widths: this.#widths,
			dataSheet: true,
			tabSelected: this.#first && this.parts.length === 0
		});
		this.parts.push({ name, number: part.number, rows: 0 });
		this.#part = part;
		this.#partRows = 0;
		let header = '<row r="1">';
		this.columns.forEach((c, i) => {
			header += textCell(`${this.#letters[i]}1`, c.header, STYLE.header);
		});
		part.append(header + '</row>');
		part.row = 1;
	}

	async #endPart(): Promise<void> {
		const part = this.#part;
		if (!part) return;
		this.#part = undefined;
		const last = this.#letters[this.#letters.length - 1];
		if (last) part.append(`</sheetData><autoFilter ref="A1:${last}${part.row}"/></worksheet>`);
		else part.append('</sheetData></worksheet>');
		await part.end();
		this.#book.check();
	}

	async #stream(rows: readonly Row[]): Promise<void> {
		const max = this.#book.options.maxRowsPerSheet;
		for (const row of rows) {
			let part = this.#part!;
			if (this.#partRows === max) {
				await this.#endPart();
				const n = this.parts.length + 1;
				const name = this.#book.namer.takeContinuation(this.name, n);
				this.#book.warnings.push({
					kind: 'continuation',
					sheet: name,
					continuationOf: this.name,
					message:
						`Plus de ${formatCount(max)} lignes dans « ${this.name} » : ` +
						`la suite est dans la feuille « ${name} ».`
				});
				await this.#openPart(name);
				part = this.#part!;
			}
			const r = ++part.row;
			part.append(this.#rowXml(row, r, part.name));
			this.#partRows++;
			this.parts[this.parts.length - 1]!.rows = this.#partRows;
			await part.maybeFlush();
		}
		this.#book.check();
	}

	#rowXml(row: Row, r: number, sheet: string): string {
		// The hot loop of the writer. A cell that follows the previous one carries no reference
		// (`r` is optional: it then takes the next column); one after an empty cell does.
		const kinds = this.#kinds;
		// A data row carries no reference either (optional too: the row after the previous one).
		// With every reference asked for, no cell is ever "the next one".
		const all = this.#book.options.allCellReferences;
		let xml = all ? '<row r="' + r + '">' : '<row>';
		let next = all ? -1 : 0;
		for (let i = 0; i < row.length; i++) {
			const v = row[i];
			if (v === null || v === undefined) continue;
			const kind = kinds[i]!;
			const open = i === next ? '<c' : this.#open[i]! + r + '"';
			if (typeof v === 'number') {
				// JSON cannot carry NaN or Infinity; neither can a cell.
				if (!Number.isFinite(v)) continue;
				xml += open + this.#numberTail[i]! + v + '</v></c>';
				if (next >= 0) next = i + 1;
				continue;
			}
			const text = typeof v === 'string' ? v : String(v);
			if (kind >= 2) {
				const serial = excelSerial(text);
				if (serial !== undefined) {
					xml += open + this.#numberTail[i]! + serial + '</v></c>';
					if (next >= 0) next = i + 1;
					continue;
				}
			}
			// Not a valid date (or a text column): kept as text rather than lost.
			if (this.#sharing[i]) {
				const index = this.#sharedIndex(i, text);
				if (index >= 0) {
					xml += open + ' t="s"><v>' + index + '</v></c>';
					if (next >= 0) next = i + 1;
					continue;
				}
			}
			const n = text.length;
			if (n !== 0 && n <= MAX_CELL_LENGTH && !needsWork(text)) {
				const t = text.charCodeAt(0) <= 32 || text.charCodeAt(n - 1) <= 32 ? PRESERVE : '<t>';
				xml += open + ' t="inlineStr"><is>' + t + text + '</t></is></c>';
				if (next >= 0) next = i + 1;
				continue;
			}
			const ref = this.#letters[i]! + r;
			const cell = textCell(i === next ? null : ref, text, 0, (length) =>
				this.#book.recordCut(sheet, r, this.columns[i]!, ref, length)
			);
			if (cell !== '') {
				xml += cell;
				if (next >= 0) next = i + 1;
			}
		}
		return xml + '</row>';
	}

	/** The text's index in the shared table, or -1 to write it inline. */
	#sharedIndex(column: number, text: string): number {
		// Long texts are never in the table: not worth hashing them to find out.
		if (text.length > SHARED_TEXT_MAX_LENGTH) return -1;
		const sst = this.#book.sst!;
		this.#sharedSeen[column]!++;
		let index = sst.find(text);
		if (index === undefined) {
			index = sst.add(text);
			if (index < 0) return -1;
			const added = ++this.#sharedAdded[column]!;
			if (added > SHARING_PROBE && added * 2 > this.#sharedSeen[column]!) {
				this.#sharing[column] = false;
			}
		}
		sst.references++;
		return index;
	}

	info(): SheetInfo[] {
		return this.parts.map((p, i) => ({
			name: p.name,
			fullName: this.fullName,
			rows: p.rows,
			...(i > 0 ? { continuationOf: this.name } : {})
		}));
	}
}

const PRESERVE = '<t xml:space="preserve">';

/** An inline-string cell (without reference when `ref` is null), or '' when nothing is left. */
export function textCell(
	ref: string | null,
	raw: string,
	style: number,
	onCut?: (originalLength: number) => void
): string {
	let text = removeInvalidXmlChars(raw);
	if (text.length > MAX_CELL_LENGTH) {
		onCut?.(text.length);
		text = cutUnits(text, MAX_CELL_LENGTH - CUT_MARKER.length) + CUT_MARKER;
	}
	if (text === '') return '';
	const first = text.charCodeAt(0);
	const last = text.charCodeAt(text.length - 1);
	const t = first <= 32 || last <= 32 ? PRESERVE : '<t>';
	const s = style ? ` s="${style}"` : '';
	const r = ref === null ? '' : ` r="${ref}"`;
	return `<c${r}${s} t="inlineStr"><is>${t}${escapeCellText(text)}</t></is></c>`;
}
