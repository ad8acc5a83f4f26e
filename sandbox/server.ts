/**
 * The sandbox API (SPEC §8, §9) over plain node:http: a request handler usable as Vite/connect
 * middleware, and a standalone server for tests and benchmarks. Only synthetic data, hence the
 * open CORS.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIsoDate, type ExtractionEvent } from '../src/lib/contract/spico.ts';
import { controlReply, type ControlState } from './control.ts';
import { openSandboxDb, type SqliteDb } from './db.ts';
import { FaultInjector, type FaultConfig, type FaultDecision } from './faults.ts';
import { requestUrl } from './http-guard.ts';
import { DEFAULT_SEED, type Scale } from './generator.ts';
import { parisToday } from './paris.ts';
import {
	bearer,
	preflight,
	Problem,
	problemReply,
	send,
	UNAUTHORIZED_HEADERS,
	type Reply
} from './http.ts';
import { apiReply, type ApiState } from './routes.ts';
import { SandboxStore } from './store.ts';

export { DEFAULT_PAGE_LIMIT } from './list-query.ts';

export const DEFAULT_MOUNT_PATH = '/api/v1';
export const CONTROL_PATH = '/__sandbox';

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
	/** false: `storage-key` answers 404, as a platform that does not offer it. Default true. */
	storageKey?: boolean;
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
	const state: ApiState & ControlState = {
		get store() {
			return store;
		},
		faults,
		events,
		mount,
		storageKey: options.storageKey !== false,
		today: () => options.today ?? parisToday(),
		nextEventId: () => `evt-${++eventCount}`,
		restoreData() {
			if (options.db) return false;
			const fresh = new SandboxStore(openCached().db);
			store.close();
			store = fresh;
			return true;
		}
	};
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
		if (isControl) return respond(res, controlReply(state, req, path), path);

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
			const reply = apiReply(state, req, url, path.slice(mount.length)).then((r) => ({
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
