/**
 * The standalone app's sign-in (SPEC §12): OpenID Connect, Authorization Code + PKCE, with
 * oidc-client-ts. Tokens live in this page's memory only (an InMemoryWebStorage): a reload signs
 * in again, silently when the provider's session is still open. The sign-in's own round trip
 * needs its `state` and PKCE verifier to survive the redirect, so those (never a token) sit in
 * sessionStorage until the callback consumes them.
 *
 * Renewal: before each request the access token is renewed if it is about to expire (refresh
 * token, rotated by the provider), so a long extraction goes on across any number of expiries;
 * after a 401 the API client asks once more with `{ refresh: true }`, and only when that renewal
 * fails is the session expired.
 */
import {
	InMemoryWebStorage,
	UserManager,
	WebStorageStateStore,
	type User,
	type UserManagerSettings
} from 'oidc-client-ts';
import type { TokenGetter } from '../api/client';
import type { AuthConfig } from '../config';

/** A sign-in failure, with a French message; the way out is a sign-in the user asks for. */
export class AuthError extends Error {
	override readonly name = 'AuthError';
}

export interface OidcAccount {
	/** Bearer token for the API, renewed before expiry; `{ refresh: true }` forces a renewal. */
	getToken: TokenGetter;
	/** Ends the provider's session too (RP-initiated logout): the page leaves. */
	signOut(): Promise<void>;
	/** A new sign-in with the provider's account choice: the page leaves. */
	switchAccount(): Promise<void>;
	/** Renewals done so far (refresh-token exchanges). */
	readonly renewals: number;
}

export type SignInOutcome =
	| { kind: 'signed-in'; account: OidcAccount }
	/** The page is on its way to the provider. */
	| { kind: 'redirecting' }
	/** Back from the provider's sign-out. */
	| { kind: 'signed-out' };

export interface OidcOptions {
	/** Where the provider sends the browser back: the app's root URL (registered with it). */
	appUrl: string;
	/** The page's current URL, maybe a callback (`?code=…&state=…`). */
	currentUrl: string;
	/** Replaces the address bar's URL without a navigation (SvelteKit's replaceState). */
	replaceUrl: (url: URL) => void;
	/** The renewal after a 401 failed: the session is over. */
	onExpired?: () => void;
	/** Tests inject theirs; default: the page's sessionStorage. */
	stateStorage?: Storage;
}

/** Query parameters of the provider's answers: removed from the address bar at once. */
const CALLBACK_PARAMS = [
	'code',
	'state',
	'session_state',
	'iss',
	'error',
	'error_description',
	'error_uri'
];
/** A sign-in started this recently and not come back: do not start another by itself. */
const ATTEMPT_KEY = 'extractions-brutes.oidc.attempt';
const ATTEMPT_WINDOW_MS = 60_000;
const STATE_PREFIX = 'extractions-brutes.oidc.';

const sameIssuer = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

function unreachable(issuer: string): AuthError {
	return new AuthError(
		`Le fournisseur d’identité est injoignable (${issuer}) : vérifiez votre connexion, ou l’adresse « auth.issuer » de la configuration, puis reconnectez-vous.`
	);
}

/** The provider's French-facing reason for a failed callback. */
function callbackError(error: unknown): AuthError {
	const e = error as { error?: string; message?: string };
	if (e.error === 'access_denied') return new AuthError('Connexion annulée.');
	if (e.error === 'login_required' || e.error === 'interaction_required') {
		return new AuthError('Le fournisseur d’identité demande une nouvelle connexion.');
	}
	if (/no matching state/i.test(e.message ?? '')) {
		return new AuthError(
			'La réponse de connexion ne correspond à aucune demande en cours (lien ancien, déjà utilisé ou ouvert dans un autre onglet) : reconnectez-vous.'
		);
	}
	if (e.error)
		return new AuthError(`Le fournisseur d’identité a refusé la connexion (${e.error}).`);
	return new AuthError(
		'La connexion a échoué : la réponse du fournisseur d’identité est invalide.'
	);
}

export function userManagerSettings(
	config: AuthConfig,
	appUrl: string,
	stateStorage: Storage
): UserManagerSettings {
	return {
		authority: config.issuer,
		client_id: config.clientId,
		scope: config.scope,
		redirect_uri: appUrl,
		post_logout_redirect_uri: appUrl,
		response_type: 'code',
		response_mode: 'query',
		userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
		stateStore: new WebStorageStateStore({ store: stateStorage, prefix: STATE_PREFIX }),
		// Renewal is ours (before each request), not a timer's: see renewIfDue.
		automaticSilentRenew: false,
		loadUserInfo: false,
		monitorSession: false,
		requestTimeoutInSeconds: 15,
		// A state left by an abandoned sign-in goes after 10 minutes.
		staleStateAgeInSeconds: 600
	};
}

/**
 * Signs in: finishes a callback if the URL is one, or goes to the provider. Throws AuthError
 * (French) for a wrong or unreachable provider and for a bad callback; never redirects by
 * itself twice in a row (a provider that comes back without an answer would loop).
 */
export async function signInWithOidc(
	config: AuthConfig,
	options: OidcOptions
): Promise<SignInOutcome> {
	const storage = options.stateStorage ?? sessionStorage;
	const manager = new UserManager(userManagerSettings(config, options.appUrl, storage));
	const url = new URL(options.currentUrl);
	const params = url.searchParams;
	const isCallback = params.has('state') && (params.has('code') || params.has('error'));
	const isSignOutReturn = params.has('state') && !isCallback;
	if (isCallback || isSignOutReturn) {
		// The code and state leave the address bar before anything else (history, bookmarks).
		const clean = new URL(url);
		for (const p of CALLBACK_PARAMS) clean.searchParams.delete(p);
		options.replaceUrl(clean);
	}

	let metadataIssuer: string | undefined;
	try {
		metadataIssuer = (await manager.metadataService.getMetadata()).issuer;
	} catch {
		throw unreachable(config.issuer);
	}
	if (!metadataIssuer || !sameIssuer(metadataIssuer, config.issuer)) {
		throw new AuthError(
			`Le fournisseur d’identité configuré (${config.issuer}) se présente comme « ${metadataIssuer ?? '?'} » : l’adresse « auth.issuer » de la configuration est à corriger.`
		);
	}
	void manager.clearStaleState().catch(() => {});

	if (isSignOutReturn) {
		await manager.signoutRedirectCallback(url.href).catch(() => {});
		return { kind: 'signed-out' };
	}
	if (isCallback) {
		storage.removeItem(ATTEMPT_KEY);
		let user: User;
		try {
			user = await manager.signinRedirectCallback(url.href);
		} catch (error) {
			throw callbackError(error);
		}
		// Back to the page the sign-in started from (a bookmark of Tâches), within the app only.
		const back = typeof user.state === 'string' ? user.state : null;
		const app = new URL(options.appUrl);
		if (back && back.startsWith(app.pathname) && !back.startsWith('//') && back !== app.pathname) {
			options.replaceUrl(new URL(back, app));
		}
		return { kind: 'signed-in', account: oidcAccount(manager, user, config, options) };
	}
	const attempted = Number(storage.getItem(ATTEMPT_KEY) ?? 0);
	if (Date.now() - attempted < ATTEMPT_WINDOW_MS) {
		storage.removeItem(ATTEMPT_KEY);
		throw new AuthError(
			'Le fournisseur d’identité a renvoyé vers l’application sans réponse de connexion : vérifiez l’adresse de retour enregistrée pour ce client, puis reconnectez-vous.'
		);
	}
	await redirectToSignIn(manager, storage, { returnTo: pathInApp(url, options.appUrl) });
	return { kind: 'redirecting' };
}

/** The page's path when it is the app's (never another origin's), to come back to after sign-in. */
function pathInApp(url: URL, appUrl: string): string | undefined {
	const app = new URL(appUrl);
	return url.origin === app.origin && url.pathname.startsWith(app.pathname)
		? url.pathname
		: undefined;
}

/** A sign-in the user asked for (« Se reconnecter »): no loop guard to pass. */
export async function signInAgain(config: AuthConfig, options: OidcOptions): Promise<void> {
	const storage = options.stateStorage ?? sessionStorage;
	const manager = new UserManager(userManagerSettings(config, options.appUrl, storage));
	try {
		await redirectToSignIn(manager, storage);
	} catch {
		throw unreachable(config.issuer);
	}
}

async function redirectToSignIn(
	manager: UserManager,
	storage: Storage,
	options: { prompt?: string; returnTo?: string | undefined } = {}
): Promise<void> {
	storage.setItem(ATTEMPT_KEY, String(Date.now()));
	await manager.signinRedirect({
		...(options.prompt ? { prompt: options.prompt } : {}),
		...(options.returnTo ? { state: options.returnTo } : {})
	});
}

function oidcAccount(
	manager: UserManager,
	first: User,
	config: AuthConfig,
	options: OidcOptions
): OidcAccount {
	let user = first;
	let obtainedAt = Date.now();
	let renewing: Promise<boolean> | null = null;
	let renewals = 0;
	const storage = options.stateStorage ?? sessionStorage;

	/** One renewal at a time, shared by every request (page and workers) that needs it. */
	const renew = (): Promise<boolean> =>
		(renewing ??= manager
			.signinSilent()
			.then((fresh) => {
				if (!fresh?.access_token) return false;
				user = fresh;
				obtainedAt = Date.now();
				renewals++;
				return true;
			})
			.catch(() => false)
			.finally(() => (renewing = null)));

	/** Renews when less than a quarter of the token's life is left (2 s to 60 s). */
	const renewIfDue = async () => {
		const expiresAt = (user.expires_at ?? Infinity) * 1000;
		const lifetime = expiresAt - obtainedAt;
		const margin = Math.min(60_000, Math.max(2_000, lifetime / 4));
		if (expiresAt - Date.now() <= margin) await renew();
	};

	return {
		async getToken(request) {
			if (request?.refresh) {
				if (!(await renew())) options.onExpired?.();
			} else {
				await renewIfDue();
			}
			return user.access_token;
		},
		async signOut() {
			const idToken = user.id_token;
			await manager.removeUser();
			try {
				await manager.signoutRedirect({
					...(idToken ? { id_token_hint: idToken } : {}),
					state: 'signed-out'
				});
			} catch {
				// No end-session endpoint: the app's side is signed out all the same.
				options.replaceUrl(new URL(`${options.appUrl}?state=signed-out`));
				location.reload();
			}
		},
		async switchAccount() {
			await manager.removeUser();
			await redirectToSignIn(manager, storage, { prompt: config.switchAccountPrompt });
		},
		get renewals() {
			return renewals;
		}
	};
}
