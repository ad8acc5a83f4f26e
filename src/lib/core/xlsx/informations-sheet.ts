// The Informations sheet's part: rows given by the caller, key/value labels and titles in bold.
import { clampWidth, displayLength, INFORMATIONS_SHEET, type InformationRow } from './model';
import type { Book } from './package';
import { STYLE, type WorkbookSheetEntry } from './parts';
import { textCell } from './data-sheet';
import { columnLetters } from './xml';

export async function writeInformations(
	book: Book,
	rows: readonly InformationRow[]
): Promise<WorkbookSheetEntry> {
	const widths = [0, 0, 0];
	for (const { cells } of rows) {
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
	rows.forEach(({ cells, style }, index) => {
		const r = index + 1;
		let xml = `<row r="${r}">`;
		cells.forEach((v, i) => {
			if (v === null || v === undefined) return;
			const ref = columnLetters(i) + r;
			const bold = style === 'bold' || (style === 'label' && i === 0) ? STYLE.bold : 0;
			if (typeof v === 'number') {
				xml += `<c r="${ref}"${bold ? ` s="${bold}"` : ''}><v>${v}</v></c>`;
			} else {
				xml += textCell(ref, v, bold);
			}
		});
		part.append(xml + '</row>');
	});
	part.append('</sheetData></worksheet>');
	await part.end();
	return { name: INFORMATIONS_SHEET, part: part.number };
}
