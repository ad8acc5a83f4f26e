/**
 * Paging is checked, not trusted (SPEC §8). An API that lies about its pages must end in a
 * clear message within a bounded number of requests: never a hang, never a silent result.
 * One guard follows one list from its first page to its last; the client feeds it every page.
 */
import { CompactIdSet } from './id-set';
import { ContractError, PAGE_LIMIT_MAX, type ListName } from '../contract/spico';

/** Empty pages that still carry a cursor, in a row, before the list is declared endless. */
export const MAX_EMPTY_PAGES_IN_A_ROW = 3;
/** Pages accepted once the rows read reach the announced total (the list may have grown). */
export const MAX_PAGES_PAST_TOTAL = 3;
/** Items of one list at most, whatever the API announces: far beyond any real structure. */
export const MAX_LIST_ITEMS = 50_000_000;
/** Bytes of one page body per item asked for, within the bounds below. */
const BYTES_PER_ITEM = 32 * 1024;
const MIN_PAGE_BYTES = 8 * 1024 * 1024;
const MAX_PAGE_BYTES = 256 * 1024 * 1024;
/** Bytes of any other response (`/me`, the catalogue). */
export const MAX_OTHER_BYTES = 32 * 1024 * 1024;

/** The largest page body accepted for `limit` items: read no further, parse nothing bigger. */
export function maxPageBytes(limit: number = PAGE_LIMIT_MAX): number {
	return Math.min(MAX_PAGE_BYTES, Math.max(MIN_PAGE_BYTES, limit * BYTES_PER_ITEM));
}

/** The key that must be unique within each list: a dossier once, any other item once. */
export function itemKeyOf(list: ListName, item: unknown): string {
	const record = item as { id?: unknown; dossierId?: unknown };
	return String(list === 'dossiers' ? record.dossierId : record.id);
}

const count = (n: number) => new Intl.NumberFormat('fr-FR').format(n);

export class PagingGuard {
	readonly #endpoint: string;
	readonly #list: ListName;
	readonly #seenCursors = new Set<string>();
	readonly #seenIds = new CompactIdSet();
	#read = 0;
	#emptyInARow = 0;
	#pastTotal = 0;

	constructor(endpoint: string, list: ListName) {
		this.#endpoint = endpoint;
		this.#list = list;
	}

	#fail(field: string, reason: string, dossierId: string | null = null): never {
		throw new ContractError(this.#endpoint, field, dossierId, reason);
	}

	/** Checks one page (already validated item by item); throws a ContractError when it lies. */
	accept(page: { items: readonly unknown[]; nextCursor: string | null; total: number }): void {
		page.items.forEach((item, i) => {
			const key = itemKeyOf(this.#list, item);
			if (!this.#seenIds.add(key)) {
				const field = this.#list === 'dossiers' ? 'dossierId' : 'id';
				const dossierId = (item as { dossierId?: string }).dossierId ?? null;
				this.#fail(
					`items[${i}].${field}`,
					`identifiant « ${key} » déjà reçu dans cette liste`,
					dossierId
				);
			}
		});
		this.#read += page.items.length;
		if (this.#read > MAX_LIST_ITEMS) {
			this.#fail('items', `plus de ${count(MAX_LIST_ITEMS)} éléments : liste refusée`);
		}
		const cursor = page.nextCursor;
		if (cursor === null) return;
		if (this.#seenCursors.has(cursor)) {
			this.#fail('nextCursor', 'curseur déjà servi (pagination en boucle)');
		}
		this.#seenCursors.add(cursor);
		this.#emptyInARow = page.items.length === 0 ? this.#emptyInARow + 1 : 0;
		if (this.#emptyInARow > MAX_EMPTY_PAGES_IN_A_ROW) {
			this.#fail(
				'nextCursor',
				`${this.#emptyInARow} pages vides de suite annoncent encore une page suivante (pagination sans fin)`
			);
		}
		if (this.#read >= page.total) {
			this.#pastTotal++;
			if (this.#pastTotal > MAX_PAGES_PAST_TOTAL) {
				this.#fail(
					'nextCursor',
					`${count(this.#read)} éléments lus pour ${count(page.total)} annoncés, et la pagination continue (pagination sans fin)`
				);
			}
		}
	}
}
