/**
 * Fault injection of the sandbox: each switch, set through the control endpoint (or the options
 * object), seen through the module's client.
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/lib/api/http';
import { createSpicoClient } from '../../src/lib/api/client';
import {
	ContractError,
	ProblemSchema,
	STATUS_CODES,
	type ListName,
	type ListQuery
} from '../../src/lib/contract/spico';
import { faultsFromFlags, type FaultConfig } from '../../sandbox/faults';
import { STRUCTURE_TND } from '../../sandbox/generator';
import { createSandboxServer, type SandboxServer } from '../../sandbox/server';
import { TODAY } from './helpers';

const SID = STRUCTURE_TND.id;
const WIDE: Omit<ListQuery, 'cursor'> = {
	from: '2019-01-01',
	to: '2026-06-30',
	archived: true,
	statuses: STATUS_CODES
};

let sandbox: SandboxServer;
const client = (retries = 0) =>
	createSpicoClient({ baseUrl: sandbox.url, getToken: () => 'sandbox-alice', retries });

async function setFaults(config: FaultConfig): Promise<void> {
	const res = await fetch(`${sandbox.origin}/__sandbox/faults`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(config)
	});
	if (res.status !== 200) throw new Error(`faults refused: ${res.status}`);
}

const me = () => fetch(`${sandbox.url}/me`, { headers: { Authorization: 'Bearer sandbox-alice' } });

beforeAll(async () => {
	sandbox = await createSandboxServer({ scale: 'small', port: 0, today: TODAY });
});
afterEach(async () => {
	await fetch(`${sandbox.origin}/__sandbox/faults`, { method: 'DELETE' });
});
afterAll(async () => {
	await sandbox.close();
});

describe('control endpoint', () => {
	it('sets, reads and resets the faults, and refuses a bad configuration', async () => {
		await setFaults({ latencyMs: 1, throttleEvery: 3 });
		const got = (await (await fetch(`${sandbox.origin}/__sandbox/faults`)).json()) as {
			faults: FaultConfig;
		};
		expect(got.faults).toEqual({ latencyMs: 1, throttleEvery: 3 });
		const bad = await fetch(`${sandbox.origin}/__sandbox/faults`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ errorRate: 2 })
		});
		expect(bad.status).toBe(422);
		expect(v.parse(ProblemSchema, await bad.json()).detail).toContain('errorRate');
		const unknown = await fetch(`${sandbox.origin}/__sandbox/faults`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ chaos: true })
		});
		expect(unknown.status).toBe(422);
		expect((await fetch(`${sandbox.origin}/__sandbox/faults`, { method: 'DELETE' })).status).toBe(
			204
		);
	});

	it('never applies faults to the control endpoints', async () => {
		await setFaults({ errorRate: 1, errorStatus: 500 });
		expect((await me()).status).toBe(500);
		expect((await fetch(`${sandbox.origin}/__sandbox/faults`)).status).toBe(200);
		expect((await fetch(`${sandbox.origin}/__sandbox/extraction-events`)).status).toBe(200);
	});
});

describe('fault switches', () => {
	it('latency delays every API answer', async () => {
		await setFaults({ latencyMs: 200 });
		const t0 = performance.now();
		await client().me();
		expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
	});

	it('errorRate fails a fixed share of requests, deterministically', async () => {
		await setFaults({ errorRate: 0.5, errorStatus: 503 });
		const statuses = [];
		for (let i = 0; i < 4; i++) statuses.push((await me()).status);
		expect(statuses).toEqual([200, 503, 200, 503]);
		const res = await me();
		expect(res.status).toBe(200);
		const failed = await me();
		expect(failed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
		await expect(client().me()).resolves.toMatchObject({ user: { id: 'u-alice' } });
		await expect(client().me()).rejects.toMatchObject({ kind: 'unavailable', status: 503 });
	});

	it('unauthorizedAfter lets N requests through, then answers 401', async () => {
		await setFaults({ unauthorizedAfter: 2 });
		await client().me();
		await client().thematics(SID);
		await expect(client().me()).rejects.toMatchObject({ kind: 'unauthorized', status: 401 });
	});

	it('throttleEvery answers 429 with Retry-After, which the client honours', async () => {
		await setFaults({ throttleEvery: 2, retryAfterSeconds: 1 });
		expect((await me()).status).toBe(200);
		const throttled = await me();
		expect(throttled.status).toBe(429);
		expect(throttled.headers.get('retry-after')).toBe('1');
		expect(v.parse(ProblemSchema, await throttled.json()).status).toBe(429);

		await setFaults({ throttleEvery: 2, retryAfterSeconds: 1 });
		await client().me();
		const error = (await client()
			.me()
			.catch((e: unknown) => e)) as ApiError;
		expect(error).toBeInstanceOf(ApiError);
		expect(error).toMatchObject({ kind: 'rate-limited', retryAfterSeconds: 1 });

		// With retries the client waits the second asked for, then gets through.
		await setFaults({ throttleEvery: 2, retryAfterSeconds: 1 });
		await client(2).me();
		const t0 = performance.now();
		await expect(client(2).me()).resolves.toMatchObject({ user: { id: 'u-alice' } });
		expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
	});

	it('throttleStatus 503 carries Retry-After too', async () => {
		await setFaults({ throttleEvery: 1, throttleStatus: 503, retryAfterSeconds: 7 });
		const res = await me();
		expect(res.status).toBe(503);
		expect(res.headers.get('retry-after')).toBe('7');
	});

	it('malformed breaks one item: the client names the dossier and the field', async () => {
		const query = { ...WIDE, limit: 10 };
		const first = await client().page(SID, 'appointments', query);
		const dossierId = first.items[0]?.dossierId;
		expect(dossierId).toMatch(/^DOS-\d{6}$/);

		await setFaults({
			malformed: { list: 'appointments', index: 0, field: 'patient.dateNaissance' }
		});
		const error = (await client()
			.page(SID, 'appointments', query)
			.catch((e: unknown) => e)) as ContractError;
		expect(error).toBeInstanceOf(ContractError);
		expect(error.field).toBe('items[0].patient.dateNaissance');
		expect(error.dossierId).toBe(dossierId);
		expect(error.message).toContain(`dossier ${dossierId}`);

		// Other lists are untouched; a dossier's history can be broken too.
		expect((await client().page(SID, 'dossiers', query)).items).toHaveLength(10);
		await setFaults({ malformed: { list: 'dossiers', index: 1, field: 'statusEvents' } });
		await expect(client().page(SID, 'dossiers', query)).rejects.toMatchObject({
			name: 'ContractError',
			field: 'items[1].statusEvents'
		});
	});

	it('dropEvery cuts the connection in the middle of the answer', async () => {
		await setFaults({ dropEvery: 1 });
		await expect(me().then((r) => r.json())).rejects.toThrow();
		await expect(client().me()).rejects.toSatisfy(
			(e: unknown) => e instanceof ApiError || e instanceof ContractError
		);
		await setFaults({ dropEvery: 2 });
		const page = () => client().page(SID, 'dossiers', { ...WIDE, limit: 50 });
		expect((await page()).items).toHaveLength(50);
		await expect(page()).rejects.toMatchObject({ name: 'ApiError', kind: 'network' });
		await expect(client().me()).resolves.toMatchObject({ user: { id: 'u-alice' } });
	});

	it('a body cut off mid-way is retried, then reported as a network failure', async () => {
		// Every second answer is cut: one retry is enough to read the page whole.
		await setFaults({ dropEvery: 2 });
		await client(1).page(SID, 'dossiers', { ...WIDE, limit: 50 });
		await expect(client(1).page(SID, 'dossiers', { ...WIDE, limit: 50 })).resolves.toMatchObject({
			items: expect.any(Array)
		});
		// Every answer cut: the retries run out and the error says what happened, in French.
		await setFaults({ dropEvery: 1 });
		await expect(client(2).me()).rejects.toMatchObject({
			name: 'ApiError',
			kind: 'network',
			message: expect.stringMatching(/connexion .* coupée/)
		});
	});
});

describe('token expiry and refresh', () => {
	const meWith = (token: string) =>
		fetch(`${sandbox.url}/me`, { headers: { Authorization: `Bearer ${token}` } });

	it('a generation suffix opens the same account', async () => {
		const bare = (await (await meWith('sandbox-alice')).json()) as unknown;
		const refreshed = (await (await meWith('sandbox-alice.2')).json()) as unknown;
		expect(refreshed).toEqual(bare);
		expect((await meWith('sandbox-nobody.2')).status).toBe(401);
	});

	it('expireTokenAfter: the tokens seen so far expire; a newer generation is accepted', async () => {
		await setFaults({ expireTokenAfter: 2 });
		expect((await meWith('sandbox-alice')).status).toBe(200);
		expect((await meWith('sandbox-alice')).status).toBe(200);
		expect((await meWith('sandbox-alice')).status).toBe(401);
		expect((await meWith('sandbox-alice.2')).status).toBe(200);
		expect((await meWith('sandbox-alice')).status).toBe(401);
		expect((await meWith('sandbox-alice.2')).status).toBe(200);
		// Another account's token is untouched only if it was never seen before the expiry.
		expect((await meWith('sandbox-bob')).status).toBe(200);
	});

	it('the client asks for a fresh token after a 401 and goes on with it', async () => {
		await setFaults({ expireTokenAfter: 1 });
		const asked: unknown[] = [];
		let token = 'sandbox-alice';
		const c = createSpicoClient({
			baseUrl: sandbox.url,
			retries: 0,
			getToken: (request) => {
				asked.push(request);
				if (request?.refresh) token = 'sandbox-alice.2';
				return token;
			}
		});
		await c.me();
		await expect(c.me()).resolves.toMatchObject({ user: { id: expect.any(String) } });
		await c.thematics(SID);
		expect(asked).toEqual([undefined, undefined, { refresh: true }, undefined]);
	});

	it('the same token after the refresh: « Session expirée »', async () => {
		await setFaults({ expireTokenAfter: 0 });
		await expect(client().me()).rejects.toMatchObject({
			kind: 'unauthorized',
			message: 'Session expirée — reconnectez-vous puis relancez.'
		});
	});

	it('CLI flag --expire-token-after', () => {
		expect(faultsFromFlags({ 'expire-token-after': '5' })).toEqual({ expireTokenAfter: 5 });
	});
});

describe('aborted requests', () => {
	it('counts the API requests whose client left before the answer', async () => {
		await setFaults({ latencyMs: 300 });
		const controller = new AbortController();
		// The server's own events: the request has arrived, then its connection has closed.
		const arrived = once(sandbox.server, 'request') as Promise<[IncomingMessage, ServerResponse]>;
		const pending = fetch(`${sandbox.url}/me`, {
			headers: { Authorization: 'Bearer sandbox-alice' },
			signal: controller.signal
		}).catch((e: unknown) => e);
		const [, res] = await arrived;
		const closed = once(res, 'close');
		controller.abort();
		await expect(pending).resolves.toMatchObject({ name: 'AbortError' });
		await closed;
		expect((await me()).status).toBe(200);
		const state = (await (await fetch(`${sandbox.origin}/__sandbox/faults`)).json()) as {
			requests: number;
			aborted: number;
		};
		expect(state).toMatchObject({ requests: 2, aborted: 1 });
	});
});

describe('mutateBetweenPages', () => {
	async function collect(s: SandboxServer, list: ListName, limit: number) {
		const c = createSpicoClient({ baseUrl: s.url, getToken: () => 'sandbox-alice', retries: 0 });
		const ids: string[] = [];
		const totals: number[] = [];
		for await (const page of c.pages(SID, list, { ...WIDE, limit })) {
			totals.push(page.total);
			for (const item of page.items) {
				ids.push(
					list === 'dossiers'
						? (item as { dossierId: string }).dossierId
						: (item as { id: string }).id
				);
			}
		}
		return { ids, totals };
	}

	it.each([
		['appointments', 200, 2, 1],
		['dossiers', 20, 1, 1],
		['care-circle', 100, 0, 3]
	] as const)('%s: every row served once, totals honest', async (list, limit, insert, remove) => {
		const before = await collect(sandbox, list, 5000);
		const s = await createSandboxServer({
			scale: 'small',
			port: 0,
			today: TODAY,
			faults: { mutateBetweenPages: { list, insert, delete: remove } }
		});
		try {
			const run = await collect(s, list, limit);
			const pages = run.totals.length;
			expect(pages).toBeGreaterThan(3);
			expect(new Set(run.ids).size).toBe(run.ids.length);
			// Each follow-up page changed the data by insert − delete rows.
			expect(run.totals[pages - 1]).toBe(before.ids.length + (pages - 1) * (insert - remove));
			expect(run.ids).toHaveLength(run.totals[pages - 1] ?? -1);
			// Once the faults are off, a fresh run sees exactly the rows served during the changes.
			await fetch(`${s.origin}/__sandbox/faults`, { method: 'DELETE' });
			const after = await collect(s, list, 5000);
			expect(after.ids).toEqual(run.ids);
			expect(after.totals).toEqual([run.ids.length]);
		} finally {
			await s.close();
		}
		// The shared cache on disk is untouched.
		const again = await collect(sandbox, list, 5000);
		expect(again.ids).toEqual(before.ids);
	});

	it('DELETE /__sandbox/data restores the generated rows', async () => {
		const before = await collect(sandbox, 'appointments', 5000);
		await setFaults({ mutateBetweenPages: { list: 'appointments', insert: 3, delete: 2 } });
		const changed = await collect(sandbox, 'appointments', 300);
		expect(changed.ids).not.toEqual(before.ids);
		await fetch(`${sandbox.origin}/__sandbox/faults`, { method: 'DELETE' });
		const res = await fetch(`${sandbox.origin}/__sandbox/data`, { method: 'DELETE' });
		expect(res.status).toBe(204);
		const after = await collect(sandbox, 'appointments', 5000);
		expect(after.ids).toEqual(before.ids);
		expect((await fetch(`${sandbox.origin}/__sandbox/data`)).status).toBe(405);
	});
});

describe('fault flags of the CLI', () => {
	it('maps flags to a configuration and rejects bad values in French', () => {
		expect(
			faultsFromFlags({
				latency: '50',
				'error-rate': '0.1',
				'error-status': '502',
				'unauthorized-after': '10',
				'throttle-every': '5',
				'throttle-status': '503',
				'retry-after': '2',
				'drop-every': '7',
				malformed: 'appointments:3:patient.nom',
				mutate: 'dossiers:2:1'
			})
		).toEqual({
			latencyMs: 50,
			errorRate: 0.1,
			errorStatus: 502,
			unauthorizedAfter: 10,
			throttleEvery: 5,
			throttleStatus: 503,
			retryAfterSeconds: 2,
			dropEvery: 7,
			malformed: { list: 'appointments', index: 3, field: 'patient.nom' },
			mutateBetweenPages: { list: 'dossiers', insert: 2, delete: 1 }
		});
		expect(faultsFromFlags({})).toEqual({});
		expect(() => faultsFromFlags({ 'error-status': '418' })).toThrow(/errorStatus/);
		expect(() => faultsFromFlags({ latency: 'vite' })).toThrow(/--latency/);
		expect(() => faultsFromFlags({ mutate: 'rdv' })).toThrow(/mutateBetweenPages/);
	});
});
