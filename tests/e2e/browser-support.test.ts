/**
 * A browser without CompressionStream or Web Workers (older than SPEC §15's minimums) reads one
 * French sentence naming the supported versions, instead of a form that would fail later.
 * Chromium plays that browser: an init script deletes the feature before the app starts.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNSUPPORTED_BROWSER } from '../../src/lib/browser-support';
import { e2e, launchBrowser, newContext, openApp } from './harness';

let browser: Browser;

beforeAll(async () => {
	browser = await launchBrowser();
});

afterAll(async () => {
	await browser?.close();
});

describe('a browser too old for the module', () => {
	for (const feature of ['CompressionStream', 'Worker'] as const) {
		it(`without ${feature}: the minimum versions, no form, nothing asked of the API`, async () => {
			const context = await newContext(browser);
			await context.addInitScript((name) => {
				delete (globalThis as Record<string, unknown>)[name];
			}, feature);
			const app = await openApp(browser, { context });
			try {
				const { page } = app;
				const alert = page.getByRole('alert');
				await alert.waitFor();
				expect(await alert.innerText()).toBe(UNSUPPORTED_BROWSER);
				expect(UNSUPPORTED_BROWSER).toMatch(/Firefox ESR/);
				expect(UNSUPPORTED_BROWSER).toMatch(/Safari 16\.4/);
				expect(await page.getByRole('button').count()).toBe(0);
				expect(await page.getByLabel('Date de début').count()).toBe(0);
				expect(app.requests.filter((url) => url.startsWith(e2e().apiUrl))).toEqual([]);
				expect(app.consoleErrors).toEqual([]);
			} finally {
				await app.close();
				await context.close();
			}
		});
	}

	it('with both, the form as usual', async () => {
		const app = await openApp(browser);
		try {
			await app.page.getByRole('button', { name: 'Lancer les extractions' }).waitFor();
			expect(await app.page.getByText(UNSUPPORTED_BROWSER).count()).toBe(0);
		} finally {
			await app.close();
		}
	});
});
