/**
 * A deliberately broken SPICO server for the conformance kit's tests: a proxy in front of the
 * sandbox that breaks one rule of the contract (a `Breakage`), and forwards everything else.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxServer } from '../../sandbox/server';

export interface Exchange {
	method: string;
	/** Under the API base, e.g. `/structures/str-tnd-test/dossiers`. */
	path: string;
	params: URLSearchParams;
	token: string | null;
	headers: Record<string, string>;
	body: string;
}

export interface Answer {
	status: number;
	headers: Record<string, string>;
	body: string;
}

export type Upstream = (patch?: Partial<Exchange>) => Promise<Answer>;
export type Breakage = (ex: Exchange, upstream: Upstream) => Promise<Answer>;

const DROPPED = new Set([
	'content-length',
	'transfer-encoding',
	'connection',
	'keep-alive',
	'date'
]);

export async function createBrokenServer(
	sandbox: SandboxServer,
	breakage: Breakage
): Promise<{ url: string; close(): Promise<void> }> {
	const mount = new URL(sandbox.url).pathname;
	const upstreamOf =
		(ex: Exchange): Upstream =>
		async (patch = {}) => {
			const e = { ...ex, ...patch };
			const headers: Record<string, string> = { ...e.headers };
			delete headers.authorization;
			if (e.token !== null) headers.authorization = `Bearer ${e.token}`;
			const qs = e.params.toString();
			const res = await fetch(`${sandbox.origin}${mount}${e.path}${qs ? `?${qs}` : ''}`, {
				method: e.method,
				headers,
				body: e.method === 'GET' || e.method === 'OPTIONS' ? undefined : e.body,
				redirect: 'manual'
			});
			const out: Record<string, string> = {};
			res.headers.forEach((value, name) => {
				if (!DROPPED.has(name)) out[name] = value;
			});
			return { status: res.status, headers: out, body: await res.text() };
		};
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://broken.invalid');
			const headers: Record<string, string> = {};
			for (const [k, val] of Object.entries(req.headers)) {
				if (typeof val === 'string' && k !== 'host' && !DROPPED.has(k)) headers[k] = val;
			}
			const auth = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
			const ex: Exchange = {
				method: req.method ?? 'GET',
				path: url.pathname.slice(mount.length),
				params: url.searchParams,
				token: auth ? auth[1]! : null,
				headers,
				body: Buffer.concat(chunks).toString('utf8')
			};
			breakage(ex, upstreamOf(ex)).then(
				(a) => {
					res.writeHead(a.status, { ...a.headers, 'content-length': Buffer.byteLength(a.body) });
					res.end(a.body);
				},
				(error: unknown) => {
					res.writeHead(500, { 'content-type': 'text/plain' });
					res.end(`fixture: ${(error as Error).message}`);
				}
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}${mount}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			})
	};
}

// --- Helpers for breakages ------------------------------------------------------------------------

export interface PageBody {
	items: Record<string, unknown>[];
	nextCursor: string | null;
	total: number;
}

export function pageOf(a: Answer): PageBody {
	return JSON.parse(a.body) as PageBody;
}

export function withJson(a: Answer, value: unknown): Answer {
	return { ...a, body: JSON.stringify(value) };
}

/** The list a path names (`dossiers`, `responses`…), or null. */
export function listOf(path: string): string | null {
	const m = /^\/structures\/[^/]+\/(dossiers|appointments|hospitalisations|care-circle)$/.exec(
		path
	);
	if (m) return m[1]!;
	return /^\/structures\/[^/]+\/forms\/[^/]+\/responses$/.test(path) ? 'responses' : null;
}

/** A page request of `list` (200 expected) with no cursor and this many statuses, or any. */
export function isListRequest(ex: Exchange, list: string): boolean {
	return ex.method === 'GET' && listOf(ex.path) === list;
}
