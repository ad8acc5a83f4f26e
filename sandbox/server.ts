/**
 * The sandbox API (SPEC §8, §9) over plain node:http: a request handler usable as Vite/connect
 * middleware, and a standalone server for tests and benchmarks. Only synthetic data, hence the
 * open CORS.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as v from 'valibot';
import {
	ExtractionEventSchema,
	PAGE_LIMIT_MAX,
	STATUS_CODES,
	isIsoDate,
	type ExtractionEvent,
	type ListName,
	type StatusCode
} from '../src/lib/contract/spico.ts';
import { openSandboxDb, type SqliteDb } from './db.ts';
import { FaultInjector, tokenGeneration, type FaultConfig, type FaultDecision } from './faults.ts';
import { isJsonContentType, prototypeKeyPath, requestUrl } from './http-guard.ts';
import { DEFAULT_SEED, type Scale } from './generator.ts';
import { parisToday } from './paris.ts';
import { SandboxStore, type ListRequest } from './store.ts';

export const DEFAULT_MOUNT_PATH = '/api/v1';
export const CONTROL_PATH = '/__sandbox';
export const DEFAULT_PAGE_LIMIT = 1000;
const MAX_BODY_BYTES = 1_000_000;

export interface SandboxOptions {
	scale?: Scale;
	seed?: number;
	/** Paris day used as "today" by the scope (`YYYY-MM-DD`); default: the real day, per request. */
	today?: string;
	faults?: FaultConfig;
	/** Where the API is served; the control endpoints stay under `/__sandbox`. */
	mountPath?: string;
	cacheDir?: string;
	/** Serve this database instead of the cached one of (scale, seed): fixtures. */
	db?: SqliteDb;
	/** Progress of a first-time generation (share done, 0..1). */
	onProgress?: (done: number) => void;
}

export interface StoredExtractionEvent {
	id: string;
	structureId: string;
	receivedAt: string;
	event: ExtractionEvent;
}

export type Next = (error?: unknown) => void;

export interface SandboxHandler {
	(req: IncomingMessage, res: ServerResponse, next?: Next): void;
	readonly store: SandboxStore;
	readonly faults: FaultInjector;
	/** Audit events received, oldest first. */
	readonly events: StoredExtractionEvent[];
	/** Set when the database had to be generated at start. */
	readonly generated: { ms: number; bytes: number } | null;
	close(): void;
}

// --- Replies -------------------------------------------------------------------------------------

interface Reply {
	status: number;
	headers?: Record<string, string>;
	body?: string;
	type?: string;
}

const TITLES: Readonly<Record<number, string>> = {
	400: 'Requête invalide',
	415: 'Type de contenu non accepté',
	401: 'Authentification requise',
	403: 'Accès refusé',
	404: 'Ressource introuvable',
	405: 'Méthode non autorisée',
	409: 'Conflit',
	413: 'Corps de requête trop volumineux',
	422: 'Paramètres invalides',
	429: 'Trop de requêtes',
	500: 'Erreur interne du bac à sable',
	502: 'Passerelle en erreur',
	503: 'Service indisponible',
	504: 'Passerelle hors délai'
};

class Problem extends Error {
	constructor(
		readonly status: number,
		readonly detail: string,
		readonly extra: Record<string, unknown> = {},
		readonly headers: Record<string, string> = {}
	) {
		super(detail);
	}
}

interface InvalidParam {
	name: string;
	reason: string;
}

function problemReply(p: Problem, instance?: string): Reply {
	const body = {
		type: `urn:spico-sandbox:problem:${p.status}`,
		title: TITLES[p.status] ?? 'Erreur',
		status: p.status,
		detail: p.detail,
		...(instance ? { instance } : {}),
		...p.extra
	};
	return {
		status: p.status,
		headers: p.headers,
		body: JSON.stringify(body),
		type: 'application/problem+json; charset=utf-8'
	};
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
	return { status, headers, body: JSON.stringify(value) };
}

const CORS_HEADERS = {
	'Access-Control-Allow-Origin': '*',
	'Access-Control-Expose-Headers': 'Retry-After, Location, WWW-Authenticate'
};

function send(res: ServerResponse, reply: Reply, drop = false): void {
	const body = Buffer.from(reply.body ?? '', 'utf8');
	const headers: Record<string, string | number> = {
		...CORS_HEADERS,
		'Cache-Control': 'no-store',
		...(reply.body !== undefined
			? { 'Content-Type': reply.type ?? 'application/json; charset=utf-8' }
			: {}),
		'Content-Length': body.length,
		...reply.headers
	};
	res.writeHead(reply.status, headers);
	if (drop) {
		// Half the body then a cut connection: the client sees a truncated response.
		res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
		return;
	}
	res.end(body);
}

function preflight(req: IncomingMessage, res: ServerResponse): void {
	const headers: Record<string, string> = {
		...CORS_HEADERS,
		'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
		// `*` does not cover Authorization: list it explicitly.
		'Access-Control-Allow-Headers':
			req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type, Accept',
		'Access-Control-Max-Age': '600',
		Vary: 'Access-Control-Request-Headers'
	};
	if (req.headers['access-control-request-private-network'] === 'true') {
		headers['Access-Control-Allow-Private-Network'] = 'true';
	}
	res.writeHead(204, headers);
	res.end();
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			// Keep draining (so the 413 can still be sent) but stop buffering.
			if (size <= MAX_BODY_BYTES) chunks.push(chunk);
		});
		req.on('end', () => {
			if (size > MAX_BODY_BYTES) reject(new Problem(413, 'Le corps de la requête dépasse 1 Mo.'));
			else resolve(Buffer.concat(chunks).toString('utf8'));
		});
		req.on('error', reject);
	});
}

async function readJson(req: IncomingMessage): Promise<unknown> {
	const text = await readBody(req);
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw new Problem(400, 'Le corps de la requête n’est pas du JSON valide.');
	}
}

/** A control body: JSON only (no form or text/plain post from a web page), no prototype key. */
async function readControlJson(req: IncomingMessage): Promise<unknown> {
	if (!isJsonContentType(req.headers['content-type'])) {
		req.resume();
		throw new Problem(415, 'Corps attendu en application/json.');
	}
	const body = await readJson(req);
	const key = prototypeKeyPath(body);
	if (key !== null) throw new Problem(422, `Clé de prototype refusée : « ${key} ».`);
	return body;
}

// --- List queries --------------------------------------------------------------------------------

interface ParsedQuery {
	request: ListRequest;
	fingerprint: string;
}

function encodeCursor(key: number, fingerprint: string): string {
	return Buffer.from(JSON.stringify([key, fingerprint])).toString('base64url');
}

function decodeCursor(cursor: string, fingerprint: string): number | null {
	try {
		const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
		if (!Array.isArray(value) || value.length !== 2) return null;
		const [key, fp] = value as [unknown, unknown];
		if (typeof key !== 'number' || !Number.isInteger(key) || key < 0) return null;
		return fp === fingerprint ? key : null;
	} catch {
		return null;
	}
}

function parseListQuery(
	url: URL,
	structureId: string,
	list: ListName,
	formId: string | undefined,
	today: string
): ParsedQuery {
	const q = url.searchParams;
	const errors: InvalidParam[] = [];
	const bad = (name: string, reason: string) => errors.push({ name, reason });

	const date = (name: 'from' | 'to', label: string): string => {
		const value = q.get(name);
		if (value === null || value === '') bad(name, `${label} manquante (format AAAA-MM-JJ)`);
		else if (!isIsoDate(value)) bad(name, `${label} invalide : « ${value} » (format AAAA-MM-JJ)`);
		return value ?? '';
	};
	const from = date('from', 'date de début');
	const to = date('to', 'date de fin');
	if (isIsoDate(from) && isIsoDate(to) && from > to) {
		bad('from', 'la date de début est postérieure à la date de fin (« to »)');
	}

	const archivedRaw = q.get('archived') ?? 'false';
	if (archivedRaw !== 'true' && archivedRaw !== 'false') {
		bad('archived', `valeur attendue true ou false, reçu « ${archivedRaw} »`);
	}

	const statuses = q.getAll('status');
	if (statuses.length === 0) bad('status', 'au moins un statut est requis');
	for (const s of statuses) {
		if (!(STATUS_CODES as readonly string[]).includes(s)) {
			bad('status', `statut inconnu « ${s} » (attendus : ${STATUS_CODES.join(', ')})`);
		}
	}

	const limitRaw = q.get('limit');
	const limit = limitRaw === null ? DEFAULT_PAGE_LIMIT : Number(limitRaw);
	if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX || limitRaw === '') {
		bad('limit', `entier attendu entre 1 et ${PAGE_LIMIT_MAX}, reçu « ${limitRaw} »`);
	}

	// The cursor belongs to one query (limit aside): reusing it elsewhere is an error.
	const fingerprint = createHash('sha1')
		.update(
			JSON.stringify([
				structureId,
				list,
				formId ?? null,
				from,
				to,
				archivedRaw,
				[...new Set(statuses)].sort()
			])
		)
		.digest('base64url')
		.slice(0, 12);
	const cursor = q.get('cursor');
	let afterKey = 0;
	if (cursor !== null && errors.length === 0) {
		const key = decodeCursor(cursor, fingerprint);
		if (key === null) bad('cursor', 'curseur invalide ou issu d’une autre requête');
		else afterKey = key;
	}

	if (errors.length > 0) {
		const detail = errors.map((e) => `« ${e.name} » : ${e.reason}`).join(' ; ');
		throw new Problem(422, `Filtres invalides — ${detail}.`, { invalidParams: errors });
	}
	return {
		fingerprint,
		request: {
			structureId,
			list,
			formId,
			filters: {
				from,
				to,
				archived: archivedRaw === 'true',
				statuses: statuses as StatusCode[],
				today
			},
			afterKey,
			limit
		}
	};
}

// --- Routes --------------------------------------------------------------------------------------

type Route =
	| { kind: 'me' }
	| { kind: 'thematics'; sid: string }
	| { kind: 'list'; sid: string; list: ListName; formId?: string }
	| { kind: 'events'; sid: string };

const LISTS: ReadonlySet<string> = new Set([
	'dossiers',
	'appointments',
	'hospitalisations',
	'care-circle'
]);

function matchRoute(path: string): { route: Route; method: 'GET' | 'POST' } | null {
	if (path === '/me') return { route: { kind: 'me' }, method: 'GET' };
	const parts = path.split('/').slice(1);
	if (parts[0] !== 'structures' || parts.length < 3) return null;
	let segs: string[];
	try {
		segs = parts.map(decodeURIComponent);
	} catch {
		return null;
	}
	const sid = segs[1] as string;
	if (!sid) return null;
	if (segs.length === 3) {
		const name = segs[2] as string;
		if (name === 'thematics') return { route: { kind: 'thematics', sid }, method: 'GET' };
		if (name === 'extraction-events') return { route: { kind: 'events', sid }, method: 'POST' };
		if (LISTS.has(name)) {
			return { route: { kind: 'list', sid, list: name as ListName }, method: 'GET' };
		}
	}
	if (segs.length === 5 && segs[2] === 'forms' && segs[4] === 'responses' && segs[3]) {
		return { route: { kind: 'list', sid, list: 'responses', formId: segs[3] }, method: 'GET' };
	}
	return null;
}

function bearer(req: IncomingMessage): string | null {
	const h = req.headers.authorization;
	const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
	return m ? (m[1] ?? null) : null;
}

const UNAUTHORIZED_HEADERS = { 'WWW-Authenticate': 'Bearer realm="spico-sandbox"' };

export function createSandboxHandler(options: SandboxOptions = {}): SandboxHandler {
	const mount = (options.mountPath ?? DEFAULT_MOUNT_PATH).replace(/\/+$/, '');
	if (options.today !== undefined && !isIsoDate(options.today)) {
		throw new Error(`today invalide : « ${options.today} » (format AAAA-MM-JJ)`);
	}
	let generated: SandboxHandler['generated'] = null;
	const openCached = () =>
		openSandboxDb({
			scale: options.scale ?? 'small',
			seed: options.seed ?? DEFAULT_SEED,
			cacheDir: options.cacheDir,
			onProgress: options.onProgress
		});
	let db = options.db;
	if (!db) {
		const opened = openCached();
		db = opened.db;
		generated = opened.generated && { ms: opened.generated.ms, bytes: opened.generated.bytes };
	}
	// Replaced when the data is restored after mutations (DELETE /__sandbox/data).
	let store = new SandboxStore(db);
	const faults = new FaultInjector(options.faults ?? {});
	const events: StoredExtractionEvent[] = [];
	let eventCount = 0;
	const today = () => options.today ?? parisToday();

	async function api(req: IncomingMessage, url: URL, path: string): Promise<Reply> {
		const matched = matchRoute(path);
		if (!matched) throw new Problem(404, `Aucune ressource à l’adresse ${path}.`);
		if (req.method !== matched.method && !(req.method === 'HEAD' && matched.method === 'GET')) {
			throw new Problem(
				405,
				`Méthode ${req.method} non autorisée ici.`,
				{},
				{ Allow: matched.method }
			);
		}
		const token = bearer(req);
		// `sandbox-alice.2` is a refreshed `sandbox-alice`: the same account.
		const account = token === null ? undefined : store.account(tokenGeneration(token).base);
		if (!account) {
			throw new Problem(
				401,
				token === null ? 'Jeton d’accès manquant.' : 'Jeton d’accès inconnu ou expiré.',
				{},
				UNAUTHORIZED_HEADERS
			);
		}
		const { route } = matched;
		if (route.kind === 'me') {
			const name = account.structureId ? store.structureName(account.structureId) : undefined;
			return json(200, {
				user: { id: account.userId, name: account.userName },
				account:
					account.structureId && name
						? { type: 'structure', structureId: account.structureId, structureName: name }
						: { type: 'personal' }
			});
		}
		if (route.sid !== account.structureId) {
			throw new Problem(403, 'Ce compte n’a pas accès aux données de cette structure.');
		}
		if (route.kind === 'thematics') return json(200, { items: store.catalogue() });
		if (route.kind === 'events') {
			const parsed = v.safeParse(ExtractionEventSchema, await readJson(req));
			if (!parsed.success) {
				const issue = parsed.issues[0];
				const field = (issue.path ?? []).map((p) => String(p.key)).join('.') || '(racine)';
				throw new Problem(
					422,
					`Événement d’extraction invalide, champ « ${field} » : ${issue.message}.`,
					{
						invalidParams: [{ name: field, reason: issue.message }]
					}
				);
			}
			if (parsed.output.userId !== account.userId) {
				throw new Problem(
					422,
					'Événement d’extraction invalide : userId ne correspond pas au compte.',
					{
						invalidParams: [{ name: 'userId', reason: 'ne correspond pas au compte' }]
					}
				);
			}
			// A retried POST (same id) is acknowledged again but recorded once.
			const eventId = parsed.output.id;
			const known =
				eventId === undefined
					? undefined
					: events.find((e) => e.structureId === route.sid && e.event.id === eventId);
			if (known) {
				return json(
					200,
					{ id: known.id },
					{
						Location: `${mount}/structures/${encodeURIComponent(route.sid)}/extraction-events/${known.id}`
					}
				);
			}
			const stored: StoredExtractionEvent = {
				id: `evt-${++eventCount}`,
				structureId: route.sid,
				receivedAt: new Date().toISOString(),
				event: parsed.output
			};
			events.push(stored);
			return json(
				201,
				{ id: stored.id },
				{
					Location: `${mount}/structures/${encodeURIComponent(route.sid)}/extraction-events/${stored.id}`
				}
			);
		}
		if (route.formId !== undefined && !store.hasForm(route.formId)) {
			throw new Problem(404, `Formulaire « ${route.formId} » inconnu.`);
		}
		const { request, fingerprint } = parseListQuery(
			url,
			route.sid,
			route.list,
			route.formId,
			today()
		);
		const mutation = faults.mutation(route.list);
		if (mutation && request.afterKey) store.mutate(request, mutation);
		const page = store.page(request);
		faults.malform(route.list, page.items);
		const nextCursor =
			page.more && page.lastKey !== null ? encodeCursor(page.lastKey, fingerprint) : null;
		// Items are stored as served JSON: the page is assembled, never re-serialised.
		const items = page.items.join(',');
		const total = faults.announcedTotal(route.list) ?? page.total;
		const body = `{"items":[${items}],"nextCursor":${JSON.stringify(nextCursor)},"total":${total}}`;
		return { status: 200, body };
	}

	async function control(req: IncomingMessage, path: string): Promise<Reply> {
		const what = path.slice(CONTROL_PATH.length);
		if (what === '/faults') {
			if (req.method === 'GET')
				return json(200, {
					faults: faults.config,
					requests: faults.requests,
					aborted: faults.aborted
				});
			if (req.method === 'DELETE') {
				faults.reset();
				return { status: 204 };
			}
			if (req.method === 'POST') {
				const body = await readControlJson(req);
				try {
					faults.set(body);
				} catch (error) {
					throw new Problem(422, (error as Error).message);
				}
				return json(200, { faults: faults.config });
			}
			throw new Problem(
				405,
				`Méthode ${req.method} non autorisée ici.`,
				{},
				{ Allow: 'GET, POST, DELETE' }
			);
		}
		if (what === '/data') {
			if (req.method !== 'DELETE') {
				throw new Problem(405, `Méthode ${req.method} non autorisée ici.`, {}, { Allow: 'DELETE' });
			}
			// Back to the generated data: drops the rows changed by `mutateBetweenPages`.
			if (options.db) throw new Problem(409, 'Base fournie par l’appelant : rien à restaurer.');
			const fresh = new SandboxStore(openCached().db);
			store.close();
			store = fresh;
			return { status: 204 };
		}
		if (what === '/extraction-events') {
			if (req.method === 'GET') return json(200, { items: events });
			if (req.method === 'DELETE') {
				events.length = 0;
				return { status: 204 };
			}
			throw new Problem(
				405,
				`Méthode ${req.method} non autorisée ici.`,
				{},
				{ Allow: 'GET, DELETE' }
			);
		}
		throw new Problem(404, `Aucune ressource de contrôle à l’adresse ${path}.`);
	}

	function respond(
		res: ServerResponse,
		work: Promise<Reply>,
		instance: string,
		drop = false
	): void {
		work
			.catch((error: unknown) => {
				if (error instanceof Problem) return problemReply(error, instance);
				// Never echo internals (or data) to the client; the message is for the console.
				console.error('[sandbox] erreur interne :', (error as Error).message);
				return problemReply(new Problem(500, 'Erreur interne du bac à sable.'), instance);
			})
			.then((reply) => {
				if (!res.headersSent && !res.destroyed) send(res, reply, drop);
			});
	}

	function faultReply(decision: Extract<FaultDecision, { kind: 'respond' }>): Reply {
		const headers: Record<string, string> =
			decision.retryAfterSeconds !== null
				? { 'Retry-After': String(decision.retryAfterSeconds) }
				: {};
		if (decision.status === 401) Object.assign(headers, UNAUTHORIZED_HEADERS);
		const detail =
			decision.status === 401
				? 'Jeton d’accès expiré (panne simulée).'
				: `Panne simulée par le bac à sable (${decision.status}).`;
		return problemReply(new Problem(decision.status, detail, {}, headers));
	}

	/** Whatever a request does, the server stays up (SPEC §9): a throw becomes a 500. */
	function guarded(req: IncomingMessage, res: ServerResponse, work: () => void): void {
		try {
			work();
		} catch (error) {
			console.error('[sandbox] requête non traitée :', (error as Error).message);
			if (!res.headersSent && !res.destroyed) {
				send(res, problemReply(new Problem(500, 'Erreur interne du bac à sable.')));
			}
		}
	}

	const handler = ((req: IncomingMessage, res: ServerResponse, next?: Next) =>
		guarded(req, res, () => serve(req, res, next))) as SandboxHandler;

	function serve(req: IncomingMessage, res: ServerResponse, next?: Next): void {
		const url = requestUrl(req.url);
		if (url === null) {
			req.resume();
			return send(res, problemReply(new Problem(400, 'Cible de requête invalide.')));
		}
		const path = url.pathname;
		const isControl = path === CONTROL_PATH || path.startsWith(`${CONTROL_PATH}/`);
		const isApi = path === mount || path.startsWith(`${mount}/`);
		if (!isControl && !isApi) {
			if (next) return next();
			return send(res, problemReply(new Problem(404, `Aucune ressource à l’adresse ${path}.`)));
		}
		if (req.method === 'OPTIONS') {
			// No web page may switch the faults or reset the data: no CORS for the control endpoints.
			if (isControl) return void res.writeHead(403, { 'Content-Length': 0 }).end();
			return preflight(req, res);
		}
		// Control endpoints are never subject to faults, so tests can always switch them off.
		if (isControl) return respond(res, control(req, path), path);

		const decision = faults.next(bearer(req));
		// A client that goes away before the whole answer (a cancelled extraction) is counted.
		res.on('close', () => {
			if (!res.writableFinished && !decision.drop) faults.noteAborted();
		});
		const run = () => {
			if (decision.kind === 'respond') {
				req.resume();
				return send(res, faultReply(decision), decision.drop);
			}
			const location = faults.redirectLocation(path.slice(mount.length), url.search);
			if (location !== null) {
				req.resume();
				return send(res, { status: 307, headers: { Location: location } });
			}
			const headers = faults.responseHeaders();
			const reply = api(req, url, path.slice(mount.length)).then((r) => ({
				...r,
				headers: { ...r.headers, ...headers }
			}));
			respond(res, reply, path, decision.drop);
		};
		const latency = faults.latencyMs;
		if (latency > 0) setTimeout(() => guarded(req, res, run), latency);
		else run();
	}

	return Object.defineProperties(handler, {
		store: { get: () => store, enumerable: true },
		faults: { value: faults, enumerable: true },
		events: { value: events, enumerable: true },
		generated: { value: generated, enumerable: true },
		close: { value: () => store.close(), enumerable: true }
	});
}

// --- Standalone server ---------------------------------------------------------------------------

export interface SandboxServerOptions extends SandboxOptions {
	/** 0 (default) picks a free port. */
	port?: number;
	/** Default 127.0.0.1: the sandbox is never exposed beyond the machine. */
	host?: string;
}

export interface SandboxServer {
	/** Base URL of the API, e.g. `http://127.0.0.1:8787/api/v1`. */
	url: string;
	/** `http://127.0.0.1:8787`: the control endpoints live at `${origin}/__sandbox/…`. */
	origin: string;
	handler: SandboxHandler;
	server: Server;
	close(): Promise<void>;
}

export async function createSandboxServer(
	options: SandboxServerOptions = {}
): Promise<SandboxServer> {
	const handler = createSandboxHandler(options);
	const server = createServer((req, res) => handler(req, res));
	const host = options.host ?? '127.0.0.1';
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const { port } = server.address() as AddressInfo;
	const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
	const mount = (options.mountPath ?? DEFAULT_MOUNT_PATH).replace(/\/+$/, '');
	return {
		url: `${origin}${mount}`,
		origin,
		handler,
		server,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => {
					handler.close();
					resolve();
				});
				server.closeAllConnections();
			})
	};
}
