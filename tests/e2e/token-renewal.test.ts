/**
 * A run longer than the access token's life (SPEC §12): the sandbox's provider issues 15-second
 * tokens, the app signs in through it and extracts everything at the `medium` scale. The tokens
 * are renewed before they expire (refresh tokens, rotated): no 401 at all, no « Session
 * expirée », and the workbooks equal those of the same run with the demo token, which never
 * expires. The figures (token life, run length, renewals) are printed for the record.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillEverything, launchButton } from '../../harness/form-driver';
import { launchBrowser } from './harness';
import {
	cellsOf,
	openSignIn,
	refreshGrants,
	signInAs,
	startSignInRig,
	type SignInPage,
	type SignInRig
} from './sign-in-helpers';

const TTL = 15;
const PERIOD = { from: '2020-03-01', to: '2024-12-31' };
/**
 * The medium extraction takes ~4 s here with the app's page sizes: small pages and a network's
 * latency (the same for both runs) stretch it over several token lives, as a slow API would.
 */
const PAGE_SIZE = 100;
const LATENCY_MS = 80;

let browser: Browser;
let rig: SignInRig;
const opened: SignInPage[] = [];

beforeAll(async () => {
	browser = await launchBrowser();
	rig = await startSignInRig({ scale: 'medium', tokenTtlSeconds: TTL });
	rig.sandbox.handler.faults.set({ latencyMs: LATENCY_MS });
}, 600_000);

afterAll(async () => {
	for (const o of opened) await o.context.close().catch(() => {});
	await browser?.close();
	await rig?.close();
});

/** Launches, waits for the ZIP; its bytes and the run's length in seconds. */
async function timedExtraction(page: Page): Promise<{ zip: Uint8Array; seconds: number }> {
	const downloading = page.waitForEvent('download', { timeout: 540_000 });
	const started = Date.now();
	await launchButton(page).click();
	const download: Download = await downloading;
	const seconds = (Date.now() - started) / 1000;
	return { zip: new Uint8Array(await readFile(await download.path())), seconds };
}

describe(`a medium extraction with ${TTL}-second tokens`, () => {
	let renewed: SignInPage;
	let run: { zip: Uint8Array; seconds: number };
	let reference: { zip: Uint8Array; seconds: number };
	let renewals: number;
	let providerRefreshes: number;

	beforeAll(async () => {
		renewed = await openSignIn(browser, rig, { config: { ...rig.config, pageSize: PAGE_SIZE } });
		opened.push(renewed);
		await signInAs(renewed.page, 'Alice Martin');
		await fillEverything(renewed.page, PERIOD);
		const before = rig.sandbox.handler.signIn!.oidc.stats.refreshGrants;
		run = await timedExtraction(renewed.page);
		await renewed.page.getByRole('heading', { name: 'Extraction terminée' }).waitFor();
		renewals = refreshGrants(renewed.requests);
		providerRefreshes = rig.sandbox.handler.signIn!.oidc.stats.refreshGrants - before;

		const demo = await openSignIn(browser, rig, {
			config: { apiBaseUrl: rig.apiUrl, token: 'sandbox-alice', pageSize: PAGE_SIZE }
		});
		opened.push(demo);
		await fillEverything(demo.page, PERIOD);
		reference = await timedExtraction(demo.page);
		console.log(
			`[renouvellement] jetons de ${TTL} s · extraction medium ${run.seconds.toFixed(1)} s ` +
				`(${(run.seconds / TTL).toFixed(1)} durées de vie ; pages de ${PAGE_SIZE}, latence ${LATENCY_MS} ms) · ` +
				`${renewals} renouvellement(s) ` +
				`· 401 : ${renewed.unauthorized.length} · même extraction au jeton fixe ${reference.seconds.toFixed(1)} s`
		);
	}, 1_200_000);

	it('lasted longer than a token and renewed it, the provider rotating the refresh token', () => {
		expect(run.seconds).toBeGreaterThan(TTL);
		expect(renewals).toBeGreaterThanOrEqual(Math.floor(run.seconds / TTL));
		expect(providerRefreshes).toBe(renewals);
	});

	it('renewed before expiry: the API refused no request, no « Session expirée »', async () => {
		expect(renewed.unauthorized).toEqual([]);
		expect(await renewed.page.getByText(/Session expirée/).count()).toBe(0);
		expect(renewed.consoleErrors).toEqual([]);
	});

	it('gave the same workbooks as the run whose token never expires', () => {
		const books = cellsOf(run.zip);
		expect(Object.keys(books).length).toBeGreaterThan(6);
		expect(books).toEqual(cellsOf(reference.zip));
	});
});
