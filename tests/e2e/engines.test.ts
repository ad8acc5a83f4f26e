/**
 * The browsers staff use besides Chromium (SPEC §15): Firefox ESR (puppeteer-core over WebDriver
 * BiDi) and WebKitGTK (WebKitWebDriver under xvfb-run, selenium-webdriver). In each, a full
 * extraction on the small sandbox (every file, every thematic and form, Statuts, a period that
 * cuts status intervals) is downloaded, unzipped and read back with SheetJS against the API; then,
 * after a reload, the Tâches page gives back the same bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayInParis } from '../../src/lib/core/calendar';
import type { Download, DriverPage, EngineBrowser } from '../../harness/engines/driver';
import { fillEverythingIn, launchEngine, LAUNCH } from '../../harness/engines/form';
import {
	expectEveryRow,
	expectEveryWorkbook,
	expectStatusDays,
	readApi,
	type ApiView
} from '../helpers/check-extraction';
import { readZip, type ReadWorkbook } from '../helpers/read-extraction';
import { e2e } from './harness';

const PERIOD = { from: '2023-03-15', to: '2024-02-20' };

/** A row of the Tâches table in this state (the guide's wording), as a page expression. */
const taskIn = (state: string) =>
	`Array.from(document.querySelectorAll('table tbody tr')).some((tr) => tr.textContent.includes(${JSON.stringify(state)}))`;

let api: ApiView;

beforeAll(async () => {
	api = await readApi(e2e().apiUrl, PERIOD);
}, 60_000);

for (const engine of ['firefox', 'webkit'] as const) {
	describe(`${engine}: a full extraction, then the same ZIP from Tâches`, () => {
		let browser: EngineBrowser;
		let page: DriverPage;
		let first: Download;
		let books: Map<string, ReadWorkbook>;

		beforeAll(async () => {
			browser = await launchEngine(engine);
			page = await browser.newPage();
			await page.goto(e2e().appUrl);
			await fillEverythingIn(page, PERIOD);
			first = await page.downloadAfter(() => page.click(LAUNCH), 120_000);
			books = readZip(first.bytes);
		}, 240_000);

		afterAll(async () => {
			await browser?.close();
		});

		it('downloads the ZIP named as SPEC §5, one workbook per file and thematic', async () => {
			expect(first.name).toBe(`Generic_extractions_brutes_${api.suffix}.zip`);
			expectEveryWorkbook(books, api);
			await page.waitFor(
				`Array.from(document.querySelectorAll('h3')).some((h) => h.textContent.trim() === 'Extraction terminée')`,
				10_000,
				'« Extraction terminée »'
			);
		});

		it('writes every row the API returns, with its values', () => {
			expectEveryRow(books, api);
		});

		it('counts status days as a day-by-day walk over the API’s events does', () => {
			expectStatusDays(books, api, e2e().today ?? todayInParis());
		});

		it('after a reload, gives back the same bytes from the Tâches page', async () => {
			await page.click({ button: 'Tâches', within: 'nav' });
			await page.waitFor(taskIn('A traiter'), 30_000, 'la tâche « A traiter »');
			await page.reload();
			await page.waitFor(taskIn('A traiter'), 30_000, 'la tâche après rechargement');
			const again = await page.downloadAfter(() =>
				page.click({ button: 'Télécharger', within: 'table' })
			);
			expect(again.name).toBe(first.name);
			expect(again.bytes.length).toBe(first.bytes.length);
			expect(Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
			await page.waitFor(taskIn('Traité'), 10_000, 'la tâche « Traité »');
			// Firefox relays the console over BiDi; WebDriver classic (WebKit) does not.
			expect(page.consoleErrors).toEqual([]);
		});
	});
}
