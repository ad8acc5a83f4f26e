// The small fixed parts of the package, written once the sheets are known.
import { escapeCellText } from './xml';

export const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
export const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
export const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml';

/** Cell style indexes in `cellXfs` below. */
export const STYLE = { header: 1, date: 2, datetime: 3, bold: 4 } as const;
export const DATE_FORMAT = 'dd/mm/yyyy';
export const DATETIME_FORMAT = 'dd/mm/yyyy hh:mm';

export const STYLES_XML =
	XML_HEAD +
	`<styleSheet xmlns="${NS_MAIN}">` +
	`<numFmts count="2"><numFmt numFmtId="164" formatCode="${DATE_FORMAT}"/>` +
	`<numFmt numFmtId="165" formatCode="${DATETIME_FORMAT}"/></numFmts>` +
	'<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
	'<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
	'<fills count="2"><fill><patternFill patternType="none"/></fill>' +
	'<fill><patternFill patternType="gray125"/></fill></fills>' +
	'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
	'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
	'<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
	'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
	'<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
	'<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
	'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
	'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
	'</styleSheet>';

export const ROOT_RELS_XML =
	XML_HEAD +
	`<Relationships xmlns="${NS_PKG_REL}">` +
	'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
	'</Relationships>';

export function contentTypesXml(sheetCount: number, sharedStrings = false): string {
	let overrides = '';
	for (let i = 1; i <= sheetCount; i++) {
		overrides += `<Override PartName="/xl/worksheets/sheet${i}.xml" ContentType="${CT}.worksheet+xml"/>`;
	}
	return (
		XML_HEAD +
		'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
		'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
		'<Default Extension="xml" ContentType="application/xml"/>' +
		`<Override PartName="/xl/workbook.xml" ContentType="${CT}.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="${CT}.styles+xml"/>` +
		overrides +
		(sharedStrings
			? `<Override PartName="/xl/sharedStrings.xml" ContentType="${CT}.sharedStrings+xml"/>`
			: '') +
		'</Types>'
	);
}

export interface WorkbookSheetEntry {
	name: string;
	/** 1-based number of its `xl/worksheets/sheetN.xml` part. */
	part: number;
	/** Range of the autofilter, `A1:L42`, if any. */
	filterRef?: string;
}

/** Quotes a sheet name for a formula reference: `'Name'` with inner `'` doubled. */
function quoteSheet(name: string): string {
	return `'${name.replace(/'/g, "''")}'`;
}

function absolute(ref: string): string {
	return ref.replace(/([A-Z]+)(\d+)/g, '$$$1$$$2');
}

/** `sheets` in workbook (tab) order. */
export function workbookXml(sheets: readonly WorkbookSheetEntry[]): string {
	let list = '';
	let names = '';
	sheets.forEach((s, i) => {
		// A sheet name is decoded like cell text (`_x0041_` → « A »): it is escaped the same way.
		list += `<sheet name="${escapeCellText(s.name)}" sheetId="${s.part}" r:id="rId${s.part}"/>`;
		if (s.filterRef) {
			// Excel records each autofilter's range under this hidden name.
			const ref = `${quoteSheet(s.name)}!${absolute(s.filterRef)}`;
			names += `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">${escapeCellText(ref)}</definedName>`;
		}
	});
	return (
		XML_HEAD +
		`<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
		'<bookViews><workbookView activeTab="0"/></bookViews>' +
		`<sheets>${list}</sheets>` +
		(names ? `<definedNames>${names}</definedNames>` : '') +
		'</workbook>'
	);
}

export function workbookRelsXml(partCount: number, sharedStrings = false): string {
	let rels = '';
	for (let i = 1; i <= partCount; i++) {
		rels += `<Relationship Id="rId${i}" Type="${NS_REL}/worksheet" Target="worksheets/sheet${i}.xml"/>`;
	}
	rels += `<Relationship Id="rId${partCount + 1}" Type="${NS_REL}/styles" Target="styles.xml"/>`;
	if (sharedStrings) {
		rels += `<Relationship Id="rId${partCount + 2}" Type="${NS_REL}/sharedStrings" Target="sharedStrings.xml"/>`;
	}
	return XML_HEAD + `<Relationships xmlns="${NS_PKG_REL}">${rels}</Relationships>`;
}
