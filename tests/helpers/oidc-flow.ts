/**
 * The sandbox provider's Authorization Code + PKCE flow over plain HTTP, as a browser would go
 * through it (cookies, redirects, the one-click login form): for contract tests that need real
 * tokens without a browser.
 */
import { createHash, randomBytes } from 'node:crypto';

export const CLIENT_ID = 'extractions-brutes';
/** Any loopback port matches the client's registered `http://127.0.0.1/`. */
export const REDIRECT_URI = 'http://127.0.0.1:9/';

export interface TokenSet {
	access_token: string;
	refresh_token?: string;
	id_token?: string;
	expires_in: number;
	token_type: string;
}

class Jar {
	readonly #cookies = new Map<string, string>();
	take(response: Response) {
		for (const line of response.headers.getSetCookie()) {
			const [pair] = line.split(';');
			const eq = pair!.indexOf('=');
			const name = pair!.slice(0, eq).trim();
			const value = pair!.slice(eq + 1).trim();
			if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
			else this.#cookies.set(name, value);
		}
	}
	header(): string {
		return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}
}

async function step(jar: Jar, url: string, init: RequestInit = {}): Promise<string> {
	const response = await fetch(url, {
		...init,
		redirect: 'manual',
		headers: { ...(init.headers as Record<string, string>), Cookie: jar.header() }
	});
	jar.take(response);
	const location = response.headers.get('location');
	if (response.status < 300 || response.status >= 400 || !location) {
		throw new Error(`${url}: ${response.status} ${(await response.text()).slice(0, 300)}`);
	}
	return new URL(location, url).href;
}

/** Signs `userId` (u-alice, u-bob, u-claire) in at the provider of `origin`; its tokens. */
export async function signInOverHttp(origin: string, userId: string): Promise<TokenSet> {
	const jar = new Jar();
	const verifier = randomBytes(32).toString('base64url');
	const challenge = createHash('sha256').update(verifier).digest('base64url');
	const auth = new URL(`${origin}/oidc/auth`);
	auth.search = new URLSearchParams({
		client_id: CLIENT_ID,
		response_type: 'code',
		redirect_uri: REDIRECT_URI,
		scope: 'openid profile spico',
		state: randomBytes(8).toString('hex'),
		code_challenge: challenge,
		code_challenge_method: 'S256'
	}).toString();
	const interaction = await step(jar, auth.href);
	const resume = await step(jar, `${interaction}/login`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ account: userId }).toString()
	});
	const callback = new URL(await step(jar, resume));
	const code = callback.searchParams.get('code');
	if (!code) throw new Error(`pas de code : ${callback.href}`);
	return tokenRequest(origin, {
		grant_type: 'authorization_code',
		code,
		redirect_uri: REDIRECT_URI,
		client_id: CLIENT_ID,
		code_verifier: verifier
	});
}

export async function refreshOverHttp(origin: string, refreshToken: string): Promise<TokenSet> {
	return tokenRequest(origin, {
		grant_type: 'refresh_token',
		refresh_token: refreshToken,
		client_id: CLIENT_ID
	});
}

async function tokenRequest(origin: string, form: Record<string, string>): Promise<TokenSet> {
	const response = await fetch(`${origin}/oidc/token`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(form).toString()
	});
	const body = (await response.json()) as TokenSet & { error?: string };
	if (!response.ok) throw new Error(`token : ${response.status} ${body.error ?? ''}`);
	return body;
}
