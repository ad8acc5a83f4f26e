/**
 * Run-time configuration of the standalone app: a `config.json` beside it, so that one build
 * serves any deployment (SPEC §10). Embedded, the host passes the same values to `mount()`.
 */
import * as v from 'valibot';
import type { TokenGetter } from './api/client';
import { PAGE_LIMIT_MAX } from './contract/spico';
import { DEFAULT_MAX_PERIOD_YEARS } from './core/request';

export const DEFAULT_RETENTION_DAYS = 7;

export const AppConfigSchema = v.object({
	/** Base URL of the SPICO API, absolute or relative to the page. */
	apiBaseUrl: v.pipe(v.string(), v.trim(), v.nonEmpty('adresse de l’API attendue')),
	/** Bearer token, for sandbox and demo deployments only: the embedded module gets `getToken`. */
	token: v.optional(v.pipe(v.string(), v.nonEmpty('jeton vide'))),
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
			v.minValue(1, 'au moins 1 jour')
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

/**
 * Validates the content of `config.json` (or an embedding host's options, named by `source` in
 * the messages) and fills in the defaults.
 */
export function parseConfig(data: unknown, source = 'config.json'): AppConfig {
	const r = v.safeParse(AppConfigSchema, data);
	if (!r.success) {
		const issue = r.issues[0];
		const path = (issue.path ?? []).map((p) => String(p.key)).join('.');
		throw new ConfigError(
			`Configuration invalide (${source})${path ? `, champ « ${path} »` : ''} : ${issue.message}.`
		);
	}
	const { apiBaseUrl, token, maxPeriodYears, retentionDays, tasksDatabase, pageSize } = r.output;
	return {
		apiBaseUrl,
		...(token === undefined ? {} : { token }),
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
	return parseConfig(data);
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
