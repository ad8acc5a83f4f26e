/**
 * A plain static file server (Node's http, no dependency): URL prefixes mapped to folders, a
 * directory gives its index.html, `/x` gives `x.html` when there is one, every response carries
 * the given headers. Enough for the example host and for serving the standalone build in tests.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

export const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
	'.txt': 'text/plain; charset=utf-8',
	'.ts': 'text/plain; charset=utf-8',
	'.map': 'application/json; charset=utf-8'
};

export interface Mount {
	/** URL prefix, `/` or `/something/`. */
	prefix: string;
	dir: string;
}

/** Answers a request itself (returns true), or lets the files answer (false). */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

async function fileAt(path: string): Promise<string | null> {
	try {
		return (await stat(path)).isFile() ? path : null;
	} catch {
		return null;
	}
}

async function resolveFile(mounts: readonly Mount[], pathname: string): Promise<string | null> {
	// The longest prefix first: `/extractions-brutes/` before `/`.
	const sorted = [...mounts].sort((a, b) => b.prefix.length - a.prefix.length);
	for (const { prefix, dir } of sorted) {
		if (!pathname.startsWith(prefix)) continue;
		const root = normalize(dir).replace(/[\\/]+$/, '');
		const candidate = join(root, normalize(pathname.slice(prefix.length)));
		if (candidate !== root && !candidate.startsWith(root + sep)) return null;
		return (
			(await fileAt(candidate)) ??
			(await fileAt(join(candidate, 'index.html'))) ??
			(extname(candidate) === '' ? await fileAt(`${candidate}.html`) : null)
		);
	}
	return null;
}

export function serveFiles(
	mounts: readonly Mount[],
	options: { port?: number; headers?: Record<string, string>; handler?: Handler } = {}
): Promise<Server> {
	const headers = { 'Cache-Control': 'no-store', ...options.headers };
	const server = createServer((req, res) => {
		void (async () => {
			const url = new URL(req.url ?? '/', 'http://localhost');
			// First: a handler may take other methods (the tests' CSP report endpoint).
			if (options.handler?.(req, res, url)) return;
			if (req.method !== 'GET' && req.method !== 'HEAD') {
				res.writeHead(405, headers).end();
				return;
			}
			let pathname: string;
			try {
				pathname = decodeURIComponent(url.pathname);
			} catch {
				res.writeHead(400, headers).end();
				return;
			}
			const file = await resolveFile(mounts, pathname);
			if (file === null) {
				res.writeHead(404, { ...headers, 'Content-Type': TYPES['.txt']! }).end('Not found');
				return;
			}
			res.writeHead(200, {
				...headers,
				'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream'
			});
			if (req.method === 'HEAD') res.end();
			else createReadStream(file).pipe(res);
		})().catch((error: unknown) => {
			if (!res.headersSent) res.writeHead(500).end(String(error));
			else res.destroy();
		});
	});
	return new Promise((done, fail) => {
		server.once('error', fail);
		server.listen(options.port ?? 0, '127.0.0.1', () => done(server));
	});
}

/** Closes a server and its open connections. */
export function closeServer(server: Server): Promise<void> {
	server.closeAllConnections();
	return new Promise((done) => server.close(() => done()));
}
