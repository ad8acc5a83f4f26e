/**
 * Fault injection for the sandbox (SPEC §9): switched on by CLI flags, the options object or
 * `POST /__sandbox/faults`. Decisions come from request counters, never from chance, so a test
 * knows which request fails.
 */
import * as v from 'valibot';
import { LIST_ITEM_SCHEMAS, type ListName } from '../src/lib/contract/spico.ts';
import { hasPrototypeSegment } from './http-guard.ts';

const LIST_NAMES = Object.keys(LIST_ITEM_SCHEMAS) as ListName[];
const Whole = v.pipe(v.number(), v.integer(), v.minValue(0));
const Positive = v.pipe(v.number(), v.integer(), v.minValue(1));

export const FaultConfigSchema = v.strictObject({
	/** Delay before every API response. */
	latencyMs: v.optional(v.pipe(Whole, v.maxValue(120_000))),
	/** Share of API requests answered with `errorStatus` (0.25 → every 4th request). */
	errorRate: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
	errorStatus: v.optional(v.picklist([500, 502, 503, 504])),
	/** The first N API requests pass; every later one gets 401 (an expired token). */
	unauthorizedAfter: v.optional(Whole),
	/**
	 * The first N API requests pass; then every token presented so far expires: only a newer
	 * generation of it (`sandbox-alice.2` after `sandbox-alice`) is accepted, as after a refresh.
	 */
	expireTokenAfter: v.optional(Whole),
	/** Every Nth API request gets `throttleStatus` with `Retry-After`. */
	throttleEvery: v.optional(Positive),
	throttleStatus: v.optional(v.picklist([429, 503])),
	retryAfterSeconds: v.optional(Whole),
	/** In every page of `list`, item `index` gets a wrong-typed `field` (dotted path). */
	malformed: v.optional(
		v.strictObject({
			list: v.picklist(LIST_NAMES),
			index: Whole,
			field: v.pipe(
				v.string(),
				v.minLength(1),
				v.check((f) => !hasPrototypeSegment(f), 'clé de prototype refusée')
			),
			value: v.optional(v.unknown())
		})
	),
	/** Every Nth API request: the connection is cut halfway through the response body. */
	dropEvery: v.optional(Positive),
	/**
	 * API responses say `Cache-Control: public, max-age=3600` instead of `no-store`: a browser
	 * that honoured them would keep pages of patient data on disk (the module must not).
	 */
	cacheableHeaders: v.optional(v.boolean()),
	/** Pages of `list` announce this `total` instead of the true one (an API that lies). */
	announcedTotal: v.optional(v.strictObject({ list: v.picklist(LIST_NAMES), total: Whole })),
	/**
	 * Requests of the structures' routes get a 307 to the same path and query at this origin
	 * (`http://127.0.0.1:9999`): a redirect the module must not follow.
	 */
	redirectTo: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\/[^/?#]+$/, 'origine attendue'))),
	/** Before each follow-up page (a request with a cursor) of `list`, rows change. */
	mutateBetweenPages: v.optional(
		v.strictObject({
			list: v.picklist(LIST_NAMES),
			insert: v.optional(Whole),
			delete: v.optional(Whole)
		})
	)
});
export type FaultConfig = v.InferOutput<typeof FaultConfigSchema>;

export type FaultDecision =
	| { kind: 'pass'; drop: boolean }
	| { kind: 'respond'; status: number; retryAfterSeconds: number | null; drop: boolean };

/** Checks a fault configuration; the message names the first bad member, in French. */
export function parseFaultConfig(input: unknown): FaultConfig {
	const r = v.safeParse(FaultConfigSchema, input);
	if (r.success) return r.output;
	const issue = r.issues[0];
	const path = (issue.path ?? []).map((p) => String(p.key)).join('.') || '(racine)';
	throw new Error(`Configuration de pannes invalide, « ${path} » : ${issue.message}`);
}

/**
 * A sandbox token and its generation: `sandbox-alice.3` is generation 3 of `sandbox-alice`, the
 * bare token generation 1. Every generation opens the same account.
 */
export function tokenGeneration(token: string): { base: string; generation: number } {
	const m = /^(.+)\.(\d{1,6})$/.exec(token);
	return m ? { base: m[1]!, generation: Number(m[2]) } : { base: token, generation: 1 };
}

export class FaultInjector {
	#config: FaultConfig = {};
	#requests = 0;
	#errorCredit = 0;
	#aborted = 0;
	/** Newest generation seen per token, and, once expired, the newest one refused. */
	#generations = new Map<string, number>();
	#expired: Map<string, number> | null = null;

	constructor(config: FaultConfig = {}) {
		this.set(config);
	}

	get config(): FaultConfig {
		return this.#config;
	}

	/** API requests counted since the configuration was last set. */
	get requests(): number {
		return this.#requests;
	}

	/** API requests whose client went away before the answer was complete (aborted). */
	get aborted(): number {
		return this.#aborted;
	}

	noteAborted(): void {
		this.#aborted++;
	}

	/** Replaces the configuration and restarts the counters. */
	set(config: unknown): void {
		this.#config = parseFaultConfig(config);
		this.#requests = 0;
		this.#errorCredit = 0;
		this.#aborted = 0;
		this.#generations.clear();
		this.#expired = null;
	}

	reset(): void {
		this.set({});
	}

	get latencyMs(): number {
		return this.#config.latencyMs ?? 0;
	}

	/** The total pages of `list` announce instead of the true one, or null. */
	announcedTotal(list: ListName): number | null {
		const a = this.#config.announcedTotal;
		return a && a.list === list ? a.total : null;
	}

	/** Where a request of `path` (under the mount) is redirected, or null (`redirectTo`). */
	redirectLocation(path: string, search: string): string | null {
		const origin = this.#config.redirectTo;
		return origin && path.startsWith('/structures/') ? `${origin}/api/v1${path}${search}` : null;
	}

	/** Headers that replace the API's own on a successful response (`cacheableHeaders`). */
	responseHeaders(): Record<string, string> {
		return this.#config.cacheableHeaders ? { 'Cache-Control': 'public, max-age=3600' } : {};
	}

	/** The fate of the next API request, which carries `token` (null: none). */
	next(token: string | null = null): FaultDecision {
		const c = this.#config;
		const n = ++this.#requests;
		const drop = c.dropEvery !== undefined && n % c.dropEvery === 0;
		if (c.unauthorizedAfter !== undefined && n > c.unauthorizedAfter) {
			return { kind: 'respond', status: 401, retryAfterSeconds: null, drop };
		}
		if (c.expireTokenAfter !== undefined && token !== null) {
			const { base, generation } = tokenGeneration(token);
			this.#generations.set(base, Math.max(generation, this.#generations.get(base) ?? 0));
			if (n > c.expireTokenAfter) this.#expired ??= new Map(this.#generations);
			if (generation <= (this.#expired?.get(base) ?? 0)) {
				return { kind: 'respond', status: 401, retryAfterSeconds: null, drop };
			}
		}
		if (c.throttleEvery !== undefined && n % c.throttleEvery === 0) {
			const status = c.throttleStatus ?? 429;
			return { kind: 'respond', status, retryAfterSeconds: c.retryAfterSeconds ?? 1, drop };
		}
		if (c.errorRate) {
			// A credit that fills by `errorRate` per request: deterministic, and exact on average.
			this.#errorCredit += c.errorRate;
			if (this.#errorCredit >= 1 - 1e-9) {
				this.#errorCredit -= 1;
				return { kind: 'respond', status: c.errorStatus ?? 500, retryAfterSeconds: null, drop };
			}
		}
		return { kind: 'pass', drop };
	}

	/** Row changes to make before a follow-up page of `list`, or null. */
	mutation(list: ListName): { insert: number; remove: number } | null {
		const m = this.#config.mutateBetweenPages;
		if (!m || m.list !== list) return null;
		return { insert: m.insert ?? 1, remove: m.delete ?? 1 };
	}

	/** Breaks the configured item of a page of `list` (items as JSON text), in place. */
	malform(list: ListName, items: string[]): void {
		const m = this.#config.malformed;
		const text = m && m.list === list ? items[m.index] : undefined;
		if (!m || text === undefined) return;
		const item = JSON.parse(text) as Record<string, unknown>;
		const keys = m.field.split('.');
		let parent = item;
		for (const key of keys.slice(0, -1)) {
			// Own fields only: a path never walks into a prototype (the schema refuses those keys).
			if (!Object.hasOwn(parent, key)) return;
			const child = parent[key];
			if (child === null || typeof child !== 'object') return;
			parent = child as Record<string, unknown>;
		}
		const leaf = keys[keys.length - 1] as string;
		parent[leaf] = 'value' in m ? m.value : wrongValue(parent[leaf], m.field);
		items[m.index] = JSON.stringify(item);
	}
}

/** A value of the wrong type for the field: a number for a text, an object for anything else. */
function wrongValue(current: unknown, field: string): unknown {
	// Form values accept numbers, so only an object is wrong there.
	if (typeof current === 'string' && !field.startsWith('values.')) return 12345;
	return { invalide: true };
}

// --- CLI flags -----------------------------------------------------------------------------------

/** Flags for node:util parseArgs; every value is a string, checked by `faultsFromFlags`. */
export const FAULT_FLAGS = {
	latency: { type: 'string' },
	'error-rate': { type: 'string' },
	'error-status': { type: 'string' },
	'unauthorized-after': { type: 'string' },
	'expire-token-after': { type: 'string' },
	'throttle-every': { type: 'string' },
	'throttle-status': { type: 'string' },
	'retry-after': { type: 'string' },
	malformed: { type: 'string' },
	'drop-every': { type: 'string' },
	mutate: { type: 'string' }
} as const;

type FlagValues = Partial<Record<keyof typeof FAULT_FLAGS, string>>;

function num(flag: string, value: string): number {
	const n = Number(value);
	if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`--${flag} : nombre attendu`);
	return n;
}

/**
 * `--malformed <list>:<index>:<field>` and `--mutate <list>[:<insert>[:<delete>]]`; the others
 * are plain numbers.
 */
export function faultsFromFlags(flags: FlagValues): FaultConfig {
	const c: Record<string, unknown> = {};
	if (flags.latency !== undefined) c['latencyMs'] = num('latency', flags.latency);
	if (flags['error-rate'] !== undefined) c['errorRate'] = num('error-rate', flags['error-rate']);
	if (flags['error-status'] !== undefined)
		c['errorStatus'] = num('error-status', flags['error-status']);
	if (flags['unauthorized-after'] !== undefined)
		c['unauthorizedAfter'] = num('unauthorized-after', flags['unauthorized-after']);
	if (flags['expire-token-after'] !== undefined)
		c['expireTokenAfter'] = num('expire-token-after', flags['expire-token-after']);
	if (flags['throttle-every'] !== undefined)
		c['throttleEvery'] = num('throttle-every', flags['throttle-every']);
	if (flags['throttle-status'] !== undefined)
		c['throttleStatus'] = num('throttle-status', flags['throttle-status']);
	if (flags['retry-after'] !== undefined)
		c['retryAfterSeconds'] = num('retry-after', flags['retry-after']);
	if (flags['drop-every'] !== undefined) c['dropEvery'] = num('drop-every', flags['drop-every']);
	if (flags.malformed !== undefined) {
		const [list, index, ...field] = flags.malformed.split(':');
		c['malformed'] = { list, index: num('malformed', index ?? ''), field: field.join(':') };
	}
	if (flags.mutate !== undefined) {
		const [list, insert, remove] = flags.mutate.split(':');
		c['mutateBetweenPages'] = {
			list,
			...(insert !== undefined ? { insert: num('mutate', insert) } : {}),
			...(remove !== undefined ? { delete: num('mutate', remove) } : {})
		};
	}
	return parseFaultConfig(c);
}
