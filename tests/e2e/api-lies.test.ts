/**
 * An API that lies, in Chromium (SPEC §8): a `total` that does not match the rows gives a
 * warning on the result screen and in the workbook's Informations sheet; a redirect to another
 * origin is refused with a message naming the endpoint, and nothing is asked of that origin.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
	SUFFIX,
	clearFaults,
	countDownloads,
	failureText,
	fillRequest,
	launchAndDownload,
	launchButton,
	setFaults
} from './faults-helpers';
import { e2e, launchBrowser, newContext, openApp, type OpenedApp } from './harness';

let browser: Browser;
const opened: OpenedApp[] = [];

async function open(): Promise<OpenedApp> {
	const app = await openApp(browser);
	opened.push(app);
	await fillRequest(app.page);
	return app;
}

beforeAll(async () => {
	browser = await launchBrowser();
});
afterEach(async () => {
	await clearFaults();
	for (const app of opened.splice(0)) await app.close();
});
afterAll(async () => {
	await browser?.close();
});

describe('an API that lies', () => {
	it('a total of 3 for more rows: a warning on the result screen and in Informations', async () => {
		const { page } = await open();
		await setFaults({ announcedTotal: { list: 'hospitalisations', total: 3 } });
		const run = await launchAndDownload(page);
		const file = `hospitalisations ${SUFFIX}.xlsx`;
		const rows = run.workbooks.get(file)!.rows('Hospitalisations').length - 1;
		expect(rows).toBeGreaterThan(3);
		const text = `L'API a annoncé 3 éléments, ${rows} ont été lus.`;
		const line = await page.locator(`tr[data-workbook="${file}"] .count-mismatch`).innerText();
		expect(line.replace(/\s+/g, ' ')).toBe(text);
		const info = run.workbooks.get(file)!.rows('Informations').flat();
		expect(info.map((v) => String(v).replace(/\u00a0/g, ' '))).toContain(text);
		// The other files told the truth: no warning.
		expect(await page.locator('.count-mismatch').count()).toBe(1);
	});

	it('a 307 to another origin: refused, the endpoint named, that origin never asked', async () => {
		let asked = 0;
		const elsewhere: Server = createServer((_req, res) => {
			asked++;
			res.writeHead(200, { 'Access-Control-Allow-Origin': '*' }).end('{}');
		});
		await new Promise<void>((done) => elsewhere.listen(0, '127.0.0.1', done));
		try {
			const { port } = elsewhere.address() as AddressInfo;
			const { page } = await open();
			const downloads = countDownloads(page);
			await setFaults({ redirectTo: `http://127.0.0.1:${port}` });
			await launchButton(page).click();
			const text = await failureText(page);
			expect(text).toMatch(
				/L'API SPICO a répondu à GET \/structures\/[^/]+\/[a-z-]+ par une redirection : refusée, aucune donnée n'est lue à une autre adresse\./
			);
			expect(asked).toBe(0);
			expect(downloads()).toBe(0);
		} finally {
			elsewhere.closeAllConnections();
			await new Promise<void>((done) => elsewhere.close(() => done()));
		}
	});

	it('a catalogue with a thematic id twice: a French message naming it, no broken page', async () => {
		const context = await newContext(browser);
		const field = { id: 'x', label: 'X', type: 'text' };
		await context.route(`${e2e().apiUrl}/structures/*/thematics`, (route) =>
			route.fulfill({
				headers: { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' },
				json: {
					items: [
						{ id: 'T1', label: 'Une', forms: [{ id: 'F1', label: 'Un', fields: [field] }] },
						{ id: 'T1', label: 'Deux', forms: [{ id: 'F2', label: 'Deux', fields: [field] }] }
					]
				}
			})
		);
		const app = await openApp(browser, { context });
		opened.push(app);
		await app.page.getByText('identifiant de thématique « T1 » en double').waitFor();
		expect(await app.page.getByRole('alert').innerText()).toContain('/thematics');
		expect(await launchButton(app.page).count()).toBe(0);
		expect(app.consoleErrors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
		await context.close();
	});
});
