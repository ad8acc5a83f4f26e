/**
 * Reads a bulk list page by page, validating every page and item with the module's own schemas,
 * and keeps the facts the paging checks judge afterwards (totals, duplicates, page sizes, how the
 * reading ended). Bounded: a repeated cursor, a run of empty pages or more rows than `total`
 * allows with a cursor still offered end the reading.
 */
import * as v from 'valibot';
import {
	PageEnvelopeSchema,
	listPath,
	listSearchParams,
	parsePage,
	type ListName,
	type StatusCode
} from '../../src/lib/contract/spico.ts';
import type { BoundedHttp } from './http.ts';
import { Fail } from './report.ts';

export interface Filters {
	from: string;
	to: string;
	archived: boolean;
	statuses: readonly StatusCode[];
}

/** An item as read: `dossierId` always, `id` except for dossiers, the rest per list. */
export type Item = Record<string, unknown> & { dossierId: string; id?: string };

export interface ListRead {
	list: ListName;
	items: Item[];
	/** Item ids in the order read (`dossierId` for dossiers). */
	ids: string[];
	totals: number[];
	pages: number;
	/** Stopped on purpose after `maxRows` (a prefix, not the whole list). */
	partial: boolean;
}

/** What every reading of a list taught, for the paging and schema checks. */
export interface ListFacts {
	reads: number;
	rows: number;
	schema: string[];
	total: string[];
	unique: string[];
	ends: string[];
	pageSize: string[];
}

export function emptyFacts(): ListFacts {
	return { reads: 0, rows: 0, schema: [], total: [], unique: [], ends: [], pageSize: [] };
}

const MAX_EMPTY_PAGES = 3;

export function itemId(list: ListName, item: Item): string {
	return String(list === 'dossiers' ? item.dossierId : item.id);
}

export interface ReadOptions {
	token: string;
	structureId: string;
	formId?: string;
	limit: number;
	/** Stop after this many rows (a prefix). */
	maxRows?: number;
}

export async function readList(
	http: BoundedHttp,
	facts: Map<string, ListFacts>,
	list: ListName,
	filters: Filters,
	opts: ReadOptions
): Promise<ListRead> {
	const path = `/${listPath(opts.structureId, list, opts.formId)}`;
	const key = list;
	const f = facts.get(key) ?? emptyFacts();
	facts.set(key, f);
	f.reads++;
	const what = `${list}${opts.formId ? ` (formulaire ${opts.formId})` : ''}, limit ${opts.limit}`;
	const read: ListRead = { list, items: [], ids: [], totals: [], pages: 0, partial: false };
	const cursors = new Set<string>();
	let cursor: string | null = null;
	let empty = 0;
	let ended: string | null = null;
	for (;;) {
		const params = listSearchParams({ ...filters, cursor, limit: opts.limit });
		const res = await http.request(`${path}?${params}`, { token: opts.token });
		if (res.status !== 200) {
			throw new Fail(`GET ${path} (${what}, page ${read.pages + 1}) : HTTP ${res.status}`);
		}
		const envelope = v.safeParse(PageEnvelopeSchema, res.json);
		if (!envelope.success) {
			const msg = `${what}, page ${read.pages + 1} : enveloppe { items, nextCursor, total } invalide`;
			f.schema.push(msg);
			throw new Fail(msg);
		}
		read.pages++;
		const page = envelope.output;
		try {
			parsePage(list, res.json, `${list} page ${read.pages}`);
		} catch (error) {
			f.schema.push((error as Error).message);
		}
		if (page.items.length > opts.limit) {
			f.pageSize.push(`${what} : page de ${page.items.length} éléments`);
		}
		read.totals.push(page.total);
		for (const raw of page.items) {
			const item = (raw ?? {}) as Item;
			read.items.push(item);
			read.ids.push(itemId(list, item));
		}
		if (page.nextCursor === null) break;
		if (opts.maxRows !== undefined && read.items.length >= opts.maxRows) {
			read.partial = true;
			break;
		}
		if (page.items.length === 0 && ++empty > MAX_EMPTY_PAGES) {
			ended = `${what} : ${empty} pages vides avec un curseur`;
			break;
		}
		if (cursors.has(page.nextCursor)) {
			ended = `${what} : curseur déjà servi à la page ${read.pages} (pagination en boucle)`;
			break;
		}
		if (read.items.length > Math.max(...read.totals)) {
			ended = `${what} : ${read.items.length} lignes lues pour un total de ${Math.max(...read.totals)}, et encore un curseur`;
			break;
		}
		cursors.add(page.nextCursor);
		cursor = page.nextCursor;
	}
	f.rows += read.items.length;
	// A reading cut short is judged on how it ended only: its rows say nothing of the total.
	if (ended !== null) {
		f.ends.push(ended);
		throw new Fail(ended);
	}
	if (!read.partial) judgeRead(f, read, what);
	return read;
}

function judgeRead(f: ListFacts, read: ListRead, what: string): void {
	const distinctTotals = [...new Set(read.totals)];
	const last = read.totals[read.totals.length - 1] ?? 0;
	if (distinctTotals.length > 1) {
		f.total.push(`${what} : total différent selon les pages (${distinctTotals.join(', ')})`);
	} else if (read.items.length !== last) {
		f.total.push(`${what} : ${read.items.length} lignes lues, total annoncé ${last}`);
	}
	const seen = new Set<string>();
	for (const id of read.ids) {
		if (seen.has(id)) {
			f.unique.push(`${what} : « ${id} » servi deux fois`);
			break;
		}
		seen.add(id);
	}
}
