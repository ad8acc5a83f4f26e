/**
 * Sign-in of the standalone app through the sandbox's OpenID Connect provider (SPEC §12), in
 * Chromium: the one-click page, a full extraction read back and equal to the demo token's,
 * nothing of the sign-in left in the URL or the storages, sign-out, the personal account's
 * page and its account switch, and each bad input ending on a French message with a way out.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_AUDIENCE } from '../../sandbox/oidc/constants';
import { FILE_LEGENDS, fillEverything, launchButton, yesNo } from '../../harness/form-driver';
import { readZip } from '../helpers/read-extraction';
import { axeViolations, launchBrowser } from './harness';
import {
	cellsOf,
	openSignIn,
	refreshGrants,
	signInAs,
	startSignInRig,
	type SignInPage,
	type SignInRig
} from './sign-in-helpers';

const FROM = '2023-03-15';
const TO = '2024-02-20';
const NOW = new Date();
const SCREENSHOTS = process.env['E2E_SCREENSHOTS'];

let browser: Browser;
let rig: SignInRig;
const opened: SignInPage[] = [];

beforeAll(async () => {
	browser = await launchBrowser();
	rig = await startSignInRig();
}, 120_000);

afterAll(async () => {
	for (const o of opened) await o.context.close().catch(() => {});
	await browser?.close();
	await rig?.close();
});

async function open(options: Parameters<typeof openSignIn>[2] = {}): Promise<SignInPage> {
	const o = await openSignIn(browser, rig, options);
	opened.push(o);
	return o;
}

async function zipOf(download: Download): Promise<Uint8Array> {
	return new Uint8Array(await readFile(await download.path()));
}

async function extract(page: Page): Promise<Download> {
	const downloading = page.waitForEvent('download', { timeout: 150_000 });
	await launchButton(page).click();
	return downloading;
}

async function fillRdvOnly(page: Page) {
	await launchButton(page).waitFor({ timeout: 30_000 });
	await page.getByLabel('Date de début').fill(FROM);
	await page.getByLabel('Date de fin').fill(TO);
	for (const legend of [...FILE_LEGENDS, 'Statuts'])
		await yesNo(page, legend, legend === 'RDV' ? 'Oui' : 'Non').check();
}

const alertOf = (page: Page) => page.getByRole('alert');

describe('signed in through the provider', () => {
	let signedIn: SignInPage;
	let zip: Uint8Array;
	let reference: Uint8Array;

	beforeAll(async () => {
		signedIn = await open({ now: NOW });
		const { page } = signedIn;
		await page.getByRole('heading', { name: 'Connexion au bac à sable SPICO' }).waitFor();
		if (SCREENSHOTS)
			await page.screenshot({ path: `${SCREENSHOTS}/connexion.png`, fullPage: true });
		await signInAs(page, 'Alice Martin');
		await launchButton(page).waitFor({ timeout: 30_000 });
		if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/en-tete.png` });
		await fillEverything(page, { from: FROM, to: TO });
		zip = await zipOf(await extract(page));
		await page.getByRole('heading', { name: 'Extraction terminée' }).waitFor();

		const demo = await open({
			now: NOW,
			config: { apiBaseUrl: rig.apiUrl, token: 'sandbox-alice' }
		});
		await fillEverything(demo.page, { from: FROM, to: TO });
		reference = await zipOf(await extract(demo.page));
	}, 300_000);

	it('went through the provider’s page once and came back to the app’s bare address', () => {
		const { navigations } = signedIn;
		expect(navigations.filter((u) => u.includes('/oidc/interaction/'))).toHaveLength(1);
		expect(navigations.at(-1)).toBe(rig.appUrl);
		expect(signedIn.page.url()).toBe(rig.appUrl);
	});

	it('shows who is signed in, for which structure, and the account actions', async () => {
		const header = signedIn.page.locator('header');
		const text = await header.innerText();
		expect(text).toContain('Structure : PLATEFORME TND TEST');
		expect(text).toContain('Alice Martin');
		await header.getByRole('button', { name: 'Changer de compte' }).waitFor();
		await header.getByRole('button', { name: 'Se déconnecter' }).waitFor();
		expect(await axeViolations(signedIn.page, { selector: 'header' })).toEqual([]);
	});

	it('extracts everything with the provider’s token, equal to the demo token’s run', () => {
		const books = cellsOf(zip);
		expect(Object.keys(books).length).toBeGreaterThan(6);
		expect(books['RDV 15032023_20022024.xlsx']?.['RDV']?.length).toBeGreaterThan(10);
		expect(books).toEqual(cellsOf(reference));
		expect(signedIn.consoleErrors).toEqual([]);
	});

	it('keeps no token anywhere but in memory: not the URL, not the storages', async () => {
		const stored = await signedIn.page.evaluate(() => ({
			local: { ...localStorage },
			session: { ...sessionStorage }
		}));
		expect(stored.local).toEqual({});
		// The sign-in's state and PKCE verifier were consumed by the callback; SvelteKit's own
		// scroll and snapshot entries are all that is left.
		expect(Object.keys(stored.session).filter((k) => !k.startsWith('sveltekit:'))).toEqual([]);
		expect(JSON.stringify(stored.session)).not.toMatch(/eyJ|token/i);
		const cookies = await signedIn.context.cookies(rig.appUrl);
		expect(cookies.filter((c) => c.value.startsWith('eyJ'))).toEqual([]);
		// No request of the app carries a token in its URL.
		const inUrl = signedIn.requests.filter((r) =>
			/access_token|id_token|refresh_token|eyJ/.test(r.url)
		);
		expect(inUrl).toEqual([]);
	});

	it('« Se déconnecter » ends the provider’s session and shows nothing of the tasks', async () => {
		const { page } = signedIn;
		await page.getByRole('link', { name: 'Tâches' }).click();
		await page
			.getByText(/Generic_extractions_brutes_15032023_20022024\.zip/)
			.first()
			.waitFor();
		await page.getByRole('button', { name: 'Se déconnecter' }).click();
		await page.getByText('Vous êtes déconnecté.').waitFor({ timeout: 30_000 });
		expect(new URL(page.url()).search).toBe('');
		const text = await page.locator('main').innerText();
		expect(text).not.toMatch(/Generic_extractions_brutes|Alice|PLATEFORME|Tâches/);
		// The provider's session is over: signing in again asks who.
		await page.getByRole('button', { name: 'Se connecter' }).click();
		await page.getByRole('heading', { name: 'Connexion au bac à sable SPICO' }).waitFor();
	});
});

describe('a bookmark of Tâches', () => {
	it('comes back to Tâches after the sign-in', async () => {
		const { page } = await open({ path: '/taches' });
		await signInAs(page, 'Alice Martin');
		await page
			.locator('a[aria-current="page"]', { hasText: 'Tâches' })
			.waitFor({ timeout: 30_000 });
		expect(page.url()).toBe(new URL('taches', rig.appUrl).href);
	});
});

describe('a personal account', () => {
	it('keeps the header and Tâches, and « Changer de compte » leads to alice, who extracts', async () => {
		const { page, consoleErrors } = await open();
		await signInAs(page, 'Claire Dubois');
		await page
			.getByText('Basculez sur le compte de la structure pour lancer une extraction')
			.waitFor();
		const header = page.locator('header');
		expect(await header.innerText()).toMatch(/Compte personnel — Claire Dubois/);
		if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/compte-personnel.png` });
		expect(await axeViolations(page)).toEqual([]);
		await page.getByRole('link', { name: 'Tâches' }).click();
		await page.getByText('Aucune tâche pour un compte personnel').waitFor();
		await header.getByRole('button', { name: 'Changer de compte' }).click();
		// prompt=login: the provider asks again although its session (claire's) is open.
		await signInAs(page, 'Alice Martin');
		await page.getByText('Structure : PLATEFORME TND TEST').waitFor({ timeout: 30_000 });
		await page.getByRole('link', { name: 'Nouvelle extraction' }).click();
		await fillRdvOnly(page);
		const books = readZip(await zipOf(await extract(page)));
		expect([...books.keys()]).toEqual(['RDV 15032023_20022024.xlsx']);
		expect(books.get('RDV 15032023_20022024.xlsx')!.rows('RDV').length).toBeGreaterThan(10);
		expect(consoleErrors).toEqual([]);
	});
});

describe('a token refused in the middle of a run', () => {
	afterAll(() => rig.sandbox.handler.faults.reset());

	// Small pages: the run makes enough requests for the token to expire during it.
	const smallPages = () => ({ config: { ...rig.config, pageSize: 50 } });

	it('is renewed once and the run goes on', async () => {
		const { page, requests, unauthorized, consoleErrors } = await open(smallPages());
		await signInAs(page, 'Alice Martin');
		await fillRdvOnly(page);
		// Every token seen by the API so far expires after the next few requests.
		rig.sandbox.handler.faults.set({ expireTokenAfter: 4 });
		const books = readZip(await zipOf(await extract(page)));
		expect(books.get('RDV 15032023_20022024.xlsx')!.rows('RDV').length).toBeGreaterThan(10);
		expect(unauthorized.length).toBeGreaterThanOrEqual(1);
		expect(refreshGrants(requests)).toBeGreaterThanOrEqual(1);
		expect(await page.getByText(/Session expirée/).count()).toBe(0);
		expect(consoleErrors).toEqual([]);
	});

	it('when the renewal fails: « Session expirée », and « Se reconnecter » signs in again', async () => {
		const { page } = await open(smallPages());
		await signInAs(page, 'Alice Martin');
		await fillRdvOnly(page);
		await page.context().route(`${rig.issuer}/token`, (route) => route.abort());
		rig.sandbox.handler.faults.set({ expireTokenAfter: 3 });
		await launchButton(page).click();
		const banner = page.getByRole('alert').filter({ hasText: 'Session expirée' }).first();
		await banner.waitFor({ timeout: 60_000 });
		// The run's failure says it in plain words (the client's message is behind « Détail technique »).
		await page.getByText("Votre session a expiré pendant l'extraction.").first().waitFor();
		rig.sandbox.handler.faults.reset();
		await page.context().unroute(`${rig.issuer}/token`);
		await page.getByRole('button', { name: 'Se reconnecter' }).click();
		// The provider's session is still open: back at once, signed in, the form ready.
		await launchButton(page).waitFor({ timeout: 30_000 });
		expect(await page.locator('header').innerText()).toContain('Alice Martin');
		expect(await page.getByText(/Session expirée/).count()).toBe(0);
	});
});

describe('bad input ends on a French message and a way out, never a loop', () => {
	const authWith = (auth: object) => ({
		apiBaseUrl: rig.apiUrl,
		auth: { ...rig.config.auth, ...auth }
	});

	it('a callback with a forged state: refused, the code leaves the URL', async () => {
		const { page, navigations } = await open({ path: '/?code=forge&state=inconnu' });
		await alertOf(page).waitFor();
		expect(await alertOf(page).innerText()).toContain(
			'La réponse de connexion ne correspond à aucune demande en cours'
		);
		expect(page.url()).toBe(rig.appUrl);
		expect(navigations.filter((u) => u.includes('/oidc/'))).toEqual([]);
		await alertOf(page).getByRole('button', { name: 'Se reconnecter' }).click();
		await page.getByRole('heading', { name: 'Connexion au bac à sable SPICO' }).waitFor();
	});

	it('an unreachable provider', async () => {
		const { page, navigations } = await open({
			config: authWith({ issuer: 'http://127.0.0.1:9/oidc' })
		});
		await alertOf(page).waitFor({ timeout: 30_000 });
		expect(await alertOf(page).innerText()).toContain(
			'Le fournisseur d’identité est injoignable (http://127.0.0.1:9/oidc)'
		);
		await alertOf(page).getByRole('button', { name: 'Se reconnecter' }).waitFor();
		expect(navigations.filter((u) => !u.startsWith(rig.appUrl))).toEqual([]);
	});

	it('a provider that answers for another issuer', async () => {
		const { page, navigations } = await openWithRoute(async (p) => {
			await p.route(`${rig.issuer}/.well-known/openid-configuration`, async (route) => {
				const doc = (await (await route.fetch()).json()) as Record<string, unknown>;
				await route.fulfill({ json: { ...doc, issuer: 'https://autre.example/realms/x' } });
			});
		});
		await alertOf(page).waitFor();
		expect(await alertOf(page).innerText()).toContain(
			'se présente comme « https://autre.example/realms/x »'
		);
		expect(navigations.filter((u) => !u.startsWith(rig.appUrl))).toEqual([]);
	});

	it('a token for another audience: one renewal, then « Se reconnecter »', async () => {
		const oidc = rig.sandbox.handler.signIn!.oidc;
		let swapped = 0;
		const { page, navigations, unauthorized } = await openWithRoute(async (p) => {
			await p.context().route(`${rig.issuer}/token`, async (route) => {
				const response = await route.fetch();
				const body = (await response.json()) as Record<string, unknown>;
				const now = Math.floor(Date.now() / 1000);
				const other = await oidc.sign({
					iss: rig.issuer,
					sub: 'u-alice',
					aud: 'urn:autre:api',
					iat: now,
					exp: now + 600
				});
				swapped++;
				await route.fulfill({ response, json: { ...body, access_token: other } });
			});
		});
		await signInAs(page, 'Alice Martin');
		await alertOf(page).waitFor({ timeout: 30_000 });
		expect(await alertOf(page).innerText()).toContain('Session expirée');
		// The code's exchange, then one renewal after the first 401; two 401s in all.
		expect(swapped).toBe(2);
		expect(unauthorized).toHaveLength(2);
		expect(navigations.filter((u) => u.includes('/oidc/interaction/'))).toHaveLength(1);
		expect(API_AUDIENCE).not.toBe('urn:autre:api');
		await alertOf(page).getByRole('button', { name: 'Se reconnecter' }).waitFor();
	});

	it('a token in config.json for an API elsewhere: the app refuses to start, and says why', async () => {
		const { page, requests } = await open({
			config: { apiBaseUrl: 'https://spico.example/api/v1', token: 'sandbox-alice' }
		});
		await alertOf(page).waitFor();
		expect(await alertOf(page).innerText()).toContain(
			'Configuration refusée (config.json) : le champ « token » n’est accepté que pour une API sur ce poste'
		);
		expect(requests.filter((r) => r.url.includes('spico.example'))).toEqual([]);
		expect(await launchButton(page).count()).toBe(0);
	});

	const openWithRoute = (before: (page: Page) => Promise<void>) => open({ before });
});
