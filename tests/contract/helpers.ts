/** Shared helpers of the contract tests: raw paging and an independent status-day count. */
import * as v from 'valibot';
import {
	LIST_ITEM_SCHEMAS,
	PageEnvelopeSchema,
	listPath,
	listSearchParams,
	type ListName,
	type ListQuery,
	type StatusCode,
	type StatusEvent
} from '../../src/lib/contract/spico';

export const TODAY = '2024-06-30';

export interface RawRun {
	items: { id?: string; dossierId: string }[];
	ids: string[];
	totals: number[];
	pages: number;
}

/** Pages through a list with plain fetch, validating every raw page and item with valibot. */
export async function rawPages(
	baseUrl: string,
	token: string,
	structureId: string,
	list: ListName,
	query: Omit<ListQuery, 'cursor'>,
	formId?: string
): Promise<RawRun> {
	const run: RawRun = { items: [], ids: [], totals: [], pages: 0 };
	let cursor: string | null = null;
	do {
		const params = listSearchParams({ ...query, cursor });
		const res = await fetch(`${baseUrl}/${listPath(structureId, list, formId)}?${params}`, {
			headers: { Authorization: `Bearer ${token}` }
		});
		if (res.status !== 200) throw new Error(`HTTP ${res.status} on ${list}`);
		const page = v.parse(PageEnvelopeSchema, await res.json());
		for (const item of page.items) {
			const parsed = v.parse(LIST_ITEM_SCHEMAS[list], item) as { id?: string; dossierId: string };
			run.items.push(parsed);
			run.ids.push(list === 'dossiers' ? parsed.dossierId : (parsed.id ?? ''));
		}
		run.totals.push(page.total);
		run.pages++;
		if (page.nextCursor !== null && page.items.length === 0) throw new Error('empty page mid-list');
		cursor = page.nextCursor;
	} while (cursor !== null);
	return run;
}

const PARIS = new Intl.DateTimeFormat('en-CA', {
	timeZone: 'Europe/Paris',
	year: 'numeric',
	month: '2-digit',
	day: '2-digit'
});

/** Paris calendar day of an ISO instant (en-CA formats as YYYY-MM-DD). */
export function parisDayOf(iso: string): string {
	return PARIS.format(new Date(iso));
}

function dayNo(day: string): number {
	return Date.parse(`${day}T00:00:00Z`) / 86_400_000;
}

/**
 * Days spent in each status over [from, min(to, today)] (SPEC §4), written independently of
 * both the sandbox SQL and the module, to cross-check the sandbox's scope.
 */
export function statusDays(
	d: { createdAt: string; statusEvents: StatusEvent[] },
	from: string,
	to: string,
	today: string
): Map<StatusCode, number> {
	const end = Math.min(dayNo(to), dayNo(today)) + 1;
	const start = dayNo(from);
	const events = d.statusEvents
		.map((e, i) => ({ day: dayNo(parisDayOf(e.at)), ms: Date.parse(e.at), i, status: e.status }))
		.sort((a, b) => a.day - b.day || a.ms - b.ms || a.i - b.i);
	const intervals: { status: StatusCode; s: number }[] = [
		{ status: 'non_renseigne', s: dayNo(parisDayOf(d.createdAt)) },
		...events.map((e) => ({ status: e.status, s: e.day }))
	];
	const out = new Map<StatusCode, number>();
	intervals.forEach((iv, i) => {
		const e = intervals[i + 1]?.s ?? end;
		const n = Math.min(e, end) - Math.max(iv.s, start);
		if (n > 0) out.set(iv.status, (out.get(iv.status) ?? 0) + n);
	});
	return out;
}
