// What the workbook writer's pieces share: Excel's limits, the options and results, and how
// a column's width is measured.
import type { Cell, Column, ColumnKind, Row, SheetSpec } from '../table';
import type { DeflateEngine } from './deflate';

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

/** One row of the Informations sheet: `label` makes its first cell bold, `bold` the whole row. */
export interface InformationRow {
	cells: readonly Cell[];
	style?: 'bold' | 'label';
}

/** What the workbook holds when it is finished, for the Informations sheet. */
export interface WorkbookSummary {
	/** Data sheets in tab order, continuations included. */
	sheets: readonly SheetInfo[];
	/** Each data sheet (continuations apart) with its columns. */
	columns: readonly { sheet: string; columns: readonly Column[] }[];
	warnings: readonly Warning[];
	cutCells: number;
	/** Cut cells with a detailed warning (the others are only counted). */
	cutDetails: number;
	/** Warnings known only at the end (the API's counts), given to `finish`. */
	lateWarnings: readonly string[];
}

export interface WorkbookOptions {
	/**
	 * The Informations sheet's rows, given what was written (its content belongs to the caller:
	 * `core/extraction/informations.ts`); absent, the sheet is empty.
	 */
	informations?: (summary: WorkbookSummary) => readonly InformationRow[];
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
	 * Give every data row and cell its reference (`r="12"`, `r="F12"`). By default a data row
	 * has none, nor has a cell that follows the previous one (the attribute is optional; Excel,
	 * LibreOffice, Google Sheets, SheetJS, openpyxl and calamine take the next row or column):
	 * the package is ~40 % smaller and quicker to write, but a few strict readers (old EPPlus,
	 * ClosedXML) want every reference.
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

/** `1048575` → `1 048 575` (no-break spaces), independent of the runtime's locale data. */
export function formatCount(n: number): string {
	return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
}

/** Display length of a value, for column widths (capped: only the clamp matters). */
export function displayLength(value: Cell, kind: ColumnKind): number {
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

export function clampWidth(chars: number): number {
	return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.ceil(chars)));
}
