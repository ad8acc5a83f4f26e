/**
 * The one client of the SPICO API. Every response is validated against the contract before
 * anything else sees it; every failure becomes an ApiError or a ContractError with a French
 * message. It has no DOM dependency: it runs on the page, in workers and in Node tests.
 */
import ky, { HTTPError, type KyInstance } from 'ky';
import {
	ApiError,
	exhausted,
	isRedirect,
	readBody,
	redirectError,
	retryReason,
	toApiError
} from './http';
import { maxPageBytes, MAX_OTHER_BYTES, PagingGuard } from './paging-guard';
import { nextRetryDelayMs, retryPolicy, sleep, type RetryPolicy } from './retry';
import {
	ContractError,
	PAGE_LIMIT_MAX,
	ExtractionEventSchema,
	MeSchema,
	StorageKeySchema,
	ThematicsSchema,
	checkCatalogueIds,
	listPath,
	listSearchParams,
	parseOrThrow,
	parsePage,
	type ExtractionEvent,
	type ListItem,
	type ListName,
	type ListQuery,
	type Me,
	type Page,
	type StorageKey,
	type Thematic
} from '../contract/spico';

/**
 * Gives the bearer token. Called before each request; after a 401 it is called once more with
 * `{ refresh: true }`, and the request replayed once with what it returns.
 */
export type TokenGetter = (
	request?: TokenRequest
) => Promise<string | null | undefined> | string | null | undefined;

export interface TokenRequest {
	/** The last token was refused (401): a new one is wanted. */
	refresh: boolean;
}

/** A transient failure about to be retried, for the user to see what is happening. */
export interface RetryNotice {
	/** 1 for the first retry. */
	attempt: number;
	/** Whole seconds until the next attempt (rounded up). */
	delaySeconds: number;
	/** Why, in French: « service indisponible (erreur 503) ». */
	reason: string;
}

export interface SpicoClientOptions {
	/** Base URL of the API, e.g. `https://spico.example/api/v1`; relative URLs resolve against the page. */
	baseUrl: string;
	getToken: TokenGetter;
	/** Injected by tests; defaults to the global fetch. */
	fetch?: typeof fetch;
	/** Retries of transient failures; 0 disables them (shorthand for `retryPolicy.retries`). */
	retries?: number;
	/** Backoff, jitter and Retry-After cap (src/lib/api/retry.ts); injected by tests. */
	retryPolicy?: Partial<RetryPolicy>;
	/** Told before each wait; a request can also bring its own (`PageRequest.onRetry`). */
	onRetry?: (notice: RetryNotice) => void;
	/** Injected by tests to skip real waits; must reject when the signal aborts. */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	/** Per-request timeout in milliseconds. */
	timeoutMs?: number;
}

function resolveBaseUrl(baseUrl: string): string {
	const base = (globalThis as { location?: { href: string } }).location?.href;
	const url = base ? new URL(baseUrl, base) : new URL(baseUrl);
	return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

export interface PageRequest {
	formId?: string;
	signal?: AbortSignal;
	/** Told before each wait of a retry of this request (after the client's own `onRetry`). */
	onRetry?: (notice: RetryNotice) => void;
}

export interface SpicoClient {
	readonly baseUrl: string;
	me(signal?: AbortSignal): Promise<Me>;
	thematics(structureId: string, signal?: AbortSignal): Promise<Thematic[]>;
	page<L extends ListName>(
		structureId: string,
		list: L,
		query: ListQuery,
		request?: PageRequest
	): Promise<Page<ListItem<L>>>;
	/** Every page of a list, following `nextCursor` until it is null. */
	pages<L extends ListName>(
		structureId: string,
		list: L,
		query: Omit<ListQuery, 'cursor'>,
		request?: PageRequest
	): AsyncGenerator<Page<ListItem<L>>>;
	recordExtraction(
		structureId: string,
		event: ExtractionEvent,
		signal?: AbortSignal
	): Promise<void>;
	/**
	 * The user's storage key for this structure (SPEC §8), or null when the platform does not
	 * offer one (404). Held in memory by the caller, never written anywhere.
	 */
	storageKey(structureId: string, signal?: AbortSignal): Promise<StorageKey | null>;
}

interface SendInit {
	method: 'get' | 'post';
	/** `GET /structures/…/appointments`: what messages name (no query: cursors stay out). */
	endpoint: string;
	/** Largest body read (default MAX_OTHER_BYTES). */
	maxBytes?: number;
	searchParams?: URLSearchParams;
	json?: unknown;
	signal?: AbortSignal;
	onRetry?: (notice: RetryNotice) => void;
}

export function createSpicoClient(options: SpicoClientOptions): SpicoClient {
	const baseUrl = resolveBaseUrl(options.baseUrl);
	const policy = retryPolicy({
		...options.retryPolicy,
		...(options.retries === undefined ? {} : { retries: options.retries })
	});
	const wait = options.sleep ?? sleep;
	// ky's own retry is off: the loop below retries, so that each wait can be reported.
	const http: KyInstance = ky.create({
		prefixUrl: baseUrl,
		timeout: options.timeoutMs ?? 60_000,
		retry: 0,
		fetch: options.fetch,
		// No page of patient data may rest in the HTTP cache, whatever the API sends (SPEC §8).
		cache: 'no-store',
		// A redirect is an error, never followed (below): the data comes from the API or nowhere.
		redirect: 'manual'
	});

	/** One attempt: a fresh token, the request, the whole body read. */
	async function attempt(path: string, init: SendInit, refresh: boolean): Promise<string> {
		const token = await options.getToken(refresh ? { refresh: true } : undefined);
		const headers: Record<string, string> = { Accept: 'application/json' };
		if (token) headers['Authorization'] = `Bearer ${token}`;
		let response: Response;
		try {
			response = await http(path, {
				method: init.method,
				headers,
				searchParams: init.searchParams,
				json: init.json,
				signal: init.signal
			});
		} catch (error) {
			if (error instanceof HTTPError && isRedirect(error.response)) {
				throw redirectError(init.endpoint, error.response);
			}
			throw await toApiError(error);
		}
		if (isRedirect(response)) throw redirectError(init.endpoint, response);
		return readBody(response, init.endpoint, init.maxBytes ?? MAX_OTHER_BYTES);
	}

	/**
	 * The request, replayed after transient failures (retry.ts) and once with a refreshed token
	 * after a 401. The replay sends the same URL, cursor included: a page is never skipped or
	 * fetched twice into the result.
	 */
	async function send(path: string, init: SendInit): Promise<string> {
		const idempotent = init.method === 'get';
		let refreshed = false;
		let refreshNow = false;
		let retries = 0;
		for (;;) {
			try {
				return await attempt(path, init, refreshNow);
			} catch (error) {
				if (!(error instanceof ApiError)) throw error;
				refreshNow = false;
				if (error.kind === 'unauthorized') {
					if (refreshed) throw error;
					refreshed = refreshNow = true;
					continue;
				}
				const delay = nextRetryDelayMs(error, retries, policy, idempotent);
				if (delay === null) throw retries > 0 ? exhausted(error, retries + 1) : error;
				retries++;
				const notice: RetryNotice = {
					attempt: retries,
					delaySeconds: Math.ceil(delay / 1000),
					reason: retryReason(error)
				};
				options.onRetry?.(notice);
				init.onRetry?.(notice);
				await wait(delay, init.signal);
			}
		}
	}

	async function getJson(path: string, init: Omit<SendInit, 'method' | 'endpoint'>) {
		const endpoint = `GET /${path}`;
		const text = await send(path, { ...init, endpoint, method: 'get' });
		try {
			return { endpoint, json: JSON.parse(text) as unknown };
		} catch {
			throw new ContractError(endpoint, '(corps)', null, 'JSON illisible');
		}
	}

	const client: SpicoClient = {
		baseUrl,
		async me(signal) {
			const { endpoint, json } = await getJson('me', { signal });
			return parseOrThrow(MeSchema, json, endpoint);
		},
		async thematics(structureId, signal) {
			const path = `structures/${encodeURIComponent(structureId)}/thematics`;
			const { endpoint, json } = await getJson(path, { signal });
			const { items } = parseOrThrow(ThematicsSchema, json, endpoint);
			checkCatalogueIds(items, endpoint);
			return items;
		},
		async page(structureId, list, query, request = {}) {
			const path = listPath(structureId, list, request.formId);
			const limit = query.limit ?? PAGE_LIMIT_MAX;
			const { endpoint, json } = await getJson(path, {
				searchParams: listSearchParams(query),
				signal: request.signal,
				onRetry: request.onRetry,
				maxBytes: maxPageBytes(limit)
			});
			return parsePage(list, json, endpoint, limit);
		},
		async *pages(structureId, list, query, request = {}) {
			const guard = new PagingGuard(`GET /${listPath(structureId, list, request.formId)}`, list);
			let cursor: string | null = null;
			do {
				const page: Page<ListItem<typeof list>> = await client.page(
					structureId,
					list,
					{ ...query, cursor },
					request
				);
				guard.accept(page);
				yield page;
				cursor = page.nextCursor;
			} while (cursor !== null);
		},
		async storageKey(structureId, signal) {
			const path = `structures/${encodeURIComponent(structureId)}/storage-key`;
			let found: Awaited<ReturnType<typeof getJson>>;
			try {
				found = await getJson(path, { signal });
			} catch (error) {
				if (error instanceof ApiError && error.kind === 'not-found') return null;
				throw error;
			}
			return parseOrThrow(StorageKeySchema, found.json, found.endpoint);
		},
		async recordExtraction(structureId, event, signal) {
			const body = parseOrThrow(ExtractionEventSchema, event, 'POST extraction-events');
			const path = `structures/${encodeURIComponent(structureId)}/extraction-events`;
			await send(path, { method: 'post', endpoint: `POST /${path}`, json: body, signal });
		}
	};
	return client;
}
