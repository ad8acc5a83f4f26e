/**
 * Global setup of the e2e project: builds the app once, starts the sandbox API and a static
 * server for build/ on another origin (so CORS is exercised as in production), and hands the
 * URLs to the tests through `inject('e2e')`.
 *
 * Environment: E2E_SKIP_BUILD=1 reuses build/ as it is; E2E_TODAY=YYYY-MM-DD fixes the sandbox's
 * "today" (pass it to `openApp({ now })` so the browser agrees).
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

export interface E2EContext {
	/** The built app, e.g. `http://127.0.0.1:41234/`; its config.json points at the sandbox. */
	appUrl: string;
	/** The sandbox API base, e.g. `http://127.0.0.1:41235/api/v1`. */
	apiUrl: string;
	/** The sandbox origin, e.g. `http://127.0.0.1:41235`; its control endpoints are under /__sandbox. */
	sandboxUrl: string;
	/** E2E_TODAY when set, else null (the sandbox's own default). */
	today: string | null;
}

declare module 'vitest' {
	export interface ProvidedContext {
		e2e: E2EContext;
	}
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, '');
const BUILD_DIR = join(ROOT, 'build');
/** The demo token the sandbox maps to "PLATEFORME TND TEST" (SPEC §9). */
export const DEFAULT_TOKEN = 'sandbox-alice';

function viteBuild(): Promise<void> {
	return new Promise((done, fail) => {
		const started = Date.now();
		// `npm run build`: the app, then the host bundle (build/embed/, see vite.embed.config.ts).
		const child = spawn('npm', ['run', 'build'], {
			cwd: ROOT,
			env: { ...process.env, NODE_ENV: 'production' },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let log = '';
		child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
		child.on('error', fail);
		child.on('close', (code) => {
			if (code === 0) {
				console.log(`[e2e] npm run build: ${((Date.now() - started) / 1000).toFixed(1)} s`);
				done();
			} else {
				fail(new Error(`[e2e] npm run build failed (exit ${code}):\n${log.slice(-6000)}`));
			}
		});
	});
}

const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
	'.wasm': 'application/wasm',
	'.txt': 'text/plain; charset=utf-8',
	'.map': 'application/json; charset=utf-8'
};

async function fileAt(path: string): Promise<string | null> {
	try {
		return (await stat(path)).isFile() ? path : null;
	} catch {
		return null;
	}
}

/**
 * Serves `root` with the SPA fallback of adapter-static and a generated config.json. The CSP
 * lets the page reach only itself and the API: any other request shows up as a console error.
 */
export function serveApp(root: string, config: object, apiOrigin: string): Promise<Server> {
	const configBody = JSON.stringify(config);
	const csp = [
		"default-src 'self'",
		`connect-src 'self' ${apiOrigin}`,
		// SvelteKit's fallback page boots with an inline script.
		"script-src 'self' 'unsafe-inline'",
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"object-src 'none'",
		"base-uri 'self'"
	].join('; ');
	const server = createServer((req, res) => {
		void (async () => {
			const url = new URL(req.url ?? '/', 'http://localhost');
			const headers = { 'Cache-Control': 'no-store', 'Content-Security-Policy': csp };
			if (req.method !== 'GET' && req.method !== 'HEAD') {
				res.writeHead(405, headers).end();
				return;
			}
			if (url.pathname === '/config.json') {
				res.writeHead(200, { ...headers, 'Content-Type': TYPES['.json'] }).end(configBody);
				return;
			}
			let relative: string;
			try {
				relative = normalize(decodeURIComponent(url.pathname));
			} catch {
				res.writeHead(400, headers).end();
				return;
			}
			const candidate = join(root, relative);
			if (candidate !== root && !candidate.startsWith(root + sep)) {
				res.writeHead(403, headers).end();
				return;
			}
			let file = (await fileAt(candidate)) ?? (await fileAt(join(candidate, 'index.html')));
			// A prerendered route (`/taches` → taches.html, adapter-static's default), then the SPA
			// fallback for other routes; a missing asset stays a 404.
			if (file === null && extname(relative) === '') {
				file = (await fileAt(`${candidate}.html`)) ?? join(root, 'index.html');
			}
			if (file === null || (await fileAt(file)) === null) {
				res.writeHead(404, { ...headers, 'Content-Type': TYPES['.txt'] }).end('Not found');
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
		server.listen(0, '127.0.0.1', () => done(server));
	});
}

export default async function setup(project: TestProject) {
	if (process.env.E2E_SKIP_BUILD === '1') {
		if ((await fileAt(join(BUILD_DIR, 'index.html'))) === null) {
			throw new Error(
				'[e2e] E2E_SKIP_BUILD=1 but build/index.html is missing: run `npx vite build`.'
			);
		}
	} else {
		await viteBuild();
	}

	const today = process.env.E2E_TODAY || null;
	const { createSandboxServer } = await import('../../sandbox/server');
	const sandbox = await createSandboxServer({
		scale: 'small',
		port: 0,
		...(today ? { today } : {})
	});
	// `url` is the API base (…/api/v1); `origin` also serves the control endpoints (/__sandbox).
	const apiUrl = sandbox.url.replace(/\/+$/, '');
	const sandboxUrl = sandbox.origin;

	let app: Server;
	try {
		app = await serveApp(BUILD_DIR, { apiBaseUrl: apiUrl, token: DEFAULT_TOKEN }, sandboxUrl);
	} catch (error) {
		await sandbox.close();
		throw error;
	}
	const { port } = app.address() as AddressInfo;
	const context: E2EContext = { appUrl: `http://127.0.0.1:${port}/`, apiUrl, sandboxUrl, today };
	project.provide('e2e', context);
	console.log(`[e2e] app ${context.appUrl} · API ${apiUrl}`);

	return async () => {
		app.closeAllConnections();
		await new Promise<void>((done) => app.close(() => done()));
		await sandbox.close();
	};
}
