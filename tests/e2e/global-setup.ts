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
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { serveApp } from '../../harness/serve-app';

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
