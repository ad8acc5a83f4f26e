/**
 * The sandbox's OpenID Connect provider (SPEC §12): `oidc-provider` with the three demo users, a
 * one-click French login page, Authorization Code + PKCE for the app (a public client), JWT
 * access tokens for the API's audience (resource indicators), and refresh tokens that rotate, so
 * that the app renews without leaving the page. Mounted at `/oidc` of whatever serves the sandbox;
 * the issuer is `http://<host>/oidc` for the host the browser used (one provider per loopback
 * host, sharing one signing key), since in development that host is only known per request.
 */
import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT, importJWK, type JWTPayload } from 'jose';
import Provider, {
	errors,
	interactionPolicy,
	type Configuration,
	type KoaContextWithOIDC
} from 'oidc-provider';
import { SANDBOX_ACCOUNTS } from '../generator.ts';
import {
	API_AUDIENCE,
	API_SCOPE,
	CLIENT_ID,
	DEFAULT_SCOPE,
	DEFAULT_TOKEN_TTL_SECONDS,
	LOOPBACK_HOSTS,
	OIDC_PATH,
	issuerForHost
} from './constants.ts';
import { memoryAdapters } from './memory-adapter.ts';
import { loginPage, logoutPage, providerErrorPage, signedOutPage } from './pages.ts';

export interface OidcStats {
	/** Sign-ins completed on the login page. */
	logins: number;
	/** Access tokens issued by exchanging a code. */
	codeGrants: number;
	/** Access tokens issued by a refresh token (silent renewals). */
	refreshGrants: number;
}

export interface SandboxOidcOptions {
	/** Lifetime of access and ID tokens; short ones test renewal (`--token-ttl`). */
	tokenTtlSeconds?: number;
}

/** The signing key, shared by the providers of every host; its public half checks the tokens. */
interface SigningKey {
	privateJwk: JsonWebKey;
	publicJwk: JsonWebKey;
}

function signingKey(): SigningKey {
	const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const kid = `sandbox-${randomBytes(6).toString('hex')}`;
	return {
		privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
		publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }
	};
}

/** Same loopback address and path, any port (RFC 8252 §7.3, for the app's dev and test ports). */
function loopbackMatch(value: string, registered: readonly string[]): boolean {
	let parsed: URL;
	try {
		parsed = new URL(value);
	} catch {
		return false;
	}
	if (parsed.protocol !== 'http:' || !LOOPBACK_HOSTS.has(parsed.hostname)) return false;
	parsed.port = '';
	return registered.some((r) => {
		const allowed = new URL(r);
		allowed.port = '';
		return allowed.href === parsed.href;
	});
}

const APP_URIS = ['http://127.0.0.1/', 'http://localhost/', 'http://[::1]/'];

/**
 * The default prompts, less the consent oidc-provider asks of native clients at every sign-in:
 * the client is "native" only for its loopback redirect URIs, and the demo users consent once.
 */
function prompts() {
	const policy = interactionPolicy.base();
	policy.get('consent')?.checks.remove('native_client_prompt');
	return policy;
}

function configuration(key: SigningKey, ttl: number): Configuration {
	const account = (id: string) => SANDBOX_ACCOUNTS.find((a) => a.userId === id);
	return {
		clients: [
			{
				client_id: CLIENT_ID,
				client_name: 'Extractions brutes',
				// Native: its loopback redirect URIs match on any port (the app's dev and test ports).
				application_type: 'native',
				token_endpoint_auth_method: 'none',
				grant_types: ['authorization_code', 'refresh_token'],
				response_types: ['code'],
				redirect_uris: APP_URIS,
				post_logout_redirect_uris: APP_URIS
			}
		],
		adapter: memoryAdapters(),
		responseTypes: ['code'],
		jwks: { keys: [key.privateJwk as never] },
		cookies: { keys: [randomBytes(32).toString('base64url')] },
		pkce: { required: () => true, methods: ['S256'] },
		scopes: ['openid', 'profile', API_SCOPE],
		claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
		// The ID token says who signed in; there is no userinfo endpoint to ask.
		conformIdTokenClaims: false,
		async findAccount(_ctx, id) {
			const a = account(id);
			if (!a) return undefined;
			return {
				accountId: a.userId,
				claims: () => ({ sub: a.userId, name: a.userName, preferred_username: a.userId })
			};
		},
		features: {
			devInteractions: { enabled: false },
			userinfo: { enabled: false },
			// Every access token is a JWT for the API, whatever the client asked.
			resourceIndicators: {
				enabled: true,
				defaultResource: () => API_AUDIENCE,
				useGrantedResource: () => true,
				getResourceServerInfo: (_ctx, resource) => {
					if (resource !== API_AUDIENCE) throw new errors.InvalidTarget();
					return {
						scope: API_SCOPE,
						audience: API_AUDIENCE,
						accessTokenTTL: ttl,
						accessTokenFormat: 'jwt',
						jwt: { sign: { alg: 'RS256' } }
					};
				}
			},
			rpInitiatedLogout: {
				enabled: true,
				logoutSource: async (ctx, form) => {
					ctx.body = logoutPage(form);
				},
				postLogoutSuccessSource: async (ctx) => {
					ctx.body = signedOutPage();
				}
			}
		},
		// The app is a public client in a browser: refresh tokens, rotated at each use.
		issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
		rotateRefreshToken: true,
		ttl: {
			AccessToken: ttl,
			IdToken: ttl,
			AuthorizationCode: 60,
			Interaction: 600,
			RefreshToken: 8 * 3600,
			Session: 8 * 3600,
			Grant: 8 * 3600
		},
		interactions: {
			policy: prompts(),
			url: (_ctx, interaction) => `${OIDC_PATH}/interaction/${interaction.uid}`
		},
		// Browsers on loopback origins only: the sandbox's app in dev and tests.
		clientBasedCORS: (_ctx, origin) => loopbackMatch(`${origin}/`, APP_URIS),
		renderError: async (ctx, out) => {
			ctx.type = 'html';
			ctx.body = providerErrorPage({ ...out });
		}
	};
}

/** Everything needed to check the provider's tokens: its issuers and public key. */
export interface OidcVerificationKeys {
	issuers: () => string[];
	publicJwk: JsonWebKey;
}

export class SandboxOidc implements OidcVerificationKeys {
	readonly stats: OidcStats = { logins: 0, codeGrants: 0, refreshGrants: 0 };
	readonly tokenTtlSeconds: number;
	readonly #key = signingKey();
	readonly #providers = new Map<string, Provider>();

	constructor(options: SandboxOidcOptions = {}) {
		const ttl = options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
		if (!Number.isInteger(ttl) || ttl < 5 || ttl > 86_400) {
			throw new Error(`durée des jetons invalide : ${ttl} (entier de 5 à 86400 secondes attendu)`);
		}
		this.tokenTtlSeconds = ttl;
	}

	get publicJwk(): JsonWebKey {
		return this.#key.publicJwk;
	}

	issuers(): string[] {
		return [...this.#providers.keys()];
	}

	/**
	 * A JWT access token signed with the provider's key, with the claims given: the tests forge
	 * the ones the provider would never issue (another audience, already expired).
	 */
	async sign(claims: JWTPayload): Promise<string> {
		const key = await importJWK(this.#key.privateJwk as never, 'RS256');
		return new SignJWT(claims)
			.setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: String(this.#key.privateJwk.kid) })
			.sign(key);
	}

	/** The provider of `issuer` (`http://127.0.0.1:8787/oidc`), created on first use. */
	provider(issuer: string): Provider {
		let provider = this.#providers.get(issuer);
		if (!provider) {
			provider = new Provider(issuer, configuration(this.#key, this.tokenTtlSeconds));
			// Post-logout URIs match on any loopback port, like the redirect URIs.
			const client = provider.Client.prototype as {
				postLogoutRedirectUriAllowed(v: string): boolean;
			};
			client.postLogoutRedirectUriAllowed = (value: string) => loopbackMatch(value, APP_URIS);
			provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
				const grant = (ctx.oidc.params as { grant_type?: string } | undefined)?.grant_type;
				if (grant === 'refresh_token') this.stats.refreshGrants++;
				else if (grant === 'authorization_code') this.stats.codeGrants++;
			});
			this.#providers.set(issuer, provider);
		}
		return provider;
	}

	/** Serves `/oidc/…`: the login page, then the provider's own endpoints. */
	serve(req: IncomingMessage, res: ServerResponse): void {
		const issuer = issuerForHost(req.headers.host);
		if (!issuer) {
			res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
			res.end('Fournisseur du bac à sable : adresse locale (127.0.0.1, localhost) attendue.');
			return;
		}
		const provider = this.provider(issuer);
		const path = new URL(req.url ?? '/', 'http://x').pathname;
		const interaction = /^\/oidc\/interaction\/([A-Za-z0-9_-]+)(\/login|\/abort)?$/.exec(path);
		if (interaction) {
			void this.#interaction(provider, req, res, interaction[2] ?? '').catch((error: unknown) =>
				this.#failed(res, error)
			);
			return;
		}
		// oidc-provider routes on the path below its mount point and rebuilds URLs from originalUrl.
		const mounted = req as IncomingMessage & { originalUrl?: string };
		mounted.originalUrl = req.url;
		req.url = (req.url ?? '/').slice(OIDC_PATH.length) || '/';
		void provider.callback()(req, res);
	}

	async #interaction(
		provider: Provider,
		req: IncomingMessage,
		res: ServerResponse,
		action: string
	): Promise<void> {
		const details = await provider.interactionDetails(req, res);
		if (action === '' && req.method === 'GET') {
			res.writeHead(200, {
				'Content-Type': 'text/html; charset=utf-8',
				'Cache-Control': 'no-store',
				// No form-action: the login form's redirects end on the app, another origin.
				'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'"
			});
			res.end(loginPage(details.uid, SANDBOX_ACCOUNTS));
			return;
		}
		if (req.method !== 'POST') {
			res.writeHead(405, { Allow: 'POST' }).end();
			return;
		}
		if (action === '/abort') {
			await provider.interactionFinished(
				req,
				res,
				{ error: 'access_denied', error_description: 'Connexion annulée.' },
				{ mergeWithLastSubmission: false }
			);
			return;
		}
		const form = new URLSearchParams(await readForm(req));
		const account = SANDBOX_ACCOUNTS.find((a) => a.userId === form.get('account'));
		if (!account) {
			res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
			res.end('Compte inconnu.');
			return;
		}
		// The demo users consent once and for all: a grant covering what the app asks.
		const clientId = String(details.params['client_id']);
		const grant = new provider.Grant({ clientId, accountId: account.userId });
		const scope =
			typeof details.params['scope'] === 'string' ? details.params['scope'] : DEFAULT_SCOPE;
		const known = new Set(['openid', 'profile', API_SCOPE]);
		grant.addOIDCScope(
			scope
				.split(' ')
				.filter((s) => known.has(s))
				.join(' ') || 'openid'
		);
		grant.addResourceScope(API_AUDIENCE, API_SCOPE);
		const grantId = await grant.save();
		this.stats.logins++;
		await provider.interactionFinished(
			req,
			res,
			{ login: { accountId: account.userId }, consent: { grantId } },
			{ mergeWithLastSubmission: false }
		);
	}

	#failed(res: ServerResponse, error: unknown): void {
		if (res.headersSent) {
			res.destroy();
			return;
		}
		const expired = error instanceof errors.SessionNotFound;
		res.writeHead(expired ? 400 : 500, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end(
			providerErrorPage({
				error: expired ? 'session_not_found' : 'server_error',
				error_description: expired
					? 'Cette page de connexion a expiré : revenez à l’application et reconnectez-vous.'
					: 'Erreur interne du fournisseur du bac à sable.'
			})
		);
	}
}

function readForm(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		let body = '';
		req.setEncoding('utf8');
		req.on('data', (chunk: string) => {
			body += chunk;
			if (body.length > 10_000) req.destroy(new Error('formulaire trop long'));
		});
		req.on('end', () => resolve(body));
		req.on('error', reject);
	});
}
