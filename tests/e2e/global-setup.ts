/**
 * Global setup of the e2e project: builds the app once, starts the sandbox API and a static
 * server for build/ on another origin (so CORS is exercised as in production), and hands the
 * URLs to the tests through `inject('e2e')`.
 *
 * Environment: E2E_SKIP_BUILD=1 reuses build/ as it is; E2E_TODAY=YYYY-MM-DD fixes the sandbox's
 * "today" (pass it to `openApp({ now })` so the browser agrees).
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { deploymentPolicy } from '../../deploy/csp.js';
import { serveFiles, TYPES } from '../../examples/host/static-server';

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

async function fileAt(path: string): Promise<string | null> {
	try {
		return (await stat(path)).isFile() ? path : null;
	} catch {
		return null;
	}
}

/** Where the app server collects CSP violation reports (`report-uri`), workers' included. */
export const CSP_REPORTS_PATH = '/__csp-reports';
/**
 * A worker script of the app's origin that tries to reach `http://127.0.0.1:9/<its query>`:
 * a violation raised inside a worker, which the page's listener cannot see but the reports do.
 */
export const CSP_PROBE_WORKER_PATH = '/__csp-probe.worker.js';
const PROBE_WORKER = "fetch('http://127.0.0.1:9/' + location.search.slice(1)).catch(() => {});";

/**
 * Serves the standalone build `root` (each route is a prerendered page) with a generated
 * config.json, on a port of its own, under the deployment's strict CSP computed from the build's
 * own hashes (deploy/csp.js, docs/DEPLOYMENT.md): no 'unsafe-inline', the page reaches only
 * itself and the API. Violations are reported to `CSP_REPORTS_PATH` (POST), listed by a GET
 * there and cleared by a DELETE.
 */
export function serveApp(root: string, config: object, apiOrigin: string): Promise<Server> {
	const configBody = JSON.stringify(config);
	const csp = deploymentPolicy({
		buildDir: root,
		apiOrigins: [apiOrigin],
		reportUri: CSP_REPORTS_PATH
	});
	const reports: unknown[] = [];
	return serveFiles([{ prefix: '/', dir: root }], {
		headers: { 'Content-Security-Policy': csp },
		handler(req, res, url) {
			if (url.pathname === CSP_REPORTS_PATH) {
				answerReports(req, res, reports);
				return true;
			}
			if (url.pathname === CSP_PROBE_WORKER_PATH) {
				res
					.writeHead(200, { 'Content-Security-Policy': csp, 'Content-Type': TYPES['.js']! })
					.end(PROBE_WORKER);
				return true;
			}
			if (url.pathname !== '/config.json') return false;
			res
				.writeHead(200, {
					'Cache-Control': 'no-store',
					'Content-Security-Policy': csp,
					'Content-Type': TYPES['.json']!
				})
				.end(configBody);
			return true;
		}
	});
}

function answerReports(req: IncomingMessage, res: ServerResponse, reports: unknown[]): void {
	if (req.method === 'GET') {
		res.writeHead(200, { 'Content-Type': TYPES['.json']! }).end(JSON.stringify(reports));
	} else if (req.method === 'DELETE') {
		reports.length = 0;
		res.writeHead(204).end();
	} else if (req.method === 'POST') {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			try {
				reports.push(JSON.parse(body));
			} catch {
				reports.push({ unreadable: body.slice(0, 200) });
			}
			res.writeHead(204).end();
		});
	} else {
		res.writeHead(405).end();
	}
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
