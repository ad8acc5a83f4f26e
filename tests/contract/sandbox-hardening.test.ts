/**
 * The sandbox under hostile requests (SPEC §9): malformed request-targets that used to stop the
 * server, control bodies that polluted Object.prototype, posts from any web page; and the
 * "cacheable headers" fault the browser test uses.
 */
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSpicoClient } from '../../src/lib/api/client';
import { STATUS_CODES } from '../../src/lib/contract/spico';
import { STRUCTURE_TND } from '../../sandbox/generator';
import { createSandboxServer, type SandboxServer } from '../../sandbox/server';
import { TODAY } from './helpers';

let sandbox: SandboxServer;
const ALICE = { Authorization: 'Bearer sandbox-alice' };

beforeAll(async () => {
	sandbox = await createSandboxServer({ scale: 'small', port: 0, today: TODAY });
});
afterEach(async () => {
	await fetch(`${sandbox.origin}/__sandbox/faults`, { method: 'DELETE' });
});
afterAll(async () => {
	await sandbox.close();
});

/** Sends raw bytes (fetch would normalise the target) and returns the status line. */
function rawRequest(text: string): Promise<string> {
	const { port } = new URL(sandbox.origin);
	return new Promise((resolve, reject) => {
		const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
		let answer = '';
		socket.setTimeout(10_000, () => socket.destroy(new Error('pas de réponse')));
		socket.on('data', (chunk) => {
			answer += chunk.toString('latin1');
			if (answer.includes('\r\n')) {
				socket.destroy();
				resolve(answer.slice(0, answer.indexOf('\r\n')));
			}
		});
		socket.on('error', reject);
		socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
	});
}

const meStatus = async () => (await fetch(`${sandbox.url}/me`, { headers: ALICE })).status;

describe('malformed requests never stop the server', () => {
	it.each([
		'//[/api/v1/me',
		'//[',
		'*',
		'http://[/api/v1/me',
		'/api/v1/structures/%E0%A4%A/thematics',
		'/api/v1/structures/%/dossiers?from=%&to=%',
		'/__sandbox/%E0%A4%A',
		'/api/v1/me?%zz=%'
	])('GET %s → an answer, and the server still serves /me', async (target) => {
		const status = await rawRequest(
			`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`
		);
		expect(status).toMatch(/^HTTP\/1\.1 [1-5]\d\d /);
		expect(await meStatus()).toBe(200);
	});

	it('GET //[/api/v1/me (which used to throw out of new URL) is a plain 404', async () => {
		const status = await rawRequest(
			`GET //[/api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`
		);
		expect(status).toBe('HTTP/1.1 404 Not Found');
	});
});

describe('control endpoints', () => {
	const post = (body: string, type = 'application/json') =>
		fetch(`${sandbox.origin}/__sandbox/faults`, {
			method: 'POST',
			headers: { 'Content-Type': type },
			body
		});

	it.each([
		'{"malformed":{"list":"appointments","index":0,"field":"__proto__.type"}}',
		'{"malformed":{"list":"appointments","index":0,"field":"constructor.prototype.type"}}',
		'{"malformed":{"list":"appointments","index":0,"field":"patient.__proto__"}}',
		'{"__proto__":{"type":"pollué"}}',
		'{"malformed":{"list":"appointments","index":0,"field":"statut","value":{"constructor":{"prototype":{"type":"pollué"}}}}}'
	])('refuses prototype keys: %s', async (body) => {
		const res = await post(body);
		expect(res.status).toBe(422);
		expect(((await res.json()) as { detail: string }).detail).toMatch(/prototype/);
		// Pages served after it: nothing reached Object.prototype.
		const client = createSpicoClient({ baseUrl: sandbox.url, getToken: () => 'sandbox-alice' });
		const page = await client.page(STRUCTURE_TND.id, 'appointments', {
			from: '2023-01-01',
			to: '2023-12-31',
			archived: true,
			statuses: STATUS_CODES,
			limit: 5
		});
		expect(page.items.length).toBeGreaterThan(0);
		expect(({} as { type?: unknown }).type).toBeUndefined();
		expect(Object.prototype).not.toHaveProperty('type');
	});

	it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
		'refuses a body sent as %s (415): a web page cannot post it without a preflight',
		async (type) => {
			const res = await post('{"latencyMs":1}', type);
			expect(res.status).toBe(415);
			const faults = (await (await fetch(`${sandbox.origin}/__sandbox/faults`)).json()) as {
				faults: object;
			};
			expect(faults.faults).toEqual({});
		}
	);

	it('accepts application/json with a charset', async () => {
		expect((await post('{"latencyMs":1}', 'application/json; charset=utf-8')).status).toBe(200);
	});

	it('answers no CORS preflight: no other origin may switch faults or reset data', async () => {
		const res = await fetch(`${sandbox.origin}/__sandbox/faults`, {
			method: 'OPTIONS',
			headers: {
				Origin: 'https://evil.example',
				'Access-Control-Request-Method': 'POST',
				'Access-Control-Request-Headers': 'content-type',
				'Access-Control-Request-Private-Network': 'true'
			}
		});
		expect(res.status).toBe(403);
		expect(res.headers.get('access-control-allow-origin')).toBeNull();
		expect(res.headers.get('access-control-allow-private-network')).toBeNull();
		// The API itself stays open to any origin (synthetic data, SPEC §9).
		const api = await fetch(`${sandbox.url}/me`, {
			method: 'OPTIONS',
			headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET' }
		});
		expect(api.headers.get('access-control-allow-origin')).toBe('*');
	});
});

describe('cacheable headers fault', () => {
	it('API answers say max-age=3600 instead of no-store while it is on', async () => {
		const before = await fetch(`${sandbox.url}/me`, { headers: ALICE });
		expect(before.headers.get('cache-control')).toBe('no-store');
		const set = await fetch(`${sandbox.origin}/__sandbox/faults`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ cacheableHeaders: true })
		});
		expect(set.status).toBe(200);
		const during = await fetch(`${sandbox.url}/structures/${STRUCTURE_TND.id}/thematics`, {
			headers: ALICE
		});
		expect(during.headers.get('cache-control')).toBe('public, max-age=3600');
		await fetch(`${sandbox.origin}/__sandbox/faults`, { method: 'DELETE' });
		const after = await fetch(`${sandbox.url}/me`, { headers: ALICE });
		expect(after.headers.get('cache-control')).toBe('no-store');
	});
});

describe('faults of an API that lies', () => {
	const set = (config: object) =>
		fetch(`${sandbox.origin}/__sandbox/faults`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(config)
		});
	const listUrl = () =>
		`${sandbox.url}/structures/${STRUCTURE_TND.id}/hospitalisations?from=2023-01-01&to=2023-12-31&status=sortie`;

	it('announcedTotal: the pages of that list announce the total asked for', async () => {
		const honest = (await (await fetch(listUrl(), { headers: ALICE })).json()) as { total: number };
		expect((await set({ announcedTotal: { list: 'hospitalisations', total: 3 } })).status).toBe(
			200
		);
		const lying = (await (await fetch(listUrl(), { headers: ALICE })).json()) as { total: number };
		expect(lying.total).toBe(3);
		expect(honest.total).not.toBe(3);
	});

	it('redirectTo: structure routes answer 307 to the same path at that origin', async () => {
		expect((await set({ redirectTo: 'http://127.0.0.1:9' })).status).toBe(200);
		const res = await fetch(listUrl(), { headers: ALICE, redirect: 'manual' });
		expect(res.status).toBe(307);
		expect(res.headers.get('location')).toBe(
			`http://127.0.0.1:9/api/v1/structures/${STRUCTURE_TND.id}/hospitalisations?from=2023-01-01&to=2023-12-31&status=sortie`
		);
		expect(await meStatus()).toBe(200);
		expect((await set({ redirectTo: 'javascript:alert(1)' })).status).toBe(422);
	});
});
