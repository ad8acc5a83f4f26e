/** Bulk pages (SPEC §8): a list's path and query, the page envelope and its validation. */
import * as v from 'valibot';
import { LIST_ITEM_SCHEMAS, type ListItem, type ListName } from './list-items.ts';
import { ContractError, issuePath, parseOrThrow, reasonOf } from './problems.ts';
import type { StatusCode } from './scalars.ts';

/** Path of a list under the API base URL; `responses` needs the form. */
export function listPath(structureId: string, list: ListName, formId?: string): string {
	const base = `structures/${encodeURIComponent(structureId)}`;
	if (list === 'responses') {
		if (formId === undefined) throw new Error('formId requis pour les réponses de formulaire');
		return `${base}/forms/${encodeURIComponent(formId)}/responses`;
	}
	return `${base}/${list}`;
}

/** The envelope of every bulk page; items are validated one by one (see `parsePage`). */
export const PageEnvelopeSchema = v.object({
	items: v.array(v.unknown()),
	nextCursor: v.nullable(v.string()),
	total: v.pipe(v.number(), v.integer(), v.minValue(0))
});

export interface Page<T> {
	items: T[];
	nextCursor: string | null;
	total: number;
}

export const PAGE_LIMIT_MAX = 5000;

/** Filters shared by every bulk list (SPEC §3, §8). */
export interface ListQuery {
	from: string;
	to: string;
	archived: boolean;
	statuses: readonly StatusCode[];
	cursor?: string | null;
	limit?: number;
}

/** Query string of a list request, in the contract's spelling (`status` repeated). */
export function listSearchParams(q: ListQuery): URLSearchParams {
	const p = new URLSearchParams();
	p.set('from', q.from);
	p.set('to', q.to);
	p.set('archived', q.archived ? 'true' : 'false');
	for (const s of q.statuses) p.append('status', s);
	if (q.cursor) p.set('cursor', q.cursor);
	if (q.limit !== undefined) p.set('limit', String(q.limit));
	return p;
}

function dossierIdOf(item: unknown): string | null {
	if (item && typeof item === 'object' && 'dossierId' in item) {
		const id = (item as { dossierId: unknown }).dossierId;
		if (typeof id === 'string' || typeof id === 'number') return String(id);
	}
	return null;
}

/**
 * Validates one bulk page; a bad item fails the whole page, naming its dossier and field. A
 * page of more than `limit` items (the limit asked for) is refused before any item is read.
 */
export function parsePage<L extends ListName>(
	list: L,
	data: unknown,
	endpoint: string,
	limit: number = PAGE_LIMIT_MAX
): Page<ListItem<L>> {
	const envelope = parseOrThrow(PageEnvelopeSchema, data, endpoint);
	if (envelope.items.length > limit) {
		throw new ContractError(
			endpoint,
			'items',
			null,
			`${envelope.items.length} éléments pour une limite de ${limit} par page`
		);
	}
	const schema = LIST_ITEM_SCHEMAS[list] as v.GenericSchema<unknown, ListItem<L>>;
	const items = envelope.items.map((item, i) => {
		const r = v.safeParse(schema, item);
		if (r.success) return r.output;
		const issue = r.issues[0];
		throw new ContractError(
			endpoint,
			`items[${i}].${issuePath(issue)}`,
			dossierIdOf(item),
			reasonOf(issue)
		);
	});
	return { items, nextCursor: envelope.nextCursor, total: envelope.total };
}
