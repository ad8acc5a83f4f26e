/**
 * Reading a finished extraction back with independent tools (fflate's unzip, SheetJS), and an
 * independent day-by-day count of status days to compare with what the workbooks say.
 */
import { unzipSync } from 'fflate';
import * as XLSX from 'xlsx';
import type { StatusCode, StatusEvent } from '../../src/lib/contract/spico';

export interface ReadWorkbook {
	book: XLSX.WorkBook;
	/** Rows of a sheet as arrays of raw values (dates as serial numbers), header first. */
	rows(sheet: string): unknown[][];
}

export function readZip(bytes: Uint8Array): Map<string, ReadWorkbook> {
	const entries = unzipSync(bytes);
	const out = new Map<string, ReadWorkbook>();
	for (const [name, data] of Object.entries(entries)) {
		const book = XLSX.read(data, { type: 'array', cellDates: false });
		out.set(name, {
			book,
			rows(sheet) {
				const ws = book.Sheets[sheet];
				if (!ws)
					throw new Error(`feuille absente : ${sheet} (feuilles : ${book.SheetNames.join(', ')})`);
				return XLSX.utils.sheet_to_json<unknown[]>(ws, { header: 1, raw: true, defval: null });
			}
		});
	}
	return out;
}

/** Excel serial of a `YYYY-MM-DD` day (days since 1899-12-30). */
export function serialOfDay(day: string): number {
	const [y, m, d] = day.split('-').map(Number) as [number, number, number];
	return (Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 86_400_000;
}

const parisDayFormat = new Intl.DateTimeFormat('en-CA', {
	timeZone: 'Europe/Paris',
	year: 'numeric',
	month: '2-digit',
	day: '2-digit'
});

/** Paris calendar day of an instant, through Intl only (independent of src/lib/core). */
export function parisDayOf(iso: string): string {
	return parisDayFormat.format(new Date(iso));
}

function nextDay(day: string): string {
	const [y, m, d] = day.split('-').map(Number) as [number, number, number];
	return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/**
 * SPEC §4 counted the slow way: walk every day of [max(from, created), min(to, today)] and ask
 * which status holds at the end of that day (the last event on or before it).
 */
export function naiveStatusDays(
	createdAt: string,
	events: readonly StatusEvent[],
	from: string,
	to: string,
	today: string
): Record<StatusCode, number> {
	const days = {
		analyse_demande: 0,
		en_attente: 0,
		non_suivi: 0,
		suivi_inclusion: 0,
		reorientation: 0,
		sortie: 0,
		non_renseigne: 0
	} satisfies Record<StatusCode, number>;
	const sorted = events
		.map((e, i) => ({ day: parisDayOf(e.at), t: Date.parse(e.at), i, status: e.status }))
		.sort((a, b) => a.t - b.t || a.i - b.i);
	const created = parisDayOf(createdAt);
	const last = to < today ? to : today;
	for (let day = from > created ? from : created; day <= last; day = nextDay(day)) {
		let status: StatusCode = 'non_renseigne';
		for (const e of sorted) if (e.day <= day) status = e.status;
		days[status]++;
	}
	return days;
}
