// Framework-free .xlsx writer: runs unchanged in a Web Worker, in Node tests and benchmarks.
export {
	createWorkbook,
	formatCount,
	CUT_MARKER,
	INFORMATIONS_SHEET,
	MAX_CELL_LENGTH,
	MAX_COLUMNS,
	MAX_DATA_ROWS,
	type InformationEntry,
	type InformationRow,
	type WorkbookSummary,
	type SheetInfo,
	type SheetWriter,
	type Warning,
	type WorkbookOptions,
	type WorkbookResult,
	type WorkbookWriter
} from './workbook';
export { clampZipTime, hasNativeDeflateRaw, ZipSizeError, type DeflateEngine } from './deflate';
export { excelSerial } from './dates';
export { crc32, Crc32 } from './crc32';
export {
	cleanSheetName,
	sheetNames,
	suffixedSheetName,
	SheetNamer,
	FALLBACK_SHEET_NAME,
	SHEET_NAME_MAX
} from './sheet-names';
