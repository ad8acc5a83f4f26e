/**
 * The one client of the SPICO API. Every response is validated against the contract before
 * anything else sees it; every failure becomes an ApiError or a ContractError with a French
 * message. It has no DOM dependency: it runs on the page, in workers and in Node tests.
 */
import ky, { HTTPError, TimeoutError, type KyInstance } from 'ky';
import * as v from 'valibot';
import { maxPageBytes, MAX_OTHER_BYTES, PagingGuard } from './paging-guard';
import { nextRetryDelayMs, retryPolicy, sleep, type RetryPolicy } from './retry';
import {
	ContractError,
	PAGE_LIMIT_MAX,
	ExtractionEventSchema,
	MeSchema,
	ProblemSchema,
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
	type Problem,
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

export type ApiErrorKind =
	| 'unauthorized'
	| 'forbidden'
	| 'invalid-filters'
	| 'rate-limited'
	| 'unavailable'
	| 'not-found'
	| 'redirect'
	| 'network'
	| 'timeout'
	| 'http';

/** An HTTP or network failure, with a message fit for the user. */
export class ApiError extends Error {
	override readonly name = 'ApiError';
	constructor(
		readonly kind: ApiErrorKind,
		message: string,
		readonly status: number | null = null,
		readonly problem: Problem | null = null,
		readonly retryAfterSeconds: number | null = null,
		/** Attempts made before giving up (1 when the failure was final at once). */
		readonly attempts = 1
	) {
		super(message);
	}
}

/** Seconds to wait from a Retry-After header (delta-seconds or HTTP date); null if absent. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
	if (value === null || value.trim() === '') return null;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds);
	const at = Date.parse(value);
	return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Filters the module sends: a 422 may name them; anything else the API says is its own text. */
const QUERY_PARAMS: ReadonlySet<string> = new Set([
	'from',
	'to',
	'archived',
	'status',
	'cursor',
	'limit'
]);

/** « « from », « status » » from RFC 9457 `invalid-params`, our parameter names only. */
function invalidParamsText(problem: Problem | null): string | null {
	const params = problem?.invalidParams ?? problem?.['invalid-params'] ?? [];
	const names = [...new Set(params.map((p) => p.name).filter((n) => QUERY_PARAMS.has(n)))];
	return names.length === 0 ? null : names.map((n) => `« ${n} »`).join(', ');
}

/**
 * The module's own words only: the API's free text (`detail`, `title`, the reasons of a 422)
 * may be long, or say anything, and the message goes into the task and the audit trail.
 */
function messageFor(status: number, problem: Problem | null): [ApiErrorKind, string] {
	switch (status) {
		case 401:
			return ['unauthorized', 'Session expirée — reconnectez-vous puis relancez.'];
		case 403:
			return [
				'forbidden',
				"Votre compte n'a pas le droit d'extraire les données de cette structure (erreur 403)."
			];
		case 404:
			return ['not-found', "Ressource introuvable sur l'API SPICO (erreur 404)."];
		case 422: {
			const params = invalidParamsText(problem);
			return [
				'invalid-filters',
				params
					? `Filtre refusé par l'API SPICO : ${params} (erreur 422).`
					: "Les filtres de l'extraction ont été refusés par l'API SPICO (erreur 422)."
			];
		}
		case 429:
			return ['rate-limited', "L'API SPICO limite le nombre de requêtes : réessayez plus tard."];
		case 502:
		case 503:
		case 504:
			return ['unavailable', `Le service SPICO est momentanément indisponible (erreur ${status}).`];
		case 408:
			return ['timeout', `L'API SPICO n'a pas reçu la requête à temps (erreur 408).`];
		default:
			return ['http', `L'API SPICO a répondu par une erreur ${status}.`];
	}
}

/**
 * A redirect is never followed (SPEC §8): fetch runs with `redirect: 'manual'`, which gives a
 * browser an opaque response (status 0) and Node the 3xx itself.
 */
function isRedirect(response: Response): boolean {
	return response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);
}

function redirectError(endpoint: string, response: Response): ApiError {
	const code = response.status ? ` ${response.status}` : '';
	return new ApiError(
		'redirect',
		`L'API SPICO a répondu à ${endpoint} par une redirection${code} : refusée, aucune donnée n'est lue à une autre adresse.`,
		response.status
	);
}

/**
 * The body as text, read no further than `maxBytes`: a page of a million items is refused
 * before it fills the memory, not after. Null when it is too big.
 */
async function readCapped(response: Response, maxBytes: number): Promise<string | null> {
	const declared = Number(response.headers.get('Content-Length') ?? NaN);
	if (declared > maxBytes) {
		await response.body?.cancel().catch(() => {});
		return null;
	}
	if (!response.body) return '';
	const reader = response.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > maxBytes) {
			await reader.cancel().catch(() => {});
			return null;
		}
		chunks.push(value);
	}
	if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
	const bytes = new Uint8Array(size);
	let at = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, at);
		at += chunk.byteLength;
	}
	return new TextDecoder().decode(bytes);
}

const megabytes = (bytes: number) => Math.round(bytes / (1024 * 1024));

function isAbort(error: unknown): boolean {
	return error instanceof DOMException && error.name === 'AbortError';
}

async function toApiError(error: unknown): Promise<unknown> {
	if (error instanceof HTTPError) {
		const { response } = error;
		let problem: Problem | null = null;
		try {
			const parsed = v.safeParse(ProblemSchema, await response.clone().json());
			if (parsed.success) problem = parsed.output;
		} catch {
			// Not problem+json: the status alone says enough.
		}
		const [kind, message] = messageFor(response.status, problem);
		return new ApiError(
			kind,
			message,
			response.status,
			problem,
			parseRetryAfter(response.headers.get('Retry-After'))
		);
	}
	if (error instanceof TimeoutError) {
		return new ApiError('timeout', "L'API SPICO n'a pas répondu à temps.");
	}
	if (isAbort(error)) return error;
	if (error instanceof TypeError) {
		return new ApiError('network', 'Connexion à l’API SPICO impossible (réseau interrompu ?).');
	}
	return error;
}

const CUT_OFF = 'La connexion à l’API SPICO a été coupée pendant la réception des données.';

/** Short French cause shown beside « nouvel essai dans N s ». */
function retryReason(error: ApiError): string {
	switch (error.kind) {
		case 'rate-limited':
			return `trop de requêtes (erreur ${error.status ?? 429})`;
		case 'unavailable':
			return `service indisponible (erreur ${error.status ?? 503})`;
		case 'timeout':
			return error.status ? `délai dépassé (erreur ${error.status})` : 'délai de réponse dépassé';
		case 'network':
			return error.message === CUT_OFF ? 'réponse interrompue' : 'connexion interrompue';
		default:
			return error.status ? `erreur ${error.status}` : 'erreur';
	}
}

/** The same failure, saying that it held through every attempt. */
function exhausted(error: ApiError, attempts: number): ApiError {
	return new ApiError(
		error.kind,
		`${error.message} Échec après ${attempts} tentatives.`,
		error.status,
		error.problem,
		error.retryAfterSeconds,
		attempts
	);
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
		const maxBytes = init.maxBytes ?? MAX_OTHER_BYTES;
		try {
			const text = await readCapped(response, maxBytes);
			if (text === null) {
				throw new ContractError(
					init.endpoint,
					'(corps)',
					null,
					`réponse de plus de ${megabytes(maxBytes)} Mo : refusée`
				);
			}
			return text;
		} catch (error) {
			if (error instanceof ContractError) throw error;
			if (isAbort(error)) throw error;
			// Headers came, then the connection dropped: as transient as a drop before them.
			throw new ApiError('network', CUT_OFF);
		}
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
