/**
 * Browser helpers for the e2e tests: headless Chromium with a fresh profile, French locale and
 * Paris time, the built app opened with a chosen token, console errors, axe checks.
 *
 *   const browser = await launchBrowser();            // beforeAll
 *   const { page, consoleErrors } = await openApp(browser, { token: 'sandbox-bob' });
 *   expect(await axeViolations(page)).toEqual([]);
 *   await browser.close();                            // afterAll
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inject } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { collectConsoleErrors, newContext } from '../../harness/browser';
import { DEFAULT_TOKEN, type E2EContext } from './global-setup';

export {
	CHROMIUM_ARGS,
	CHROMIUM_PATH,
	collectConsoleErrors,
	launchBrowser,
	launchProfile,
	newContext
} from '../../harness/browser';

/** URLs of the app and the sandbox started by global-setup.ts. */
export function e2e(): E2EContext {
	return inject('e2e');
}

export interface OpenAppOptions {
	/**
	 * Bearer token written into config.json: a sandbox token (`sandbox-alice` by default,
	 * `sandbox-bob`, `sandbox-claire`, anything else → 401), or null for none.
	 */
	token?: string | null;
	/** Other config.json fields (maxPeriodYears, retentionDays…), or a whole replacement. */
	config?: Record<string, unknown>;
	/** Path under the app, default `/`. */
	path?: string;
	/** Freeze the browser's clock (`Date.now`, `new Date()`), e.g. at the sandbox's today. */
	now?: string | number | Date;
	/** Reuse a context (to share storage between pages); default: a new one. */
	context?: BrowserContext;
	viewport?: { width: number; height: number };
}

export interface OpenedApp {
	page: Page;
	context: BrowserContext;
	/** Console errors and uncaught page errors, collected from before the first load. */
	consoleErrors: string[];
	/** Every URL the page requested, in order (to check that only the app and API are reached). */
	requests: string[];
	/** Closes the context (and its pages), unless it was given. */
	close(): Promise<void>;
}

/**
 * Opens the built app with a config.json carrying `token`; resolves once the page has loaded.
 * `browser` may be null when `options.context` is given (a persistent profile has no Browser).
 */
export async function openApp(
	browser: Browser | null,
	options: OpenAppOptions = {}
): Promise<OpenedApp> {
	const { appUrl, apiUrl } = e2e();
	const ownContext = !options.context;
	if (!options.context && !browser) throw new Error('openApp : ni navigateur ni contexte');
	const context = options.context ?? (await newContext(browser!, options.viewport));
	const page = await context.newPage();
	const consoleErrors = collectConsoleErrors(page);
	const requests: string[] = [];
	page.on('request', (request) => requests.push(request.url()));

	const token = options.token === undefined ? DEFAULT_TOKEN : options.token;
	const config = { apiBaseUrl: apiUrl, ...(token === null ? {} : { token }), ...options.config };
	await page.route('**/config.json', (route) => route.fulfill({ json: config }));
	if (options.now !== undefined) await page.clock.setFixedTime(options.now);

	await page.goto(new URL((options.path ?? '/').replace(/^\//, ''), appUrl).href);
	return {
		page,
		context,
		consoleErrors,
		requests,
		close: () => (ownContext ? context.close() : page.close())
	};
}

export interface AxeViolation {
	id: string;
	impact: string | null;
	help: string;
	nodes: string[];
}

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | null = null;

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page, or on `selector`, and returns the
 * serious and critical violations (SPEC §11), each with the offending elements' selectors.
 */
export async function axeViolations(
	page: Page,
	options: { selector?: string; minImpact?: 'serious' | 'moderate' | 'minor' } = {}
): Promise<AxeViolation[]> {
	const hasAxe = await page.evaluate(() => 'axe' in window);
	// Evaluated rather than added as a <script>: the app's CSP (rightly) refuses inline scripts.
	if (!hasAxe) await page.evaluate((axeSource ??= readFileSync(AXE_PATH, 'utf8')));
	const levels = { minor: 1, moderate: 2, serious: 3, critical: 4 } as const;
	const floor = levels[options.minImpact ?? 'serious'];
	const violations = await page.evaluate(async (selector) => {
		const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
		const result = await axe.run(selector ?? document, {
			runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }
		});
		return result.violations.map((v) => ({
			id: v.id,
			impact: v.impact ?? null,
			help: v.help,
			nodes: v.nodes.map((n) => n.target.join(' '))
		}));
	}, options.selector);
	return violations.filter((v) => levels[(v.impact ?? 'minor') as keyof typeof levels] >= floor);
}
