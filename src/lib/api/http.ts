/**
 * Reading one HTTP answer of the SPICO API: redirects refused, bodies read no further than a cap,
 * failures turned into an ApiError whose French message is the module's own.
 */
import { HTTPError, TimeoutError } from 'ky';
import * as v from 'valibot';
import { ContractError, ProblemSchema, type Problem } from '../contract/spico';

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
export function isRedirect(response: Response): boolean {
	return response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);
}

export function redirectError(endpoint: string, response: Response): ApiError {
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

export async function toApiError(error: unknown): Promise<unknown> {
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
export function retryReason(error: ApiError): string {
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
export function exhausted(error: ApiError, attempts: number): ApiError {
	return new ApiError(
		error.kind,
		`${error.message} Échec après ${attempts} tentatives.`,
		error.status,
		error.problem,
		error.retryAfterSeconds,
		attempts
	);
}

/** The whole body, within `maxBytes`; a bigger one is a ContractError, a cut one a network error. */
export async function readBody(
	response: Response,
	endpoint: string,
	maxBytes: number
): Promise<string> {
	try {
		const text = await readCapped(response, maxBytes);
		if (text === null) {
			throw new ContractError(
				endpoint,
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
