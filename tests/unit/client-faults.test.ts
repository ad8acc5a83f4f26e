/**
 * The client under faults, with an injected fetch: transient failures retried and reported,
 * Retry-After honoured and capped, 401 → a fresh token and one replay, 403 and 422 final with
 * a message that says why, a cursor replayed as it was, and contract breaks named precisely.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/lib/api/http';
import {
	createSpicoClient,
	type RetryNotice,
	type SpicoClientOptions,
	type TokenRequest
} from '../../src/lib/api/client';
import {
	ContractError,
	STATUS_CODES,
	type ExtractionEvent,
	type ListQuery
} from '../../src/lib/contract/spico';
import { appointment, dossier } from '../helpers/items';

const BASE = 'http://api.test/api/v1';
const SID = 'str-1';
const QUERY: ListQuery = {
	from: '2023-01-01',
	to: '2023-12-31',
	archived: false,
	statuses: STATUS_CODES,
	limit: 2
};

type Answer = Response | Error | (() => Response);

/** A fetch that serves the answers in order and records every request it got. */
function scripted(...answers: Answer[]) {
	const requests: Request[] = [];
	const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
		const request = input instanceof Request ? input : new Request(input, init);
		requests.push(request);
		// A real fetch sends the body; ky waits for it to be read before it settles.
		if (request.body) await request.clone().arrayBuffer();
		const answer = answers.shift();
		if (answer === undefined) throw new Error(`requête de trop : ${request.url}`);
		if (answer instanceof Error) throw answer;
		return typeof answer === 'function' ? answer() : answer;
	}) as typeof globalThis.fetch;
	return { fetch, requests };
}

const problem = (status: number, extra: Record<string, unknown> = {}, headers = {}) =>
	new Response(JSON.stringify({ status, title: 'x', detail: `détail ${status}`, ...extra }), {
		status,
		headers: { 'Content-Type': 'application/problem+json', ...headers }
	});

const ME = { user: { id: 'u1', name: 'Alice' }, account: { type: 'personal' } };
const ok = (body: unknown = ME) => Response.json(body);

/** Headers, then the connection drops in the middle of the body. */
function cutOff(): Response {
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(new TextEncoder().encode('{"user":{"id":'));
			controller.error(new TypeError('terminated'));
		}
	});
	return new Response(stream, { status: 200, headers: { 'Content-Type': 'application/json' } });
}

function setup(fetch: typeof globalThis.fetch, options: Partial<SpicoClientOptions> = {}) {
	const waits: number[] = [];
	const notices: RetryNotice[] = [];
	const tokens: (TokenRequest | undefined)[] = [];
	const client = createSpicoClient({
		baseUrl: BASE,
		fetch,
		getToken: (request) => {
			tokens.push(request);
			return request?.refresh ? 'fresh-token' : 'first-token';
		},
		retryPolicy: { random: () => 0.5 },
		sleep: async (ms) => {
			waits.push(ms);
		},
		onRetry: (n) => notices.push(n),
		...options
	});
	return { client, waits, notices, tokens };
}

const page = (ids: string[], nextCursor: string | null, total = 4) =>
	Response.json({ items: ids.map((id) => appointment(id)), nextCursor, total });

describe('transient failures', () => {
	it('retries 503, 502, 504, 500 and 408 with backoff, reporting each wait', async () => {
		const { fetch, requests } = scripted(
			problem(503),
			problem(502),
			problem(504),
			problem(500),
			ok()
		);
		const { client, waits, notices } = setup(fetch);
		await expect(client.me()).resolves.toEqual(ME);
		expect(requests).toHaveLength(5);
		// random 0.5 → three quarters of each ceiling (500, 1000, 2000, 4000 ms).
		expect(waits).toEqual([375, 750, 1500, 3000]);
		expect(notices).toEqual([
			{ attempt: 1, delaySeconds: 1, reason: 'service indisponible (erreur 503)' },
			{ attempt: 2, delaySeconds: 1, reason: 'service indisponible (erreur 502)' },
			{ attempt: 3, delaySeconds: 2, reason: 'service indisponible (erreur 504)' },
			{ attempt: 4, delaySeconds: 3, reason: 'erreur 500' }
		]);
		const again = scripted(problem(408), ok());
		await expect(setup(again.fetch).client.me()).resolves.toEqual(ME);
		expect(again.requests).toHaveLength(2);
	});

	it('retries a refused connection and a body cut off mid-way', async () => {
		const { fetch, requests } = scripted(new TypeError('Failed to fetch'), cutOff, ok());
		const { client, notices } = setup(fetch);
		await expect(client.me()).resolves.toEqual(ME);
		expect(requests).toHaveLength(3);
		expect(notices.map((n) => n.reason)).toEqual(['connexion interrompue', 'réponse interrompue']);
	});

	it('honours Retry-After on 429 and 503, capped at a minute', async () => {
		const { fetch } = scripted(
			problem(429, {}, { 'Retry-After': '7' }),
			problem(503, {}, { 'Retry-After': '3600' }),
			ok()
		);
		const { client, waits, notices } = setup(fetch);
		await client.me();
		// 7 s + 10 % (random 0.5 of the 20 % jitter); 3600 s shortened to the 60 s cap.
		expect(waits).toEqual([7700, 60_000]);
		expect(notices.map((n) => n.delaySeconds)).toEqual([8, 60]);
		expect(notices[0]?.reason).toBe('trop de requêtes (erreur 429)');
	});

	it('gives up after the last retry with the cause and the number of attempts, in French', async () => {
		const { fetch, requests } = scripted(...Array.from({ length: 5 }, () => problem(503)));
		const { client } = setup(fetch);
		const error = await client.me().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ApiError);
		expect(error).toMatchObject({ kind: 'unavailable', status: 503, attempts: 5 });
		expect((error as Error).message).toBe(
			'Le service SPICO est momentanément indisponible (erreur 503). Échec après 5 tentatives.'
		);
		expect(requests).toHaveLength(5);
	});

	it('stops waiting as soon as the request is aborted', async () => {
		const { fetch, requests } = scripted(problem(503), ok());
		const controller = new AbortController();
		const client = createSpicoClient({
			baseUrl: BASE,
			fetch,
			getToken: () => 't',
			onRetry: () => controller.abort()
		});
		const t0 = performance.now();
		await expect(client.me(controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
		// The real backoff would have waited 250–500 ms.
		expect(performance.now() - t0).toBeLessThan(200);
		expect(requests).toHaveLength(1);
	});

	it('replays a POST refused with 503 but never one whose connection was lost', async () => {
		const event: ExtractionEvent = {
			userId: 'u1',
			filters: {
				from: '2023-01-01',
				to: '2023-12-31',
				archived: false,
				statuses: ['sortie'],
				files: ['RDV'],
				forms: []
			},
			files: [{ name: 'RDV', rows: 3 }],
			outcome: 'done',
			startedAt: '2023-12-31T10:00:00Z',
			endedAt: '2023-12-31T10:01:00Z'
		};
		const refused = scripted(problem(503), new Response(null, { status: 201 }));
		await setup(refused.fetch).client.recordExtraction(SID, event);
		expect(refused.requests).toHaveLength(2);
		const lost = scripted(new TypeError('Failed to fetch'), new Response(null, { status: 201 }));
		await expect(setup(lost.fetch).client.recordExtraction(SID, event)).rejects.toMatchObject({
			kind: 'network'
		});
		expect(lost.requests).toHaveLength(1);
	});
});

describe('final failures', () => {
	it('401: asks for a fresh token and replays once with it', async () => {
		const { fetch, requests } = scripted(problem(401), ok(), ok());
		const { client, tokens, notices } = setup(fetch);
		await expect(client.me()).resolves.toEqual(ME);
		expect(requests.map((r) => r.headers.get('Authorization'))).toEqual([
			'Bearer first-token',
			'Bearer fresh-token'
		]);
		expect(tokens).toEqual([undefined, { refresh: true }]);
		expect(notices).toEqual([]);
		// The next request asks for the token as usual.
		await client.me();
		expect(tokens.at(-1)).toBeUndefined();
	});

	it('401 twice: the session has expired, nothing more is tried', async () => {
		const { fetch, requests } = scripted(problem(401), problem(401), ok());
		const { client, tokens } = setup(fetch);
		await expect(client.me()).rejects.toMatchObject({
			kind: 'unauthorized',
			message: 'Session expirée — reconnectez-vous puis relancez.'
		});
		expect(requests).toHaveLength(2);
		expect(tokens).toEqual([undefined, { refresh: true }]);
	});

	it('403: not retried; the message says what is not allowed', async () => {
		const { fetch, requests } = scripted(problem(403), ok());
		const { client, waits } = setup(fetch);
		const error = (await client.me().catch((e: unknown) => e)) as ApiError;
		expect(error).toMatchObject({ kind: 'forbidden', status: 403 });
		expect(error.message).toMatch(/^Votre compte n'a pas le droit d'extraire les données/);
		expect(requests).toHaveLength(1);
		expect(waits).toEqual([]);
	});

	it("422: not retried; the message names the invalid filter, never the API's reasons", async () => {
		const { fetch, requests } = scripted(
			problem(422, {
				invalidParams: [
					{ name: 'from', reason: 'date de début invalide' },
					{ name: 'status', reason: 'statut inconnu' },
					{ name: 'x'.repeat(2000), reason: 'pas un de nos paramètres' }
				]
			}),
			problem(422, { 'invalid-params': [{ name: 'to' }] }),
			problem(422)
		);
		const { client } = setup(fetch);
		await expect(client.page(SID, 'appointments', QUERY)).rejects.toMatchObject({
			kind: 'invalid-filters',
			message: "Filtre refusé par l'API SPICO : « from », « status » (erreur 422)."
		});
		await expect(client.page(SID, 'appointments', QUERY)).rejects.toMatchObject({
			message: "Filtre refusé par l'API SPICO : « to » (erreur 422)."
		});
		await expect(client.page(SID, 'appointments', QUERY)).rejects.toMatchObject({
			message: "Les filtres de l'extraction ont été refusés par l'API SPICO (erreur 422)."
		});
		expect(requests).toHaveLength(3);
	});

	it('an unexpected status is reported with its number, not retried', async () => {
		const { fetch, requests } = scripted(problem(418));
		await expect(setup(fetch).client.me()).rejects.toMatchObject({
			kind: 'http',
			message: "L'API SPICO a répondu par une erreur 418."
		});
		expect(requests).toHaveLength(1);
	});

	it.each([403, 404, 418, 422, 500])(
		"%i: the API's free text (a 2 KB detail, its title) is in no message",
		async (status) => {
			const detail = 'Texte libre de l’API. '.repeat(100);
			const { fetch } = scripted(problem(status, { detail, title: detail }));
			const error = (await setup(fetch, { retries: 0 })
				.client.me()
				.catch((e: unknown) => e)) as ApiError;
			expect(error).toBeInstanceOf(ApiError);
			expect(error.message).not.toContain('Texte libre');
			expect(error.message.length).toBeLessThan(300);
		}
	);
});

describe('paging through faults', () => {
	it('replays the failed page with its own cursor: no page skipped, none twice', async () => {
		const { fetch, requests } = scripted(
			page(['a', 'b'], 'c1'),
			problem(503),
			cutOff,
			page(['c', 'd'], null)
		);
		const { client, notices } = setup(fetch);
		const ids: string[] = [];
		const perRequest: RetryNotice[] = [];
		for await (const p of client.pages(SID, 'appointments', QUERY, {
			onRetry: (n) => perRequest.push(n)
		})) {
			ids.push(...p.items.map((i) => i.id));
		}
		expect(ids).toEqual(['a', 'b', 'c', 'd']);
		const cursors = requests.map((r) => new URL(r.url).searchParams.get('cursor'));
		expect(cursors).toEqual([null, 'c1', 'c1', 'c1']);
		expect(perRequest).toEqual(notices);
		expect(perRequest).toHaveLength(2);
	});
});

describe('responses that break the contract', () => {
	async function failure(item: Record<string, unknown>) {
		const { fetch } = scripted(
			Response.json({ items: [appointment('a'), item], nextCursor: null, total: 2 })
		);
		const error = await setup(fetch)
			.client.page(SID, 'appointments', QUERY)
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ContractError);
		return error as ContractError;
	}

	const ENDPOINT = `GET /structures/${SID}/appointments`;

	it.each([
		[
			'wrong type',
			appointment('x', { patient: { nom: 42, prenom: 'Léa', dateNaissance: null } }),
			'items[1].patient.nom',
			'texte attendu, reçu un nombre'
		],
		['missing field', { ...appointment('x'), statut: undefined }, 'items[1].statut', undefined],
		[
			'invalid date',
			appointment('x', { start: '2023-02-30T10:00:00Z' }),
			'items[1].start',
			'date-heure ISO 8601 avec décalage attendue'
		],
		[
			'unknown status code',
			appointment('x', { statut: 'reporte' }),
			'items[1].statut',
			'code inconnu (attendu : prevu, honore, annule, non_honore)'
		]
	])('%s: endpoint, dossier and field named', async (_, item, field, reason) => {
		const error = await failure(item);
		expect(error.endpoint).toBe(ENDPOINT);
		expect(error.dossierId).toBe('D-x');
		expect(error.field).toBe(field);
		if (reason) expect(error.reason).toBe(reason);
		expect(error.message).toContain(`(${ENDPOINT}), dossier D-x, champ « ${field} »`);
	});

	it('a key left out entirely is « champ manquant »', async () => {
		const { statut: _statut, ...item } = appointment('x');
		const error = await failure(item);
		expect(error.field).toBe('items[1].statut');
		expect(error.reason).toBe('champ manquant');
	});

	it('an unknown dossier status code is named too', async () => {
		const item = dossier('D-9', {
			createdAt: '2022-01-01T10:00:00Z',
			// A code the contract does not know, which the type cannot hold either.
			statusEvents: [{ at: '2022-02-01T10:00:00Z', status: 'suspendu' as never }]
		});
		const { fetch } = scripted(Response.json({ items: [item], nextCursor: null, total: 1 }));
		await expect(setup(fetch).client.page(SID, 'dossiers', QUERY)).rejects.toMatchObject({
			name: 'ContractError',
			dossierId: 'D-9',
			field: 'items[0].statusEvents.0.status'
		});
	});

	it('never quotes the received value: it may be patient data', async () => {
		const error = await failure(
			appointment('x', { patient: { nom: ['Dupont-Secret'], prenom: 'Léa', dateNaissance: null } })
		);
		expect(error.message).not.toContain('Dupont-Secret');
		const coded = await failure(appointment('x', { statut: 'Dupont-Secret' }));
		expect(coded.message).not.toContain('Dupont-Secret');
	});

	it('ignores unknown extra fields', async () => {
		const { fetch } = scripted(
			Response.json({
				items: [appointment('a', { salle: 'B12', extra: { x: 1 } })],
				nextCursor: null,
				total: 1,
				generatedAt: 'now'
			})
		);
		const p = await setup(fetch).client.page(SID, 'appointments', QUERY);
		expect(p.items.map((i) => i.id)).toEqual(['a']);
		expect(p.items[0]).not.toHaveProperty('salle');
	});

	it('a body that is not JSON, or a page without items, is a contract break', async () => {
		const { fetch } = scripted(
			new Response('<html>proxy</html>', { status: 200 }),
			Response.json({ nextCursor: null, total: 0 })
		);
		const { client } = setup(fetch);
		await expect(client.page(SID, 'appointments', QUERY)).rejects.toMatchObject({
			name: 'ContractError',
			field: '(corps)'
		});
		await expect(client.page(SID, 'appointments', QUERY)).rejects.toMatchObject({
			name: 'ContractError',
			field: 'items',
			reason: 'champ manquant'
		});
	});
});
