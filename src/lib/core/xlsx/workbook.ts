// A streaming .xlsx writer: each sheet's XML is built row by row and deflated as it is produced,
// so memory stays flat in the number of rows; only the compressed package is kept, as chunks.
// The pieces: model (limits, options), package (ZIP and parts), data-sheet (the rows' XML),
// informations-sheet, scheduler (yields between flushes).
import type { SheetSpec } from '../table';
import { DataSheet } from './data-sheet';
import { writeInformations } from './informations-sheet';
import type {
	SheetWriter,
	WorkbookOptions,
	WorkbookResult,
	WorkbookSummary,
	WorkbookWriter
} from './model';
import { Book } from './package';
import {
	contentTypesXml,
	NS_MAIN,
	ROOT_RELS_XML,
	STYLES_XML,
	workbookRelsXml,
	workbookXml,
	XML_HEAD,
	type WorkbookSheetEntry
} from './parts';
import { columnLetters } from './xml';

export * from './model';

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
			const summary: WorkbookSummary = {
				sheets: book.sheets.flatMap((s) => s.info()),
				columns: book.sheets.map((s) => ({ sheet: s.name, columns: s.columns })),
				warnings: book.warnings,
				cutCells: book.cutCells,
				cutDetails: book.cutDetails,
				lateWarnings: more.warnings ?? []
			};
			order.push(await writeInformations(book, options.informations?.(summary) ?? []));
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
