// A streaming .xlsx writer: each sheet's XML is built row by row and deflated as it is produced,
// so memory stays flat in the number of rows; only the compressed package is kept, as chunks.
import { Zip } from 'fflate';
import type { Cell, Column, ColumnKind, Row, SheetSpec } from '../table';
import { excelSerial } from './dates';
import {
	clampZipTime,
	DeflatedEntry,
	hasNativeDeflateRaw,
	ZIP32_LIMIT,
	ZipSizeError,
	type DeflateEngine
} from './deflate';
import {
	contentTypesXml,
	NS_MAIN,
	NS_REL,
	ROOT_RELS_XML,
	STYLE,
	STYLES_XML,
	workbookRelsXml,
	workbookXml,
	XML_HEAD,
	type WorkbookSheetEntry
} from './parts';
import { SHARED_TEXT_MAX_LENGTH, SharedStrings } from './shared-strings';
import { SheetNamer } from './sheet-names';
import { columnLetters, cutUnits, escapeCellText, needsWork, removeInvalidXmlChars } from './xml';

/** Excel: 1,048,576 rows per sheet, the header included. */
export const MAX_DATA_ROWS = 1_048_575;
/** Excel: characters in one cell. */
export const MAX_CELL_LENGTH = 32_767;
/** Excel: columns per sheet. */
export const MAX_COLUMNS = 16_384;
/** Ends a cut cell, so that the reader sees it is incomplete. */
export const CUT_MARKER = '… [texte tronqué]';
export const INFORMATIONS_SHEET = 'Informations';
/** Column widths, in Excel character units. */
export const MIN_WIDTH = 8;
export const MAX_WIDTH = 60;

export interface InformationEntry {
	label: string;
	value: string | number;
}

export interface WorkbookOptions {
	/** Key/value block at the top of the Informations sheet (structure, période, filtres…). */
	informations?: readonly InformationEntry[];
	/** `auto` (default): the native CompressionStream when it has 'deflate-raw', else fflate. */
	engine?: DeflateEngine | 'auto';
	/** fflate's level (default 6); the native stream has its own. */
	level?: number;
	/** Data rows per sheet before continuing on `<name> (2)`; default Excel's 1,048,575. */
	maxRowsPerSheet?: number;
	/** Rows buffered to size the columns before streaming starts (default 1,000). */
	measureRows?: number;
	/** Cut-cell warnings kept in detail; the rest are only counted (default 100). */
	maxWarningDetails?: number;
	/** Modification time of the package's entries (default now; clamped to 1980–2099). */
	mtime?: Date | number;
	/**
	 * Give every cell its reference (`r="F12"`). By default a cell that follows the previous one
	 * has none (the attribute is optional; Excel, LibreOffice, Google Sheets and SheetJS place it
	 * in the next column): the package is ~40 % smaller and quicker to write, but a few strict
	 * readers (old EPPlus, ClosedXML) want every reference.
	 */
	allCellReferences?: boolean;
	/**
	 * Write the texts that repeat once, in a shared-strings table (default true), as Excel does;
	 * `false` writes every text inline.
	 */
	sharedStrings?: boolean;
	/** Entries of the shared-strings table at most (default 100,000); later texts go inline. */
	maxSharedStrings?: number;
	/** Largest part or package in bytes (default 4 GiB − 1, the ZIP limit); for tests. */
	maxPartBytes?: number;
}

export type Warning =
	| {
			kind: 'cut-cell';
			sheet: string;
			/** Excel row number (the header is row 1). */
			row: number;
			/** Column header. */
			column: string;
			/** Cell reference, `F12`. */
			cell: string;
			/** Length of the text before the cut, in UTF-16 units as Excel counts. */
			length: number;
			message: string;
	  }
	| { kind: 'continuation'; sheet: string; continuationOf: string; message: string };

export interface SheetInfo {
	/** Name of the sheet in the workbook. */
	name: string;
	/** Name asked for (form name), before shortening. */
	fullName: string;
	/** Data rows, the header excluded. */
	rows: number;
	/** For `RDV (2)`: the sheet it continues (`RDV`). */
	continuationOf?: string;
}

export interface WorkbookResult {
	/** The .xlsx bytes, in order; give them to `new Blob(parts)` or the outer ZIP as they are. */
	parts: Uint8Array[];
	size: number;
	/** Data sheets in tab order (Informations, always last, is not listed). */
	sheets: SheetInfo[];
	/** Continuations, and cut cells up to `maxWarningDetails`. */
	warnings: Warning[];
	/** All cut cells, including those without a detailed warning. */
	cutCells: number;
}

export interface SheetWriter {
	/** Final sheet name (valid, unique). */
	readonly name: string;
	/** Appends rows; call again for the next page. Rows must not be mutated afterwards. */
	writeRows(rows: readonly Row[]): Promise<void>;
	/** Ends the sheet (optional: `finish` ends the open ones). */
	close(): Promise<void>;
}

export interface WorkbookWriter {
	addSheet(spec: SheetSpec): SheetWriter;
	/** `warnings`: known only at the end (the API's counts), listed in Informations too. */
	finish(more?: { warnings?: readonly string[] }): Promise<WorkbookResult>;
}

/** Strings this long are encoded and handed to the compressor. */
const FLUSH_CHARS = 1 << 17;
const encoder = new TextEncoder();
/** Room for a flush in UTF-8 (3 bytes per UTF-16 unit at most) and the row that overran it. */
const BUFFER_BYTES = 4 * FLUSH_CHARS;
/** Encoding buffers not in use (one per concurrent flush). */
const buffers: Uint8Array[] = [];
/** Flushes (of ~128K characters, a few ms of work each) between two yields to queued tasks. */
const YIELD_EVERY_FLUSHES = 4;
let flushes = 0;

let channel: MessageChannel | undefined;
const waiting: (() => void)[] = [];

/** A new task, behind those already queued (scheduler.yield would run first: not wanted here). */
function nextTask(): Promise<void> {
	// Node (tests, benches) has setImmediate; a MessageChannel's port would keep it alive.
	const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown })
		.setImmediate;
	if (immediate) return new Promise((r) => immediate(r));
	if (!channel) {
		channel = new MessageChannel();
		channel.port1.onmessage = () => waiting.shift()?.();
	}
	const port = channel.port2;
	return new Promise((r) => {
		waiting.push(r);
		port.postMessage(null);
	});
}

/**
 * Lets the thread's queued tasks run. Writing is a chain of microtasks (the native deflate
 * resolves in microtasks): without this, the next page's request, its token and its response
 * would wait for the whole current page to be written.
 */
function yieldToTasks(): Promise<void> | void {
	if (++flushes % YIELD_EVERY_FLUSHES !== 0) return;
	return nextTask();
}

/** `1048575` → `1 048 575` (no-break spaces), independent of the runtime's locale data. */
export function formatCount(n: number): string {
	return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
}

function resolveEngine(engine: WorkbookOptions['engine']): DeflateEngine {
	if (engine === 'native') {
		if (!hasNativeDeflateRaw()) throw new Error("CompressionStream('deflate-raw') indisponible");
		return 'native';
	}
	if (engine === 'fflate') return 'fflate';
	return hasNativeDeflateRaw() ? 'native' : 'fflate';
}

/** Display length of a value, for column widths (capped: only the clamp matters). */
function displayLength(value: Cell, kind: ColumnKind): number {
	if (value === null || value === undefined) return 0;
	if (kind === 'date') return 10;
	if (kind === 'datetime') return 16;
	if (typeof value === 'number') return Math.min(String(value).length, 15);
	const text = value.length > MAX_WIDTH * 4 ? value.slice(0, MAX_WIDTH * 4) : value;
	if (!text.includes('\n')) return text.length;
	let max = 0;
	for (const line of text.split('\n')) max = Math.max(max, line.length);
	return max;
}

function clampWidth(chars: number): number {
	return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.ceil(chars)));
}

/** A worksheet part being streamed into the package. */
class Part {
	readonly entry: DeflatedEntry;
	/** Last Excel row written. */
	row = 0;
	#xml = '';

	constructor(
		readonly number: number,
		readonly name: string,
		entry: DeflatedEntry
	) {
		this.entry = entry;
	}

	append(xml: string): void {
		this.#xml += xml;
	}

	/** Hands the text gathered so far to the compressor once it is big enough. */
	async maybeFlush(): Promise<void> {
		if (this.#xml.length >= FLUSH_CHARS) await this.flush();
	}

	async flush(): Promise<void> {
		let xml = this.#xml;
		if (xml === '') return;
		this.#xml = '';
		// Encoded into a reused buffer: a new one per flush was most of the garbage collector's
		// work. The compressor is done with the bytes when push resolves (it deflates or copies).
		const buffer = buffers.pop() ?? new Uint8Array(BUFFER_BYTES);
		try {
			for (;;) {
				const { read, written } = encoder.encodeInto(xml, buffer);
				await this.entry.push(buffer.subarray(0, written));
				if (read === xml.length) break;
				xml = xml.slice(read);
			}
		} finally {
			buffers.push(buffer);
		}
		await yieldToTasks();
	}

	async end(): Promise<void> {
		await this.flush();
		await this.entry.end();
	}
}

interface PartLayout {
	widths: readonly number[];
	/** Header row frozen and filtered: every data sheet. */
	dataSheet: boolean;
	tabSelected: boolean;
}

function sheetHead(layout: PartLayout): string {
	const selected = layout.tabSelected ? ' tabSelected="1"' : '';
	const view = layout.dataSheet
		? `<sheetView workbookViewId="0"${selected}>` +
			'<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
			'<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
		: `<sheetView workbookViewId="0"${selected}/>`;
	let cols = '';
	layout.widths.forEach((w, i) => {
		cols += `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`;
	});
	return (
		XML_HEAD +
		`<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
		`<sheetViews>${view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>` +
		(cols ? `<cols>${cols}</cols>` : '') +
		'<sheetData>'
	);
}

/** Everything the sheets of one workbook share. */
class Book {
	readonly options: Required<
		Omit<
			WorkbookOptions,
			'informations' | 'mtime' | 'engine' | 'sharedStrings' | 'maxSharedStrings'
		>
	>;
	/** Null when every text is written inline. */
	readonly sst: SharedStrings | null;
	readonly engine: DeflateEngine;
	readonly mtime: number;
	readonly namer = new SheetNamer([INFORMATIONS_SHEET]);
	readonly sheets: DataSheet[] = [];
	readonly warnings: Warning[] = [];
	cutCells = 0;
	cutDetails = 0;
	parts: Uint8Array[] = [];
	size = 0;
	#partCount = 0;
	#error: unknown;
	readonly #zip: Zip;

	constructor(options: WorkbookOptions) {
		this.options = {
			level: options.level ?? 6,
			maxRowsPerSheet: options.maxRowsPerSheet ?? MAX_DATA_ROWS,
			measureRows: options.measureRows ?? 1000,
			maxWarningDetails: options.maxWarningDetails ?? 100,
			maxPartBytes: options.maxPartBytes ?? ZIP32_LIMIT,
			allCellReferences: options.allCellReferences ?? false
		};
		const { maxRowsPerSheet } = this.options;
		if (
			!Number.isInteger(maxRowsPerSheet) ||
			maxRowsPerSheet < 1 ||
			maxRowsPerSheet > MAX_DATA_ROWS
		) {
			throw new RangeError(`maxRowsPerSheet must be 1..${MAX_DATA_ROWS}`);
		}
		this.engine = resolveEngine(options.engine);
		this.sst = options.sharedStrings === false ? null : new SharedStrings(options.maxSharedStrings);
		this.mtime = clampZipTime(options.mtime);
		this.#zip = new Zip((err, chunk) => {
			if (err) {
				this.#error ??= err;
				return;
			}
			if (chunk.length === 0) return;
			this.size += chunk.length;
			// ZIP offsets are 32-bit too: the whole package must stay under 4 GiB.
			if (this.size > this.options.maxPartBytes) {
				this.#error ??= new ZipSizeError('Le classeur');
			}
			this.parts.push(chunk);
		});
	}

	/** Throws the first error reported by the ZIP stream. */
	check(): void {
		if (this.#error !== undefined) throw this.#error;
	}

	async openPart(name: string, layout: PartLayout): Promise<Part> {
		const number = ++this.#partCount;
		const entry = new DeflatedEntry({
			filename: `xl/worksheets/sheet${number}.xml`,
			engine: this.engine,
			level: this.options.level,
			mtime: this.mtime,
			limit: this.options.maxPartBytes,
			label: `La feuille « ${name} »`
		});
		this.#zip.add(entry);
		const part = new Part(number, name, entry);
		part.append(sheetHead(layout));
		await part.maybeFlush();
		return part;
	}

	get partCount(): number {
		return this.#partCount;
	}

	/** Adds a part written at once, from its XML or the pieces of it. */
	async addStatic(filename: string, xml: string | readonly string[]): Promise<void> {
		const entry = new DeflatedEntry({
			filename,
			engine: this.engine,
			level: this.options.level,
			mtime: this.mtime
		});
		this.#zip.add(entry);
		let text = '';
		for (const piece of typeof xml === 'string' ? [xml] : xml) {
			text += piece;
			if (text.length >= FLUSH_CHARS) {
				await entry.push(encoder.encode(text));
				text = '';
			}
		}
		if (text !== '') await entry.push(encoder.encode(text));
		await entry.end();
	}

	end(): void {
		this.#zip.end();
	}

	recordCut(sheet: string, row: number, column: Column, cell: string, length: number): void {
		this.cutCells++;
		if (this.cutDetails >= this.options.maxWarningDetails) return;
		this.cutDetails++;
		this.warnings.push({
			kind: 'cut-cell',
			sheet,
			row,
			column: column.header,
			cell,
			length,
			message:
				`Feuille « ${sheet} », cellule ${cell} (${column.header}) : texte de ` +
				`${formatCount(length)} caractères tronqué à ${formatCount(MAX_CELL_LENGTH)}.`
		});
	}
}

const KIND_CODE = { text: 0, number: 1, integer: 1, date: 2, datetime: 3 } as const;
/**
 * A column stops using the shared table once more than half of its texts were new after this
 * many additions: identifiers and free text would only fill it.
 */
const SHARING_PROBE = 256;

/** One sheet as the caller sees it: one or more parts (`RDV`, `RDV (2)`…). */
class DataSheet implements SheetWriter {
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
		let xml = '<row r="' + r + '">';
		// With every reference asked for, no cell is ever "the next one".
		let next = this.#book.options.allCellReferences ? -1 : 0;
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
			const cell = textCell(ref, text, 0, (length) =>
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

/** An inline-string cell, or '' when nothing is left of the text. */
function textCell(
	ref: string,
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
	return `<c r="${ref}"${s} t="inlineStr"><is>${t}${escapeCellText(text)}</t></is></c>`;
}

/** The Informations sheet's rows: [cells, bold]. */
function informationRows(
	book: Book,
	informations: readonly InformationEntry[],
	warnings: readonly string[] = []
): [Cell[], boolean][] {
	const rows: [Cell[], boolean][] = [];
	const section = (title: string, header: string[]): void => {
		if (rows.length > 0) rows.push([[], false]);
		rows.push([[title], true]);
		if (header.length > 0) rows.push([header, true]);
	};
	for (const { label, value } of informations) rows.push([[label, value], false]);

	const sheets = book.sheets.flatMap((s) => s.info());
	section('Nombre de lignes par feuille', ['Feuille', 'Lignes de données']);
	for (const s of sheets) rows.push([[s.name, s.rows], false]);

	const renamed = sheets.filter((s) => s.name !== s.fullName);
	if (renamed.length > 0) {
		section('Noms complets des feuilles', ['Feuille', 'Nom complet']);
		for (const s of renamed) rows.push([[s.name, s.fullName], false]);
	}

	if (book.warnings.length > 0 || book.cutCells > 0 || warnings.length > 0) {
		section('Avertissements', []);
		for (const w of warnings) rows.push([[w], false]);
		if (book.cutCells > 0) {
			rows.push([
				[`Cellules tronquées (plus de ${formatCount(MAX_CELL_LENGTH)} caractères)`, book.cutCells],
				false
			]);
		}
		for (const w of book.warnings) rows.push([[w.message], false]);
		if (book.cutCells > book.cutDetails) {
			const more = book.cutCells - book.cutDetails;
			rows.push([[`… et ${formatCount(more)} autres cellules tronquées.`], false]);
		}
	}

	section('Dictionnaire des colonnes', ['Feuille', 'Colonne', 'Signification']);
	for (const s of book.sheets) {
		for (const c of s.columns) rows.push([[s.name, c.header, c.description], false]);
	}
	return rows;
}

async function writeInformations(
	book: Book,
	informations: readonly InformationEntry[],
	warnings: readonly string[]
): Promise<WorkbookSheetEntry> {
	const rows = informationRows(book, informations, warnings);
	const widths = [0, 0, 0];
	for (const [cells] of rows) {
		cells.forEach((v, i) => {
			// Section titles span the row: they do not widen column A.
			if (cells.length > 1) widths[i] = Math.max(widths[i] ?? 0, displayLength(v, 'text') + 2);
		});
	}
	const part = await book.openPart(INFORMATIONS_SHEET, {
		widths: widths.map(clampWidth),
		dataSheet: false,
		tabSelected: book.sheets.length === 0
	});
	rows.forEach(([cells, bold], index) => {
		const r = index + 1;
		let xml = `<row r="${r}">`;
		cells.forEach((v, i) => {
			if (v === null || v === undefined) return;
			const ref = columnLetters(i) + r;
			const style = bold || (i === 0 && index < informations.length) ? STYLE.bold : 0;
			if (typeof v === 'number') {
				xml += `<c r="${ref}"${style ? ` s="${style}"` : ''}><v>${v}</v></c>`;
			} else {
				xml += textCell(ref, v, style);
			}
		});
		part.append(xml + '</row>');
	});
	part.append('</sheetData></worksheet>');
	await part.end();
	return { name: INFORMATIONS_SHEET, part: part.number };
}

/** Starts a workbook; add sheets, write their rows page by page, then `finish`. */
export function createWorkbook(options: WorkbookOptions = {}): WorkbookWriter {
	const book = new Book(options);
	let finished = false;
	return {
		addSheet(spec: SheetSpec): SheetWriter {
			if (finished) throw new Error('Classeur déjà terminé');
			const sheet = new DataSheet(book, spec, book.sheets.length === 0);
			book.sheets.push(sheet);
			return sheet;
		},
		async finish(more = {}): Promise<WorkbookResult> {
			if (finished) throw new Error('Classeur déjà terminé');
			finished = true;
			for (const sheet of book.sheets) await sheet.close();
			const order: WorkbookSheetEntry[] = [];
			for (const sheet of book.sheets) {
				for (const p of sheet.parts) {
					const last = columnLetters(Math.max(sheet.columns.length - 1, 0));
					order.push({
						name: p.name,
						part: p.number,
						...(sheet.columns.length > 0 ? { filterRef: `A1:${last}${p.rows + 1}` } : {})
					});
				}
			}
			// Last, so that the workbook opens on the data; the caller's context stays one tab away.
			order.push(await writeInformations(book, options.informations ?? [], more.warnings ?? []));
			const sst = book.sst !== null && book.sst.size > 0 ? book.sst : null;
			if (sst) await book.addStatic('xl/sharedStrings.xml', sst.xmlPieces(XML_HEAD, NS_MAIN));
			await book.addStatic('xl/workbook.xml', workbookXml(order));
			await book.addStatic(
				'xl/_rels/workbook.xml.rels',
				workbookRelsXml(book.partCount, sst !== null)
			);
			await book.addStatic('xl/styles.xml', STYLES_XML);
			await book.addStatic('_rels/.rels', ROOT_RELS_XML);
			await book.addStatic('[Content_Types].xml', contentTypesXml(book.partCount, sst !== null));
			book.end();
			book.check();
			const sheets = book.sheets.flatMap((s) => s.info());
			return {
				parts: book.parts,
				size: book.size,
				sheets,
				warnings: book.warnings,
				cutCells: book.cutCells
			};
		}
	};
}
