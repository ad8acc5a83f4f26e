/**
 * `GET /structures/{sid}/storage-key` (SPEC §8): the sandbox's answer against the contract, raw
 * and through the module's client; per user and structure, stable, never cached, 401/403 like
 * the other routes, and 404 when the sandbox runs without storage key.
 */
import { createHmac } from 'node:crypto';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/lib/api/http';
import { createSpicoClient } from '../../src/lib/api/client';
import { ContractError, ProblemSchema, StorageKeySchema } from '../../src/lib/contract/spico';
import { STRUCTURE_DAC, STRUCTURE_TND } from '../../sandbox/generator';
import { createSandboxServer, type SandboxServer } from '../../sandbox/server';
import { TODAY } from './helpers';

let sandbox: SandboxServer;
let withoutKey: SandboxServer;

beforeAll(async () => {
	sandbox = await createSandboxServer({ scale: 'small', port: 0, today: TODAY });
	withoutKey = await createSandboxServer({
		scale: 'small',
		port: 0,
		today: TODAY,
		storageKey: false
	});
});
afterAll(async () => {
	await Promise.all([sandbox?.close(), withoutKey?.close()]);
});

const get = (server: SandboxServer, sid: string, token: string | null) =>
	fetch(`${server.url}/structures/${sid}/storage-key`, {
		headers: token ? { Authorization: `Bearer ${token}` } : {}
	});
const clientOf = (server: SandboxServer, token: string) =>
	createSpicoClient({ baseUrl: server.url, getToken: () => token, retries: 0 });

describe('GET /structures/{sid}/storage-key', () => {
	it('gives the documented key: HMAC-SHA-256 of « userId:structureId », base64url, no-store', async () => {
		const res = await get(sandbox, STRUCTURE_TND.id, 'sandbox-alice');
		expect(res.status).toBe(200);
		expect(res.headers.get('cache-control')).toBe('no-store');
		const body = v.parse(StorageKeySchema, await res.json());
		const expected = createHmac('sha256', 'extractions-brutes sandbox storage key')
			.update(`u-alice:${STRUCTURE_TND.id}`)
			.digest('base64url');
		expect(body).toEqual({ keyId: 'sandbox-1', key: expected });
		expect(Buffer.from(body.key, 'base64url')).toHaveLength(32);
	});

	it('is stable for a user (refreshed token too), and differs between users', async () => {
		const alice = await clientOf(sandbox, 'sandbox-alice').storageKey(STRUCTURE_TND.id);
		const again = await clientOf(sandbox, 'sandbox-alice.2').storageKey(STRUCTURE_TND.id);
		const bob = await clientOf(sandbox, 'sandbox-bob').storageKey(STRUCTURE_DAC.id);
		expect(again).toEqual(alice);
		expect(bob?.key).not.toBe(alice?.key);
		expect(bob?.keyId).toBe('sandbox-1');
	});

	it('is only for the token’s own user and structure: 401 without token, 403 elsewhere', async () => {
		const none = await get(sandbox, STRUCTURE_TND.id, null);
		expect(none.status).toBe(401);
		const other = await get(sandbox, STRUCTURE_TND.id, 'sandbox-bob');
		expect(other.status).toBe(403);
		expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
		const body = await other.text();
		expect(body).not.toMatch(/"key"/);
		await expect(clientOf(sandbox, 'sandbox-bob').storageKey(STRUCTURE_TND.id)).rejects.toSatisfy(
			(e) => e instanceof ApiError && e.kind === 'forbidden'
		);
	});

	it('answers 404 (problem+json) with `storageKey: false`; the client reads it as « no key »', async () => {
		const res = await get(withoutKey, STRUCTURE_TND.id, 'sandbox-alice');
		expect(res.status).toBe(404);
		expect(v.parse(ProblemSchema, await res.json()).status).toBe(404);
		expect(await clientOf(withoutKey, 'sandbox-alice').storageKey(STRUCTURE_TND.id)).toBeNull();
		// The other routes are unchanged.
		expect((await clientOf(withoutKey, 'sandbox-alice').me()).user.id).toBe('u-alice');
	});

	it('refuses a key that is not 32 bytes of base64url, naming the field', async () => {
		const lying = createSpicoClient({
			baseUrl: 'http://api.invalid/api/v1',
			getToken: () => 't',
			retries: 0,
			fetch: async () =>
				new Response(JSON.stringify({ keyId: 'k', key: 'c2hvcnQ' }), {
					headers: { 'Content-Type': 'application/json' }
				})
		});
		const error = await lying.storageKey('s').catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ContractError);
		expect((error as ContractError).field).toBe('key');
		expect((error as Error).message).not.toContain('c2hvcnQ');
	});
});
