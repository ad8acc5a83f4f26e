// The package of one workbook: its ZIP stream, its parts (each streamed through a deflater as
// its XML is produced), and what every sheet shares (names, shared strings, warnings).
import { Zip } from 'fflate';
import type { Column } from '../table';
import {
	clampZipTime,
	DeflatedEntry,
	hasNativeDeflateRaw,
	ZIP32_LIMIT,
	ZipSizeError,
	type DeflateEngine
} from './deflate';
import type { DataSheet } from './data-sheet';
import {
	formatCount,
	INFORMATIONS_SHEET,
	MAX_CELL_LENGTH,
	MAX_DATA_ROWS,
	type Warning,
	type WorkbookOptions
} from './model';
import { NS_MAIN, NS_REL, XML_HEAD } from './parts';
import { yieldToTasks } from './scheduler';
import { SharedStrings } from './shared-strings';
import { SheetNamer } from './sheet-names';

/** Strings this long are encoded and handed to the compressor. */
export const FLUSH_CHARS = 1 << 17;
export const encoder = new TextEncoder();
/** Room for a flush in UTF-8 (3 bytes per UTF-16 unit at most) and the row that overran it. */
const BUFFER_BYTES = 4 * FLUSH_CHARS;
/** Encoding buffers not in use (one per concurrent flush). */
const buffers: Uint8Array[] = [];

function resolveEngine(engine: WorkbookOptions['engine']): DeflateEngine {
	if (engine === 'native') {
		if (!hasNativeDeflateRaw()) throw new Error("CompressionStream('deflate-raw') indisponible");
		return 'native';
	}
	if (engine === 'fflate') return 'fflate';
	return hasNativeDeflateRaw() ? 'native' : 'fflate';
}

/** A worksheet part being streamed into the package. */
export class Part {
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

export interface PartLayout {
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
export class Book {
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
