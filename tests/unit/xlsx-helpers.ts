// Reading our output back with independent tools: SheetJS for cells, fflate's unzip and a small
// central-directory parser for the raw package.
import { strFromU8, unzipSync } from 'fflate';
import * as XLSX from 'xlsx';
import type { Column, Row } from '../../src/lib/core/table';
import {
	createWorkbook,
	type WorkbookOptions,
	type WorkbookResult
} from '../../src/lib/core/xlsx/index';

export function concat(parts: readonly Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let o = 0;
	for (const p of parts) {
		out.set(p, o);
		o += p.length;
	}
	return out;
}

export interface Written {
	result: WorkbookResult;
	bytes: Uint8Array;
	/** Each entry's text, by path. */
	files: Record<string, string>;
	book: XLSX.WorkBook;
}

export function readBack(result: WorkbookResult): Written {
	const bytes = concat(result.parts);
	const raw = unzipSync(bytes);
	const files: Record<string, string> = {};
	for (const [name, data] of Object.entries(raw)) files[name] = strFromU8(data);
	const book = XLSX.read(bytes, { type: 'array', cellDates: false, cellNF: true });
	return { result, bytes, files, book };
}

/** Writes one sheet (rows in pages) and reads the workbook back. */
export async function writeOne(
	columns: readonly Column[],
	rows: readonly Row[],
	options: WorkbookOptions & { name?: string; page?: number } = {}
): Promise<Written> {
	const wb = createWorkbook(options);
	const sheet = wb.addSheet({ name: options.name ?? 'Données', columns });
	const page = options.page ?? 1000;
	for (let i = 0; i < rows.length; i += page) await sheet.writeRows(rows.slice(i, i + page));
	return readBack(await wb.finish());
}

export const col = (header: string, kind: Column['kind'] = 'text'): Column => ({
	header,
	kind,
	description: `Signification de ${header}`
});

/** XML of the worksheet named `name`, found through workbook.xml and its relationships. */
export function sheetXml(w: Written, name: string): string {
	const wbXml = w.files['xl/workbook.xml'] ?? '';
	const rels = w.files['xl/_rels/workbook.xml.rels'] ?? '';
	const escaped = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
	const m = new RegExp(
		`<sheet name="${escaped.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" sheetId="\\d+" r:id="(rId\\d+)"`
	).exec(wbXml);
	if (!m) throw new Error(`no sheet ${name}`);
	const target = new RegExp(`Id="${m[1]}" [^>]*Target="([^"]+)"`).exec(rels);
	if (!target) throw new Error(`no relationship ${m[1]}`);
	const xml = w.files[`xl/${target[1]}`];
	if (xml === undefined) throw new Error(`no part ${target[1]}`);
	return xml;
}

export interface CentralEntry {
	name: string;
	method: number;
	flags: number;
	crc: number;
	compressedSize: number;
	size: number;
	dosTime: number;
	dosDate: number;
	offset: number;
}

/** Parses the central directory (no ZIP64), as an unzip tool would. */
export function centralDirectory(bytes: Uint8Array): CentralEntry[] {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let eocd = bytes.length - 22;
	while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
	if (eocd < 0) throw new Error('no end of central directory');
	const count = view.getUint16(eocd + 10, true);
	let p = view.getUint32(eocd + 16, true);
	const entries: CentralEntry[] = [];
	for (let i = 0; i < count; i++) {
		if (view.getUint32(p, true) !== 0x02014b50) throw new Error('bad central header');
		const nameLength = view.getUint16(p + 28, true);
		const extra = view.getUint16(p + 30, true);
		const comment = view.getUint16(p + 32, true);
		entries.push({
			flags: view.getUint16(p + 8, true),
			method: view.getUint16(p + 10, true),
			dosTime: view.getUint16(p + 12, true),
			dosDate: view.getUint16(p + 14, true),
			crc: view.getUint32(p + 16, true),
			compressedSize: view.getUint32(p + 20, true),
			size: view.getUint32(p + 24, true),
			offset: view.getUint32(p + 42, true),
			name: new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLength))
		});
		p += 46 + nameLength + extra + comment;
	}
	return entries;
}

/** `{ year, month, day }` of a DOS date field. */
export function dosDay(date: number): { year: number; month: number; day: number } {
	return { year: 1980 + (date >> 9), month: (date >> 5) & 15, day: date & 31 };
}

/**
 * The inside of the `n`-th `<row>` of a worksheet (1 = the header), whether the row carries its
 * reference or not; one that carries it must say `n`.
 */
export function rowXml(xml: string, n: number): string {
	let i = 0;
	for (const m of xml.matchAll(/<row(?: r="(\d+)")?>(.*?)<\/row>/g)) {
		if (++i < n) continue;
		if (m[1] !== undefined && Number(m[1]) !== n) throw new Error(`row ${n} says r="${m[1]}"`);
		return m[2]!;
	}
	throw new Error(`no row ${n} (${i} rows)`);
}

/** The number of `<row>` elements of a worksheet. */
export const rowCount = (xml: string): number => xml.match(/<row[ >]/g)?.length ?? 0;
