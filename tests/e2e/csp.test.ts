/**
 * The standalone build under the deployment's strict Content-Security-Policy (SPEC §16): the
 * header global-setup.ts serves is the one deploy/csp.js prints for a deployment (the build's
 * own hashes, no 'unsafe-inline', no 'unsafe-eval'). A full extraction, then a download from the
 * Tâches page, raise no violation: neither in the page (`securitypolicyviolation` listener
 * installed before any script) nor anywhere else (`report-uri`, which the workers report to
 * too). A deliberate violation is counted by both, so that the zero can fail.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNOUNCER_STYLE, hashSource } from '../../deploy/csp.js';
import { fillEverything, launchButton } from '../../harness/form-driver';
import { readZip } from '../helpers/read-extraction';
import { CSP_PROBE_WORKER_PATH, CSP_REPORTS_PATH } from '../../harness/serve-app';
import { e2e, launchBrowser, newContext, openApp, type OpenedApp } from './harness';

interface Violation {
	directive: string;
	blocked: string;
	sample: string;
}

interface Report {
	'csp-report'?: {
		'violated-directive'?: string;
		'effective-directive'?: string;
		'blocked-uri'?: string;
		'document-uri'?: string;
	};
}

let browser: Browser;
let context: BrowserContext;
let app: OpenedApp;

const reportsUrl = () => new URL(CSP_REPORTS_PATH, e2e().appUrl).href;
async function reports(): Promise<Report[]> {
	return (await (await fetch(reportsUrl())).json()) as Report[];
}

/** The violations the page's listener saw since it loaded. */
const seen = (page: Page) =>
	page.evaluate(() => (window as unknown as { __csp: Violation[] }).__csp);

/** Waits until the report of a violation whose blocked URL carries `marker` has arrived. */
async function reportOf(marker: string): Promise<Report> {
	const deadline = Date.now() + 15_000;
	for (;;) {
		const found = (await reports()).find((r) => r['csp-report']?.['blocked-uri']?.includes(marker));
		if (found) return found;
		if (Date.now() > deadline) throw new Error(`aucun rapport CSP pour ${marker}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

/**
 * A blocked image whose URL carries `marker`: once its report has arrived, every report sent
 * before it has had the time to arrive too (they are posted as they happen).
 */
async function sentinel(page: Page): Promise<string> {
	const marker = `sentinelle-${randomUUID()}`;
	await page.evaluate((m) => {
		const img = new Image();
		img.src = `http://127.0.0.1:9/${m}.png`;
		document.body.append(img);
	}, marker);
	await reportOf(marker);
	return marker;
}

beforeAll(async () => {
	browser = await launchBrowser();
	context = await newContext(browser);
	// Before any of the page's scripts: a violation at boot (the inline bootstrap, the route
	// announcer's style) would otherwise go unseen.
	await context.addInitScript(() => {
		const list: { directive: string; blocked: string; sample: string }[] = [];
		(window as unknown as { __csp: typeof list }).__csp = list;
		document.addEventListener('securitypolicyviolation', (e) =>
			list.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample })
		);
	});
	await fetch(reportsUrl(), { method: 'DELETE' });
	app = await openApp(browser, { context });
});

afterAll(async () => {
	await context?.close();
	await browser?.close();
});

describe('the deployment policy', () => {
	it('is strict: hashes from the build, no unsafe-inline or unsafe-eval, framing refused', async () => {
		const res = await fetch(e2e().appUrl);
		const header = res.headers.get('content-security-policy') ?? '';
		const html = await res.text();
		expect(header).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
		const directive = (name: string) =>
			header
				.split(';')
				.map((d) => d.trim())
				.find((d) => d.startsWith(`${name} `));
		expect(directive('default-src')).toBe("default-src 'self'");
		expect(directive('worker-src')).toBe("worker-src 'self'");
		expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
		expect(directive('connect-src')).toBe(`connect-src 'self' ${e2e().sandboxUrl}`);
		// The inline bootstrap is allowed by its hash, the same one kit wrote in the page's meta.
		const inline = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1];
		expect(inline).toBeTruthy();
		expect(directive('script-src')).toContain(hashSource(inline!));
		expect(html).toContain(hashSource(inline!));
		// The announcer's style attribute, and nothing else, by hash.
		expect(directive('style-src')).toBe(
			`style-src 'self' 'unsafe-hashes' ${hashSource(ANNOUNCER_STYLE)}`
		);
	});
});

describe('a full extraction under the policy', () => {
	it('raises no violation, in the page or in the workers, from start to download', async () => {
		const { page } = app;
		await fillEverything(page, { from: '2023-03-15', to: '2024-02-20' });
		const downloading = page.waitForEvent('download', { timeout: 150_000 });
		await launchButton(page).click();
		const download = await downloading;
		const workbooks = readZip(new Uint8Array(await readFile(await download.path())));
		expect(workbooks.size).toBeGreaterThan(5);

		// The Tâches page (client-side navigation: the announcer speaks) and its download.
		await page
			.getByRole('navigation', { name: 'Extractions brutes' })
			.getByRole('link', { name: 'Tâches' })
			.click();
		const again = page.waitForEvent('download');
		await page
			.locator('tr[data-task]')
			.first()
			.getByRole('button', { name: /^Télécharger/ })
			.click();
		await again;
		expect(await page.locator('#svelte-announcer').innerText()).toContain('Tâches');

		const marker = await sentinel(page);
		const others = (await reports()).filter(
			(r) => !r['csp-report']?.['blocked-uri']?.includes(marker)
		);
		expect(others).toEqual([]);
		const inPage = await seen(page);
		expect(inPage.filter((v) => !v.blocked.includes(marker))).toEqual([]);
		expect(inPage.filter((v) => v.blocked.includes(marker))).toHaveLength(1);
		expect(app.consoleErrors.filter((e) => !e.includes(marker))).toEqual([]);
	});

	it('counts a deliberate inline style and inline script (the zero above can fail)', async () => {
		const { page } = app;
		await fetch(reportsUrl(), { method: 'DELETE' });
		const before = (await seen(page)).length;
		await page.evaluate(() => {
			const div = document.createElement('div');
			div.innerHTML = '<span style="color: red">x</span>';
			document.body.append(div);
			const script = document.createElement('script');
			script.textContent = 'window.__inline = true';
			document.body.append(script);
		});
		await sentinel(page);
		const violations = (await seen(page)).slice(before);
		// Inline script and style are refused twice: by the page's meta policy and the header's.
		expect(violations.map((v) => v.directive).sort()).toEqual([
			'img-src',
			'script-src-elem',
			'script-src-elem',
			'style-src-attr',
			'style-src-attr'
		]);
		expect(await page.evaluate(() => '__inline' in window)).toBe(false);
		const directives = (await reports()).map((r) => r['csp-report']?.['effective-directive']);
		expect(directives.sort()).toEqual(['img-src', 'script-src-elem', 'style-src-attr']);
	});

	it('hears of a violation inside a worker, which the page’s listener cannot see', async () => {
		const { page } = app;
		const marker = `travailleur-${randomUUID()}`;
		const before = (await seen(page)).length;
		await page.evaluate(({ path, m }) => void new Worker(`${path}?${m}`), {
			path: CSP_PROBE_WORKER_PATH,
			m: marker
		});
		const report = await reportOf(marker);
		expect(report['csp-report']?.['effective-directive']).toBe('connect-src');
		await sentinel(page);
		expect((await seen(page)).slice(before).some((v) => v.blocked.includes(marker))).toBe(false);
	});
});
