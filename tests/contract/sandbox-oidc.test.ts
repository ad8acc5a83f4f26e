/**
 * The sandbox's OpenID Connect provider and how its API checks the provider's tokens (SPEC §12):
 * discovery, a real code + PKCE sign-in giving a JWT for the API's audience, rotated refresh
 * tokens, and a 401 problem+json for a bad signature, another audience, another issuer, an
 * expired token; the demo tokens still work.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_AUDIENCE } from '../../sandbox/oidc/constants';
import { createSandboxServer, type SandboxServer } from '../../sandbox/server';
import { refreshOverHttp, signInOverHttp, type TokenSet } from '../helpers/oidc-flow';

let sandbox: SandboxServer;
let issuer: string;
let alice: TokenSet;

const me = (token: string) =>
	fetch(`${sandbox.url}/me`, { headers: { Authorization: `Bearer ${token}` } });

async function refused(token: string): Promise<string> {
	const response = await me(token);
	expect(response.status).toBe(401);
	expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
	expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
	const problem = (await response.json()) as { status: number; detail: string };
	expect(problem.status).toBe(401);
	return problem.detail;
}

const oidc = () => sandbox.handler.signIn!.oidc;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
	sandbox = await createSandboxServer({ scale: 'small', oidc: { tokenTtlSeconds: 60 } });
	issuer = `${sandbox.origin}/oidc`;
	alice = await signInOverHttp(sandbox.origin, 'u-alice');
});

afterAll(async () => {
	await sandbox?.close();
});

describe('the provider', () => {
	it('publishes its discovery document and keys', async () => {
		const response = await fetch(`${issuer}/.well-known/openid-configuration`);
		expect(response.status).toBe(200);
		const doc = (await response.json()) as Record<string, unknown>;
		expect(doc['issuer']).toBe(issuer);
		expect(doc['authorization_endpoint']).toBe(`${issuer}/auth`);
		expect(doc['token_endpoint']).toBe(`${issuer}/token`);
		expect(doc['end_session_endpoint']).toBe(`${issuer}/session/end`);
		expect(doc['code_challenge_methods_supported']).toEqual(['S256']);
		const jwks = (await (await fetch(String(doc['jwks_uri']))).json()) as { keys: object[] };
		expect(jwks.keys).toHaveLength(1);
		expect(jwks.keys[0]).not.toHaveProperty('d');
	});

	it('serves the one-click French login page', async () => {
		const auth = new URL(`${issuer}/auth`);
		auth.search = new URLSearchParams({
			client_id: 'extractions-brutes',
			response_type: 'code',
			redirect_uri: 'http://127.0.0.1:9/',
			scope: 'openid profile spico',
			code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
			code_challenge_method: 'S256'
		}).toString();
		const start = await fetch(auth, { redirect: 'manual' });
		expect(start.status).toBe(303);
		const cookie = start.headers
			.getSetCookie()
			.map((c) => c.split(';')[0])
			.join('; ');
		const page = await fetch(new URL(start.headers.get('location')!, auth), {
			headers: { Cookie: cookie }
		});
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('Se connecter en tant que Alice Martin');
		expect(html).toContain('Se connecter en tant que Claire Dubois');
		expect(html).toContain('lang="fr"');
	});

	it('refuses a sign-in without PKCE and a redirect URI that is not the app’s', async () => {
		const base = {
			client_id: 'extractions-brutes',
			response_type: 'code',
			scope: 'openid',
			redirect_uri: 'http://127.0.0.1:9/'
		};
		const noPkce = await fetch(`${issuer}/auth?${new URLSearchParams(base)}`, {
			redirect: 'manual'
		});
		expect(noPkce.headers.get('location')).toMatch(/error=invalid_request/);
		const elsewhere = await fetch(
			`${issuer}/auth?${new URLSearchParams({ ...base, redirect_uri: 'https://evil.example/' })}`,
			{ redirect: 'manual' }
		);
		expect(elsewhere.status).toBe(400);
		expect(await elsewhere.text()).toContain('Connexion impossible');
	});

	it('issues a JWT access token for the API’s audience, with the lifetime set', () => {
		expect(decodeProtectedHeader(alice.access_token)).toMatchObject({
			alg: 'RS256',
			typ: 'at+jwt'
		});
		const claims = decodeJwt(alice.access_token);
		expect(claims).toMatchObject({ iss: issuer, aud: API_AUDIENCE, sub: 'u-alice' });
		expect(claims.exp! - claims.iat!).toBe(60);
		expect(alice.expires_in).toBeLessThanOrEqual(60);
		expect(alice.refresh_token).toBeTruthy();
		expect(decodeJwt(alice.id_token!)).toMatchObject({ name: 'Alice Martin' });
	});

	it('rotates refresh tokens: a used one is refused', async () => {
		const first = await signInOverHttp(sandbox.origin, 'u-bob');
		const renewed = await refreshOverHttp(sandbox.origin, first.refresh_token!);
		expect(renewed.refresh_token).toBeTruthy();
		expect(renewed.refresh_token).not.toBe(first.refresh_token);
		expect(decodeJwt(renewed.access_token)).toMatchObject({ sub: 'u-bob', aud: API_AUDIENCE });
		expect((await me(renewed.access_token)).status).toBe(200);
		await expect(refreshOverHttp(sandbox.origin, first.refresh_token!)).rejects.toThrow(
			/invalid_grant/
		);
	});
});

describe('the API with the provider’s tokens', () => {
	it('accepts them: the account is the token’s subject', async () => {
		const response = await me(alice.access_token);
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({
			user: { id: 'u-alice', name: 'Alice Martin' },
			account: {
				type: 'structure',
				structureId: 'str-tnd-test',
				structureName: 'PLATEFORME TND TEST'
			}
		});
	});

	it('still accepts the demo tokens', async () => {
		expect((await me('sandbox-bob')).status).toBe(200);
	});

	it('refuses a tampered token (signature)', async () => {
		const [header, payload, signature] = alice.access_token.split('.') as [string, string, string];
		const flipped =
			signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
		expect(await refused(`${header}.${payload}.${flipped}`)).toBe(
			'Signature du jeton d’accès invalide.'
		);
		// Bob's claims on Alice's signature.
		const bobPayload = Buffer.from(
			JSON.stringify({ ...decodeJwt(alice.access_token), sub: 'u-bob' })
		).toString('base64url');
		expect(await refused(`${header}.${bobPayload}.${signature}`)).toBe(
			'Signature du jeton d’accès invalide.'
		);
	});

	it('refuses a token signed by another key under the provider’s key id', async () => {
		const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const key = await importJWK(privateKey.export({ format: 'jwk' }) as never, 'RS256');
		const forged = await new SignJWT({ ...decodeJwt(alice.access_token) })
			.setProtectedHeader({ ...decodeProtectedHeader(alice.access_token), alg: 'RS256' })
			.sign(key);
		expect(await refused(forged)).toBe('Signature du jeton d’accès invalide.');
	});

	it('refuses a token for another audience, from another issuer, expired', async () => {
		const claims = { sub: 'u-alice', iss: issuer, aud: API_AUDIENCE, iat: now(), exp: now() + 60 };
		expect((await me(await oidc().sign(claims))).status).toBe(200);
		expect(await refused(await oidc().sign({ ...claims, aud: 'urn:autre:api' }))).toBe(
			'Jeton d’accès destiné à une autre API (audience).'
		);
		expect(await refused(await oidc().sign({ ...claims, iss: 'http://127.0.0.1:1/oidc' }))).toBe(
			'Jeton d’accès d’un autre émetteur.'
		);
		expect(await refused(await oidc().sign({ ...claims, iat: now() - 120, exp: now() - 1 }))).toBe(
			'Jeton d’accès expiré.'
		);
		expect(await refused(await oidc().sign({ ...claims, sub: 'u-inconnu' }))).toBe(
			'Jeton d’accès d’un compte inconnu.'
		);
	});

	it('refuses an ID token in place of the access token', async () => {
		expect(await refused(alice.id_token!)).toMatch(/Jeton d’accès/);
	});
});
