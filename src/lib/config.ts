/**
 * Run-time configuration of the standalone app: a `config.json` beside it, so that one build
 * serves any deployment (SPEC §10). Embedded, the host passes the same values to `mount()`.
 */
import * as v from 'valibot';
import type { TokenGetter } from './api/client';
import { PAGE_LIMIT_MAX } from './contract/spico';
import { DEFAULT_MAX_PERIOD_YEARS } from './core/request';

export const DEFAULT_RETENTION_DAYS = 7;
export const DEFAULT_AUTH_SCOPE = 'openid profile';

/** OpenID Connect sign-in of the standalone app (SPEC §12): src/lib/auth. */
export const AuthConfigSchema = v.object({
	/** The provider's issuer; its discovery document is `{issuer}/.well-known/openid-configuration`. */
	issuer: v.pipe(v.string(), v.trim(), v.url('adresse du fournisseur d’identité attendue')),
	/** A public client (no secret) allowed Authorization Code + PKCE. */
	clientId: v.pipe(v.string(), v.trim(), v.nonEmpty('identifiant du client attendu')),
	scope: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty('portée attendue'))),
	/**
	 * The `prompt` of « Changer de compte »: `login` (default, understood by every provider) or
	 * `select_account` where the provider offers an account chooser.
	 */
	switchAccountPrompt: v.optional(
		v.picklist(['login', 'select_account'], 'login ou select_account attendu')
	)
});

export interface AuthConfig {
	issuer: string;
	clientId: string;
	scope: string;
	switchAccountPrompt: 'login' | 'select_account';
}

export const AppConfigSchema = v.object({
	/** Base URL of the SPICO API, absolute or relative to the page. */
	apiBaseUrl: v.pipe(v.string(), v.trim(), v.nonEmpty('adresse de l’API attendue')),
	/**
	 * Bearer token, a sandbox convenience: honoured only when the API is on this machine (loopback).
	 * Real deployments sign in with `auth`; the embedded module gets `getToken`.
	 */
	token: v.optional(v.pipe(v.string(), v.nonEmpty('jeton vide'))),
	auth: v.optional(AuthConfigSchema),
	maxPeriodYears: v.optional(
		v.pipe(
			v.number(),
			v.integer('nombre entier d’années attendu'),
			v.minValue(1, 'au moins 1 an'),
			v.maxValue(100, 'au plus 100 ans')
		)
	),
	retentionDays: v.optional(
		v.pipe(
			v.number(),
			v.integer('nombre entier de jours attendu'),
			v.minValue(1, 'au moins 1 jour'),
			// SPEC §7: a kept extraction is health data; a month is the longest it may rest here.
			v.maxValue(30, 'au plus 30 jours')
		)
	),
	/** The task database is `extractions-brutes:<tasksDatabase>` (default `taches`). */
	tasksDatabase: v.optional(
		v.pipe(
			v.string(),
			v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'nom simple attendu (lettres, chiffres, . _ -)')
		)
	),
	/** Items per API page: an API that serves smaller pages, or tests that want many pages. */
	pageSize: v.optional(
		v.pipe(
			v.number(),
			v.integer('nombre entier attendu'),
			v.minValue(1, 'au moins 1'),
			v.maxValue(PAGE_LIMIT_MAX, `au plus ${PAGE_LIMIT_MAX}`)
		)
	)
});

export interface AppConfig {
	apiBaseUrl: string;
	token?: string;
	auth?: AuthConfig;
	maxPeriodYears: number;
	retentionDays: number;
	tasksDatabase?: string;
	/** Unset: the engine sizes pages by the width of each file's rows (up to 5,000 items). */
	pageSize?: number;
}

/** A missing or invalid `config.json`, with a message for the user. */
export class ConfigError extends Error {
	override readonly name = 'ConfigError';
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** Whether `url` (resolved against `base`) names this machine; false when it cannot be told. */
export function isLoopbackUrl(url: string, base?: string): boolean {
	try {
		const { hostname, protocol } = new URL(url, base);
		return (protocol === 'http:' || protocol === 'https:') && LOOPBACK.test(hostname);
	} catch {
		return false;
	}
}

/**
 * Validates the content of `config.json` (or an embedding host's options, named by `source` in
 * the messages) and fills in the defaults. `base` resolves a relative `apiBaseUrl` (the page's
 * address), to tell whether the API is on this machine.
 */
export function parseConfig(data: unknown, source = 'config.json', base?: string): AppConfig {
	const r = v.safeParse(AppConfigSchema, data);
	if (!r.success) {
		const issue = r.issues[0];
		const path = (issue.path ?? []).map((p) => String(p.key)).join('.');
		throw new ConfigError(
			`Configuration invalide (${source})${path ? `, champ « ${path} »` : ''} : ${issue.message}.`
		);
	}
	const { apiBaseUrl, token, auth, maxPeriodYears, retentionDays, tasksDatabase, pageSize } =
		r.output;
	// A bearer token in a public file is a demo convenience: anywhere but on this machine it would
	// hand every visitor the account (SPEC §12).
	if (token !== undefined && !isLoopbackUrl(apiBaseUrl, base)) {
		throw new ConfigError(
			`Configuration refusée (${source}) : le champ « token » n’est accepté que pour une API sur ce poste (localhost, 127.0.0.1), pas pour ${apiBaseUrl}. Un jeton écrit dans un fichier public donnerait le compte à tout visiteur : retirez « token » et configurez la connexion « auth » (OpenID Connect).`
		);
	}
	if (auth && new URL(auth.issuer).protocol !== 'https:' && !isLoopbackUrl(auth.issuer)) {
		throw new ConfigError(
			`Configuration refusée (${source}), champ « auth.issuer » : le fournisseur d’identité doit être en https (${auth.issuer}).`
		);
	}
	return {
		apiBaseUrl,
		...(token === undefined ? {} : { token }),
		...(auth === undefined
			? {}
			: {
					auth: {
						issuer: auth.issuer,
						clientId: auth.clientId,
						scope: auth.scope ?? DEFAULT_AUTH_SCOPE,
						switchAccountPrompt: auth.switchAccountPrompt ?? 'login'
					}
				}),
		maxPeriodYears: maxPeriodYears ?? DEFAULT_MAX_PERIOD_YEARS,
		retentionDays: retentionDays ?? DEFAULT_RETENTION_DAYS,
		...(tasksDatabase === undefined ? {} : { tasksDatabase }),
		...(pageSize === undefined ? {} : { pageSize })
	};
}

export interface LoadConfigOptions {
	/** Where `config.json` is; default: beside the app (`document.baseURI`). */
	url?: string | URL;
	fetch?: typeof fetch;
	signal?: AbortSignal;
}

/** Fetches and validates `config.json`; every failure is a ConfigError in French. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<AppConfig> {
	const url = options.url ?? new URL('config.json', document.baseURI);
	const doFetch = options.fetch ?? fetch;
	let response: Response;
	try {
		// no-store: a redeployed config must be seen at the next load, not a cached one.
		response = await doFetch(url, { cache: 'no-store', signal: options.signal });
	} catch (error) {
		if (error instanceof DOMException && error.name === 'AbortError') throw error;
		throw new ConfigError(
			'Impossible de charger la configuration (config.json) : réseau indisponible.'
		);
	}
	if (!response.ok) {
		throw new ConfigError(
			response.status === 404
				? 'Configuration absente : le fichier config.json est introuvable à côté de l’application.'
				: `Impossible de charger la configuration (config.json) : erreur ${response.status}.`
		);
	}
	let data: unknown;
	try {
		data = await response.json();
	} catch {
		throw new ConfigError('Configuration illisible : config.json n’est pas un JSON valide.');
	}
	return parseConfig(data, 'config.json', String(url));
}

/**
 * The standalone app's `getToken`: the token of config.json. After a 401 the client asks for a
 * fresh one, and config.json is read again (a deployment may have rotated it); concurrent asks
 * share one read, and a failed read keeps the token it had (the replay then says the session
 * expired).
 */
export function configTokenSource(
	config: Pick<AppConfig, 'token'>,
	reload: () => Promise<Pick<AppConfig, 'token'>> = () => loadConfig()
): TokenGetter {
	let token = config.token ?? null;
	let reading: Promise<void> | null = null;
	return async (request) => {
		if (request?.refresh) {
			reading ??= reload()
				.then((fresh) => {
					token = fresh.token ?? null;
				})
				.catch(() => {})
				.finally(() => (reading = null));
			await reading;
		}
		return token;
	};
}
