/**
 * The one client of the SPICO API. Every response is validated against the contract before
 * anything else sees it; every failure becomes an ApiError or a ContractError with a French
 * message. It has no DOM dependency: it runs on the page, in workers and in Node tests.
 */
import ky, { HTTPError, TimeoutError, type KyInstance } from 'ky';
import * as v from 'valibot';
import {
	ContractError,
	ExtractionEventSchema,
	MeSchema,
	ProblemSchema,
	ThematicsSchema,
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
	type Thematic
} from '../contract/spico';

export type TokenGetter = () => Promise<string | null | undefined> | string | null | undefined;

export interface SpicoClientOptions {
	/** Base URL of the API, e.g. `https://spico.example/api/v1`; relative URLs resolve against the page. */
	baseUrl: string;
	/** Called before each request, so a host can refresh its token. */
	getToken: TokenGetter;
	/** Injected by tests; defaults to the global fetch. */
	fetch?: typeof fetch;
	/** Retries of transient failures (GET only); 0 disables them. */
	retries?: number;
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
		readonly retryAfterSeconds: number | null = null
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

function messageFor(status: number, problem: Problem | null): [ApiErrorKind, string] {
	const detail = problem?.detail ? ` (${problem.detail})` : '';
	switch (status) {
		case 401:
			return ['unauthorized', 'Session expirée — reconnectez-vous puis relancez.'];
		case 403:
			return [
				'forbidden',
				`Votre compte n'a pas le droit d'extraire les données de cette structure${detail}.`
			];
		case 404:
			return ['not-found', `Ressource introuvable sur l'API SPICO${detail}.`];
		case 422:
			return ['invalid-filters', `Les filtres de l'extraction ont été refusés par l'API${detail}.`];
		case 429:
			return ['rate-limited', "L'API SPICO limite le nombre de requêtes : réessayez plus tard."];
		case 502:
		case 503:
		case 504:
			return ['unavailable', `Le service SPICO est momentanément indisponible (erreur ${status}).`];
		default:
			return ['http', `L'API SPICO a répondu par une erreur ${status}${detail}.`];
	}
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
	if (error instanceof DOMException && error.name === 'AbortError') return error;
	if (error instanceof TypeError) {
		return new ApiError('network', 'Connexion à l’API SPICO impossible (réseau interrompu ?).');
	}
	return error;
}

function resolveBaseUrl(baseUrl: string): string {
	const base = (globalThis as { location?: { href: string } }).location?.href;
	const url = base ? new URL(baseUrl, base) : new URL(baseUrl);
	return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

export interface PageRequest {
	formId?: string;
	signal?: AbortSignal;
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
}

export function createSpicoClient(options: SpicoClientOptions): SpicoClient {
	const baseUrl = resolveBaseUrl(options.baseUrl);
	const http: KyInstance = ky.create({
		prefixUrl: baseUrl,
		timeout: options.timeoutMs ?? 60_000,
		retry: {
			limit: options.retries ?? 3,
			methods: ['get'],
			statusCodes: [408, 429, 500, 502, 503, 504],
			afterStatusCodes: [429, 503],
			// Never wait longer than a minute for one retry, whatever the server asks.
			maxRetryAfter: 60_000,
			backoffLimit: 10_000
		},
		fetch: options.fetch,
		hooks: {
			beforeRequest: [
				async (request) => {
					const token = await options.getToken();
					if (token) request.headers.set('Authorization', `Bearer ${token}`);
					request.headers.set('Accept', 'application/json');
				}
			]
		}
	});

	const bodyRetries = options.retries ?? 3;

	async function getJson(
		path: string,
		init: { searchParams?: URLSearchParams; signal?: AbortSignal }
	) {
		const endpoint = `GET /${path}`;
		// ky retries failed requests, not a body cut off mid-way: that one is retried here, since
		// a connection dropped while reading is as transient as one dropped before the headers.
		for (let attempt = 0; ; attempt++) {
			let response: Response;
			try {
				response = await http.get(path, init);
			} catch (error) {
				throw await toApiError(error);
			}
			let text: string;
			try {
				text = await response.text();
			} catch (error) {
				if (error instanceof DOMException && error.name === 'AbortError') throw error;
				if (attempt < bodyRetries) continue;
				throw new ApiError(
					'network',
					'La connexion à l’API SPICO a été coupée pendant la réception des données.'
				);
			}
			try {
				return { endpoint, json: JSON.parse(text) as unknown };
			} catch {
				throw new ContractError(endpoint, '(corps)', null, 'JSON illisible');
			}
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
			return parseOrThrow(ThematicsSchema, json, endpoint).items;
		},
		async page(structureId, list, query, request = {}) {
			const path = listPath(structureId, list, request.formId);
			const { endpoint, json } = await getJson(path, {
				searchParams: listSearchParams(query),
				signal: request.signal
			});
			return parsePage(list, json, endpoint);
		},
		async *pages(structureId, list, query, request = {}) {
			let cursor: string | null = null;
			const seen = new Set<string>();
			do {
				const page: Page<ListItem<typeof list>> = await client.page(
					structureId,
					list,
					{ ...query, cursor },
					request
				);
				yield page;
				if (page.nextCursor !== null && seen.has(page.nextCursor)) {
					throw new ContractError(
						listPath(structureId, list, request.formId),
						'nextCursor',
						null,
						'curseur déjà servi (pagination en boucle)'
					);
				}
				cursor = page.nextCursor;
				if (cursor !== null) seen.add(cursor);
			} while (cursor !== null);
		},
		async recordExtraction(structureId, event, signal) {
			const body = parseOrThrow(ExtractionEventSchema, event, 'POST extraction-events');
			try {
				await http.post(`structures/${encodeURIComponent(structureId)}/extraction-events`, {
					json: body,
					signal,
					retry: { limit: 3, methods: ['post'], statusCodes: [408, 429, 500, 502, 503, 504] }
				});
			} catch (error) {
				throw await toApiError(error);
			}
		}
	};
	return client;
}
