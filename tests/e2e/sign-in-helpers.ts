/**
 * Helpers of the sign-in browser tests: a sandbox of their own (so the tests can reach its
 * provider: its statistics, its key to forge tokens) with the built app served beside it, and
 * pages opened with a chosen config.json.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeServer } from '../../examples/host/static-server';
import type { Scale } from '../../sandbox/generator';
import { createSandboxServer, type SandboxServer } from '../../sandbox/server';
import { serveApp } from '../../harness/serve-app';
import { collectConsoleErrors, newContext } from '../../harness/browser';
import { readZip } from '../helpers/read-extraction';

const BUILD_DIR = fileURLToPath(new URL('../../build', import.meta.url));

export interface SignInRig {
	sandbox: SandboxServer;
	/** The built app, on an origin of its own. */
	appUrl: string;
	apiUrl: string;
	issuer: string;
	/** config.json signing in through the sandbox's provider. */
	config: { apiBaseUrl: string; auth: { issuer: string; clientId: string; scope: string } };
	close(): Promise<void>;
}

export async function startSignInRig(
	options: { scale?: Scale; tokenTtlSeconds?: number } = {}
): Promise<SignInRig> {
	const sandbox = await createSandboxServer({
		scale: options.scale ?? 'small',
		oidc: options.tokenTtlSeconds ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}
	});
	const issuer = `${sandbox.origin}/oidc`;
	const config = {
		apiBaseUrl: sandbox.url,
		auth: { issuer, clientId: 'extractions-brutes', scope: 'openid profile spico' }
	};
	let app: Server;
	try {
		app = await serveApp(join(BUILD_DIR), config, sandbox.origin);
	} catch (error) {
		await sandbox.close();
		throw error;
	}
	return {
		sandbox,
		appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}/`,
		apiUrl: sandbox.url,
		issuer,
		config,
		close: async () => {
			await closeServer(app);
			await sandbox.close();
		}
	};
}

export interface SignInPage {
	page: Page;
	context: BrowserContext;
	consoleErrors: string[];
	/** Every top-level navigation of the page, in order. */
	navigations: string[];
	/** Every request of the context (page and workers), with its POST body. */
	requests: { url: string; body: string | null }[];
	/** Every API answer 401. */
	unauthorized: string[];
}

/** A new context opening the app; `config` replaces the served config.json when given. */
export async function openSignIn(
	browser: Browser,
	rig: SignInRig,
	options: {
		config?: object;
		path?: string;
		now?: Date;
		/** Routes to set before the first load. */
		before?: (page: Page) => Promise<void>;
	} = {}
): Promise<SignInPage> {
	const context = await newContext(browser);
	const page = await context.newPage();
	const consoleErrors = collectConsoleErrors(page);
	const navigations: string[] = [];
	const requests: SignInPage['requests'] = [];
	const unauthorized: string[] = [];
	page.on('framenavigated', (frame) => {
		if (frame === page.mainFrame()) navigations.push(frame.url());
	});
	context.on('request', (request) =>
		requests.push({ url: request.url(), body: request.postData() })
	);
	context.on('response', (response) => {
		if (response.status() === 401 && response.url().startsWith(rig.apiUrl)) {
			unauthorized.push(response.url());
		}
	});
	if (options.config) {
		const body = options.config;
		await page.route('**/config.json', (route) => route.fulfill({ json: body }));
	}
	if (options.now) await page.clock.setFixedTime(options.now);
	await options.before?.(page);
	await page.goto(new URL((options.path ?? '/').replace(/^\//, ''), rig.appUrl).href);
	return { page, context, consoleErrors, navigations, requests, unauthorized };
}

/** On the provider's one-click page: « Se connecter en tant que <name> ». */
export async function signInAs(page: Page, name: string): Promise<void> {
	const button = page.getByRole('button', {
		name: new RegExp(`^Se connecter en tant que ${name}`)
	});
	await button.waitFor({ timeout: 30_000 });
	await button.click();
}

export const refreshGrants = (requests: SignInPage['requests']) =>
	requests.filter(
		(r) => r.url.endsWith('/oidc/token') && r.body?.includes('grant_type=refresh_token')
	).length;

/** Every sheet of a ZIP as rows of values, the launch's minute blanked: two runs start apart. */
export function cellsOf(zip: Uint8Array): Record<string, Record<string, unknown[][]>> {
	const out: Record<string, Record<string, unknown[][]>> = {};
	for (const [name, wb] of readZip(zip)) {
		out[name] = Object.fromEntries(
			wb.book.SheetNames.map((s) => [
				s,
				wb
					.rows(s)
					.map((row) => (row[0] === "Date et heure d'extraction" ? [row[0], '(heure)'] : row))
			])
		);
	}
	return out;
}
