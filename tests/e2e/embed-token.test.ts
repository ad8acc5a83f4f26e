/**
 * The embedded module and its host's sign-in (SPEC §12): a host whose getter hands out a stale
 * token until the module asks with `{ refresh: true }` still completes an extraction; a personal
 * account's page offers the host's « Changer de compte » (`onSwitchAccount`).
 */
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHost } from '../../examples/host/server';
import { closeServer } from '../../examples/host/static-server';
import { FILE_LEGENDS, launchButton, yesNo } from '../../harness/form-driver';
import { readZip } from '../helpers/read-extraction';
import { collectConsoleErrors, e2e, launchBrowser, newContext } from './harness';

let browser: Browser;
const servers: Server[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
	browser = await launchBrowser();
});

afterAll(async () => {
	for (const c of contexts) await c.close().catch(() => {});
	await browser?.close();
	for (const s of servers) await closeServer(s);
});

async function host(token: string): Promise<string> {
	const server = await serveHost({ apiBaseUrl: e2e().apiUrl, token });
	servers.push(server);
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function open(url: string) {
	const context = await newContext(browser);
	contexts.push(context);
	const page = await context.newPage();
	const consoleErrors = collectConsoleErrors(page);
	const unauthorized: string[] = [];
	context.on('response', (r) => {
		if (r.status() === 401) unauthorized.push(new URL(r.url()).pathname);
	});
	await page.goto(url);
	return { page, consoleErrors, unauthorized };
}

describe('a host whose token is stale until the module asks for a fresh one', () => {
	it('gets { refresh: true } after the 401 and completes the extraction', async () => {
		const { page, unauthorized } = await open(`${await host('sandbox-alice')}?token=stale`);
		const module = page.locator('#module [data-extractions-brutes]');
		await launchButton(module).waitFor({ timeout: 30_000 });
		// The first request (/me) was refused, the host asked once, and kept its fresh token.
		expect(unauthorized).toEqual(['/api/v1/me']);
		expect(await page.evaluate(() => document.body.dataset['refreshes'])).toBe('1');
		await module.getByLabel('Date de début').fill('2023-03-15');
		await module.getByLabel('Date de fin').fill('2024-02-20');
		for (const legend of [...FILE_LEGENDS, 'Statuts'])
			await yesNo(module, legend, legend === 'RDV' ? 'Oui' : 'Non').check();
		const downloading = page.waitForEvent('download', { timeout: 120_000 });
		await launchButton(module).click();
		const download = await downloading;
		const books = readZip(new Uint8Array(await readFile(await download.path())));
		expect(books.get('RDV 15032023_20022024.xlsx')!.rows('RDV').length).toBeGreaterThan(10);
		expect(unauthorized).toHaveLength(1);
		await expect
			.poll(() => page.locator('#events li[data-event="tâche terminée"]').count())
			.toBe(1);
	});
});

describe('a personal account, embedded', () => {
	it('keeps the header and offers the host’s « Changer de compte »', async () => {
		const { page, consoleErrors } = await open(await host('sandbox-claire'));
		const module = page.locator('#module [data-extractions-brutes]');
		await module.getByText('Basculez sur le compte de la structure').waitFor({ timeout: 30_000 });
		expect(await module.locator('header').innerText()).toMatch(/Compte personnel — Claire Dubois/);
		// Embedded, the host is in charge of sign-out: only its account switch is offered.
		expect(await module.getByRole('button', { name: 'Se déconnecter' }).count()).toBe(0);
		await module.getByRole('button', { name: 'Tâches' }).click();
		await module.getByText('Aucune tâche pour un compte personnel').waitFor();
		await module.getByRole('button', { name: 'Changer de compte' }).click();
		await page.locator('#events li[data-event="changement de compte"]').waitFor();
		expect(consoleErrors).toEqual([]);
	});
});
