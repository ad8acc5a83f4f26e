/**
 * The client against an API that lies (SPEC §8 "paging is checked, not trusted"): each hostile
 * answer ends in bounded requests with a message naming the endpoint, never a hang or a
 * silent result. A small node:http server plays the API where real fetch behaviour matters
 * (redirects, bodies cut short), an injected fetch elsewhere.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../src/lib/api/http';
import { createSpicoClient } from '../../src/lib/api/client';
import {
	MAX_EMPTY_PAGES_IN_A_ROW,
	MAX_PAGES_PAST_TOTAL,
	maxPageBytes
} from '../../src/lib/api/paging-guard';
import { ContractError, STATUS_CODES, type ListQuery } from '../../src/lib/contract/spico';
import { appointment, dossier } from '../helpers/items';
import { launchInstant } from '../../src/lib/core/calendar';
import { planExtraction, type ExtractionContext } from '../../src/lib/core/extraction/plan';
import { runWorkbookJob } from '../../src/lib/core/extraction/run-job';
import { everythingRequest } from '../../harness/form-driver';
import { readBack } from './xlsx-helpers';

const SID = 'str-1';
const ENDPOINT = `GET /structures/${SID}/appointments`;
const QUERY = (limit: number): ListQuery => ({
	from: '2023-01-01',
	to: '2023-12-31',
	archived: false,
	statuses: STATUS_CODES,
	limit
});

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;
const servers: Server[] = [];

async function serve(handler: Handler): Promise<{ origin: string; requests: () => number }> {
	let n = 0;
	const server = createServer((req, res) => {
		n++;
		handler(req, res, new URL(req.url ?? '/', 'http://x'));
	});
	servers.push(server);
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const { port } = server.address() as AddressInfo;
	return { origin: `http://127.0.0.1:${port}`, requests: () => n };
}

afterEach(async () => {
	for (const s of servers.splice(0)) {
		s.closeAllConnections();
		await new Promise<void>((done) => s.close(() => done()));
	}
});

function json(res: ServerResponse, body: unknown): void {
	res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
	res.end(JSON.stringify(body));
}

/** A page server: `pageAt(n)` is the body of the n-th request (0-based). */
async function pagesServer(pageAt: (n: number, url: URL) => unknown) {
	let n = 0;
	const api = await serve((_req, res, url) => json(res, pageAt(n++, url)));
	const client = createSpicoClient({
		baseUrl: `${api.origin}/api/v1`,
		getToken: () => 't',
		retries: 0
	});
	return { client, requests: api.requests };
}

async function readAll(client: ReturnType<typeof createSpicoClient>, limit: number) {
	const ids: string[] = [];
	for await (const page of client.pages(SID, 'appointments', QUERY(limit))) {
		ids.push(...page.items.map((i) => i.id));
	}
	return ids;
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(Error);
	return error as Error;
}

describe('cursors that never end', () => {
	it('new cursors with empty pages: stopped after a few empty pages, endpoint named', async () => {
		// Ends after 100 pages, so that a client without the guard fails here, not by timeout.
		const { client, requests } = await pagesServer((n) => ({
			items: [],
			nextCursor: n < 100 ? `c${n}` : null,
			total: 1
		}));
		const error = await failureOf(readAll(client, 100));
		expect(error).toBeInstanceOf(ContractError);
		expect(error.message).toContain(ENDPOINT);
		expect(error.message).toContain('pagination sans fin');
		expect(requests()).toBe(MAX_EMPTY_PAGES_IN_A_ROW + 1);
	});

	it('fresh ids on and on past the announced total: stopped within a few pages', async () => {
		const { client, requests } = await pagesServer((n) => ({
			items: [appointment(`a${2 * n}`), appointment(`a${2 * n + 1}`)],
			nextCursor: n < 100 ? `c${n}` : null,
			total: 4
		}));
		const error = await failureOf(readAll(client, 2));
		expect(error.message).toContain(ENDPOINT);
		expect(error.message).toMatch(/lus pour 4 annoncés.*pagination sans fin/);
		// Two pages reach the total; then at most MAX_PAGES_PAST_TOTAL more.
		expect(requests()).toBe(2 + MAX_PAGES_PAST_TOTAL);
	});

	it('a cursor served twice: stopped at once', async () => {
		const { client, requests } = await pagesServer((n) => ({
			items: [appointment(`a${n}`)],
			nextCursor: 'same',
			total: 100
		}));
		const error = await failureOf(readAll(client, 10));
		expect(error.message).toContain('curseur déjà servi');
		expect(requests()).toBe(2);
	});

	it('a legitimate list with a few empty pages and short pages is read whole', async () => {
		const plan = [
			{ items: [appointment('a')], nextCursor: 'c1', total: 3 },
			{ items: [], nextCursor: 'c2', total: 3 },
			{ items: [], nextCursor: 'c3', total: 3 },
			{ items: [appointment('b'), appointment('c')], nextCursor: null, total: 3 }
		];
		const { client } = await pagesServer((n) => plan[n]);
		expect(await readAll(client, 10)).toEqual(['a', 'b', 'c']);
	});
});

describe('ids', () => {
	it('the same id twice in a list (across pages) is a contract error naming it', async () => {
		const plan = [
			{ items: [appointment('a'), appointment('b')], nextCursor: 'c1', total: 4 },
			{ items: [appointment('c'), appointment('b')], nextCursor: null, total: 4 }
		];
		const { client } = await pagesServer((n) => plan[n]);
		const error = await failureOf(readAll(client, 2));
		expect(error).toBeInstanceOf(ContractError);
		expect(error.message).toContain(ENDPOINT);
		expect(error.message).toContain('« b » déjà reçu');
		expect((error as ContractError).field).toBe('items[1].id');
	});

	it('dossiers are unique by dossierId', async () => {
		const { client } = await pagesServer(() => ({
			items: [dossier('D1'), dossier('D1')],
			nextCursor: null,
			total: 2
		}));
		const pages = client.pages(SID, 'dossiers', QUERY(10));
		const error = await failureOf(pages.next());
		expect(error.message).toContain(`GET /structures/${SID}/dossiers`);
		expect(error.message).toContain('« D1 » déjà reçu');
	});

	it.each(['.', '..'])('an id « %s » is refused (it would change a request path)', async (id) => {
		const { client } = await pagesServer(() => ({
			items: [appointment(id)],
			nextCursor: null,
			total: 1
		}));
		const error = await failureOf(readAll(client, 10));
		expect(error).toBeInstanceOf(ContractError);
		expect(error.message).toContain('items[0].id');
		expect(error.message).toContain('« . » ou « .. » refusé');
	});

	it('a structure id « .. » from /me is refused before any path is built from it', async () => {
		const api = await serve((_req, res) =>
			json(res, {
				user: { id: 'u', name: 'U' },
				account: { type: 'structure', structureId: '..', structureName: 'S' }
			})
		);
		const client = createSpicoClient({ baseUrl: `${api.origin}/api/v1`, getToken: () => 't' });
		const error = await failureOf(client.me());
		expect(error.message).toContain('account.structureId');
	});
});

describe('pages too big', () => {
	it('1,000,000 items for limit 2,500: refused before any item is validated', async () => {
		// Small items, so that the body is under the byte cap and the count is what refuses it.
		const body = `{"items":[${'0,'.repeat(999_999)}0],"nextCursor":null,"total":1000000}`;
		expect(body.length).toBeLessThan(maxPageBytes(2500));
		const api = await serve((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(body);
		});
		const client = createSpicoClient({ baseUrl: `${api.origin}/api/v1`, getToken: () => 't' });
		const error = await failureOf(client.page(SID, 'appointments', QUERY(2500)));
		expect(error).toBeInstanceOf(ContractError);
		expect(error.message).toContain(ENDPOINT);
		expect(error.message).toContain('1000000 éléments pour une limite de 2500');
	});

	it('an endless body stops being read past the byte cap; nothing is parsed', async () => {
		let written = 0;
		let hungUpAfter: number | null = null;
		const planned = 2 * maxPageBytes(10) + 1e6;
		const chunk = `${JSON.stringify(appointment('x'))},`.repeat(200);
		const api = await serve((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.write('{"items":[');
			// Writes as long as the client reads: a page of millions of items.
			const pump = () => {
				while (!res.destroyed && written < planned) {
					written += chunk.length;
					if (!res.write(chunk)) return void res.once('drain', pump);
				}
				res.end('0]}');
			};
			res.on('close', () => {
				if (!res.writableFinished) hungUpAfter = written;
			});
			pump();
		});
		const client = createSpicoClient({ baseUrl: `${api.origin}/api/v1`, getToken: () => 't' });
		const error = await failureOf(client.page(SID, 'appointments', QUERY(10)));
		expect(error).toBeInstanceOf(ContractError);
		expect(error.message).toContain(ENDPOINT);
		expect(error.message).toMatch(/réponse de plus de \d+ Mo : refusée/);
		// The client hung up well before the end: the server sees its connection close.
		await vi.waitFor(() => expect(hungUpAfter).not.toBeNull(), { timeout: 10_000 });
		expect(hungUpAfter!).toBeLessThan(planned);
	});

	it('a declared Content-Length over the cap is refused without reading', async () => {
		const api = await serve((_req, res) => {
			res.writeHead(200, {
				'Content-Type': 'application/json',
				'Content-Length': String(maxPageBytes(10) + 1)
			});
			res.write('{"items":[');
		});
		const client = createSpicoClient({ baseUrl: `${api.origin}/api/v1`, getToken: () => 't' });
		const error = await failureOf(client.page(SID, 'appointments', QUERY(10)));
		expect(error.message).toMatch(/réponse de plus de \d+ Mo/);
	});
});

describe('redirects', () => {
	it.each([301, 302, 303, 307, 308])(
		'%i to another origin: not followed, not retried, the endpoint named',
		async (status) => {
			const elsewhere = await serve((_req, res) =>
				json(res, { items: [appointment('stolen')], nextCursor: null, total: 1 })
			);
			const api = await serve((req, res) => {
				res.writeHead(status, { Location: `${elsewhere.origin}${req.url}` });
				res.end();
			});
			const client = createSpicoClient({
				baseUrl: `${api.origin}/api/v1`,
				getToken: () => 't',
				retryPolicy: { baseDelayMs: 1 }
			});
			const error = await failureOf(client.page(SID, 'appointments', QUERY(10)));
			expect(error).toBeInstanceOf(ApiError);
			expect((error as ApiError).kind).toBe('redirect');
			expect(error.message).toBe(
				`L'API SPICO a répondu à ${ENDPOINT} par une redirection ${status} : refusée, aucune donnée n'est lue à une autre adresse.`
			);
			expect(api.requests()).toBe(1);
			expect(elsewhere.requests()).toBe(0);
		}
	);

	it('every request asks for no caching and no redirect following', async () => {
		const seen: RequestInit[] = [];
		const client = createSpicoClient({
			baseUrl: 'http://api.test/api/v1',
			getToken: () => 't',
			fetch: (async (input: Request) => {
				seen.push({ cache: input.cache, redirect: input.redirect });
				return Response.json({ user: { id: 'u', name: 'U' }, account: { type: 'personal' } });
			}) as typeof fetch
		});
		await client.me();
		expect(seen).toEqual([{ cache: 'no-store', redirect: 'manual' }]);
	});
});

describe('the catalogue', () => {
	const form = (id: string, fields = [{ id: 'f1', label: 'F', type: 'text' }]) => ({
		id,
		label: `Formulaire ${id}`,
		fields
	});
	async function catalogueError(items: unknown[]) {
		const api = await serve((_req, res) => json(res, { items }));
		const client = createSpicoClient({ baseUrl: `${api.origin}/api/v1`, getToken: () => 't' });
		return failureOf(client.thematics(SID));
	}

	it('a thematic id twice: a contract error naming it (no broken tree)', async () => {
		const error = await catalogueError([
			{ id: 'T1', label: 'A', forms: [form('F1')] },
			{ id: 'T1', label: 'B', forms: [form('F2')] }
		]);
		expect(error).toBeInstanceOf(ContractError);
		expect(error.message).toContain(`GET /structures/${SID}/thematics`);
		expect(error.message).toContain('items[1].id');
		expect(error.message).toContain('identifiant de thématique « T1 » en double');
	});

	it('a form id twice, even under two thematics: a contract error naming it', async () => {
		const error = await catalogueError([
			{ id: 'T1', label: 'A', forms: [form('F1')] },
			{ id: 'T2', label: 'B', forms: [form('F2'), form('F1')] }
		]);
		expect(error.message).toContain('items[1].forms[1].id');
		expect(error.message).toContain('identifiant de formulaire « F1 » en double');
	});

	it('a field id twice in one form: a contract error', async () => {
		const error = await catalogueError([
			{
				id: 'T1',
				label: 'A',
				forms: [
					form('F1', [
						{ id: 'x', label: 'X', type: 'text' },
						{ id: 'x', label: 'Y', type: 'text' }
					])
				]
			}
		]);
		expect(error.message).toContain('identifiant de champ « x » en double');
	});

	it('a form id « .. » is refused', async () => {
		const error = await catalogueError([{ id: 'T1', label: 'A', forms: [form('..')] }]);
		expect(error.message).toContain('items.0.forms.0.id');
		expect(error.message).toContain('« . » ou « .. » refusé');
	});
});

describe('a total that lies', () => {
	const REQUEST = everythingRequest([], { from: '2023-01-01', to: '2023-12-31' });
	const CONTEXT: ExtractionContext = {
		structure: { id: SID, name: 'S' },
		userId: 'u',
		request: REQUEST,
		launch: launchInstant(Date.UTC(2024, 0, 31, 9, 15))
	};

	async function runWith(total: number, served: number) {
		const items = Array.from({ length: served }, (_, i) => appointment(`a${i}`));
		const { client } = await pagesServer(() => ({ items, nextCursor: null, total }));
		const job = planExtraction(REQUEST, []).jobs.find((j) => j.id === 'rdv')!;
		return runWorkbookJob(job, CONTEXT, client, { pageLimit: 100 });
	}

	it.each([
		[3, 50, "L'API a annoncé 3 éléments, 50 ont été lus."],
		[
			1e15,
			50,
			"L'API a annoncé 1\u00a0000\u00a0000\u00a0000\u00a0000\u00a0000 éléments, 50 ont été lus."
		]
	])(
		'total %d for %d items served: a warning, in the result and in Informations',
		async (total, served, text) => {
			const built = await runWith(total, served);
			expect(built.items).toBe(served);
			expect(built.countMismatch).toEqual({ read: served, announced: total });
			const { book } = readBack({ ...built, warnings: built.warnings, cutCells: built.cutCells });
			const info = book.Sheets['Informations']!;
			const texts = Object.values(info).map((c) => (c as { v?: unknown }).v);
			expect(texts).toContain(text);
		}
	);

	it('an honest total gives no warning', async () => {
		const built = await runWith(50, 50);
		expect(built.countMismatch).toBeNull();
		const { book } = readBack({ ...built, warnings: built.warnings, cutCells: built.cutCells });
		const texts = Object.values(book.Sheets['Informations']!).map((c) => (c as { v?: unknown }).v);
		expect(texts).not.toContain('Avertissements');
	});
});
