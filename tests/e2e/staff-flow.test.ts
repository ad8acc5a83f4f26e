/**
 * The staff's flow (issue 14) in Chromium at 1366×900 and at 390×844: the Aperçu's counts are
 * the API's totals and the result's rows; the progress panel is in view and focused at launch,
 * the form locked until the end; nothing scrolls sideways; « Relancer » gives back the task's
 * request exactly and the same workbooks; launch, cancel, download from Tâches and « Relancer »
 * with the keyboard alone; axe stays clean.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpicoClient } from '../../src/lib/api/client';
import { STATUS_CODES, type Thematic } from '../../src/lib/contract/spico';
import { thematicBaseName } from '../../src/lib/core/datasets/index';
import type { ExtractionRequest } from '../../src/lib/core/request';
import { readZip, type ReadWorkbook } from '../helpers/read-extraction';
import { structureOf } from '../helpers/api';
import { fillEverything, launchButton } from '../../harness/form-driver';
import { axeViolations, e2e, launchBrowser, openApp, type OpenedApp } from './harness';

const FROM = '2023-03-15';
const TO = '2024-02-20';
const DB = 'extractions-brutes:taches';

const VIEWPORTS = [
	{ name: '1366×900', width: 1366, height: 900 },
	{ name: '390×844', width: 390, height: 844 }
] as const;

let browser: Browser;
let catalogue: Thematic[];
/** The API's totals for the request, by the plan's job id. */
let totals: Map<string, number>;

beforeAll(async () => {
	browser = await launchBrowser();
	const client = createSpicoClient({ baseUrl: e2e().apiUrl, getToken: () => 'sandbox-alice' });
	const { sid } = await structureOf(client);
	catalogue = await client.thematics(sid);
	const query = { from: FROM, to: TO, archived: false, statuses: [...STATUS_CODES], limit: 1 };
	const total = async (list: 'dossiers' | 'appointments' | 'hospitalisations' | 'care-circle') =>
		(await client.page(sid, list, query)).total;
	totals = new Map([
		['administratif', await total('dossiers')],
		['rdv', await total('appointments')],
		['hospitalisations', await total('hospitalisations')],
		['cercleDeSoins', await total('care-circle')],
		['statuts', await total('dossiers')]
	]);
	for (const t of catalogue) {
		let sum = 0;
		for (const f of t.forms)
			sum += (await client.page(sid, 'responses', query, { formId: f.id })).total;
		totals.set(`thematiques:${t.id}`, sum);
	}
});

afterAll(async () => {
	await browser?.close();
});

/** The Aperçu's counts once they are all in, by job id. */
async function apercuCounts(page: Page): Promise<Map<string, number>> {
	await page.locator('.apercu[aria-busy="false"] [data-apercu]').first().waitFor();
	await page.waitForFunction(
		() =>
			document.querySelector('.apercu')?.getAttribute('aria-busy') === 'false' &&
			[...document.querySelectorAll('.apercu [data-apercu] [data-rows]')].every(
				(e) => e.getAttribute('data-rows') !== ''
			)
	);
	const pairs = await page
		.locator('.apercu [data-apercu]')
		.evaluateAll((lines) =>
			lines.map((l) => [
				l.getAttribute('data-apercu') ?? '',
				Number(l.querySelector('[data-rows]')?.getAttribute('data-rows'))
			])
		);
	return new Map(pairs as [string, number][]);
}

/** The whole page fits the window's width: nothing to scroll sideways. */
function noSideScroll(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
	return page.evaluate(() => ({
		scrollWidth: document.documentElement.scrollWidth,
		innerWidth: window.innerWidth
	}));
}

/** Rows of each workbook on the result screen, as the per-file count the Aperçu gives. */
async function resultRows(page: Page): Promise<Map<string, number>> {
	const lines = await page.locator('tr[data-workbook]').evaluateAll((rows) =>
		rows.map((r) => ({
			file: r.getAttribute('data-workbook') ?? '',
			sheets: [...r.querySelectorAll('li[data-sheet]')].map((li) => ({
				name: li.getAttribute('data-sheet') ?? '',
				rows: Number(
					(li.textContent ?? '').match(/: ([\d\s\u202f]+) lignes?\s*$/)?.[1]?.replace(/\D/g, '')
				)
			}))
		}))
	);
	const byJob = new Map<string, number>();
	for (const { file, sheets } of lines) {
		const sum = (list: typeof sheets) => list.reduce((a, s) => a + s.rows, 0);
		if (file.startsWith('donnees_administratives')) byJob.set('administratif', sum(sheets));
		else if (file.startsWith('RDV')) byJob.set('rdv', sum(sheets));
		else if (file.startsWith('hospitalisations')) byJob.set('hospitalisations', sum(sheets));
		else if (file.startsWith('cercle_de_soins')) byJob.set('cercleDeSoins', sum(sheets));
		// One Synthèse row per dossier; the history has more.
		else if (file.startsWith('statuts'))
			byJob.set('statuts', sum(sheets.filter((s) => s.name === 'Synthèse')));
		else {
			const thematic = catalogue.find((t) => file.startsWith(`${thematicBaseName(t.label)} `));
			if (thematic) byJob.set(`thematiques:${thematic.id}`, sum(sheets));
		}
	}
	return byJob;
}

/** Every request of the API list routes waits `ms` first, so that a run lasts long enough to watch. */
async function slowApi(page: Page, ms: number) {
	await page.route(`${e2e().apiUrl}/structures/**`, async (route) => {
		const url = route.request().url();
		// The Aperçu's counts (limit=1) go at full speed.
		if (
			route.request().method() === 'GET' &&
			!url.endsWith('/thematics') &&
			!/[?&]limit=1(&|$)/.test(url)
		) {
			await new Promise((r) => setTimeout(r, ms));
		}
		await route.continue().catch(() => {});
	});
}

/** Presses Tab until the focused element's text starts with `label` (keyboard only). */
async function tabTo(page: Page, label: string, max = 120): Promise<void> {
	for (let i = 0; i < max; i++) {
		await page.keyboard.press('Tab');
		const text = await page.evaluate(() => {
			const el = document.activeElement as HTMLElement | null;
			return (el?.innerText ?? el?.getAttribute('aria-label') ?? '').replace(/\s+/g, ' ').trim();
		});
		if (text.startsWith(label)) return;
	}
	throw new Error(`« ${label} » not reached with Tab`);
}

/** The requests of the stored tasks, oldest first, straight from IndexedDB. */
function storedRequests(page: Page): Promise<ExtractionRequest[]> {
	return page.evaluate(async (db) => {
		const conn = await new Promise<IDBDatabase>((ok, ko) => {
			const r = indexedDB.open(db);
			r.onsuccess = () => ok(r.result);
			r.onerror = () => ko(r.error);
		});
		try {
			const all = await new Promise<{ createdAt: number; request: unknown }[]>((ok, ko) => {
				const r = conn.transaction('tasks').objectStore('tasks').getAll();
				r.onsuccess = () => ok(r.result);
				r.onerror = () => ko(r.error);
			});
			return all
				.sort((a, b) => a.createdAt - b.createdAt)
				.map((t) => t.request as ExtractionRequest);
		} finally {
			conn.close();
		}
	}, DB);
}

/** Every sheet's rows, the Informations sheet without its extraction time (it moves). */
function contentOf(workbooks: Map<string, ReadWorkbook>) {
	const out: Record<string, Record<string, unknown[][]>> = {};
	for (const [file, wb] of [...workbooks].sort(([a], [b]) => a.localeCompare(b))) {
		out[file] = Object.fromEntries(
			wb.book.SheetNames.map((s) => [
				s,
				wb
					.rows(s)
					.filter((r) => !(s === 'Informations' && String(r[0]).startsWith('Date et heure')))
			])
		);
	}
	return out;
}

describe.each(VIEWPORTS)('at $name', (viewport) => {
	let app: OpenedApp;
	let firstZip: Map<string, ReadWorkbook>;

	afterAll(async () => {
		await app?.close();
	});

	it('shows the Aperçu, then the run in view with the form locked, then the result', async () => {
		app = await openApp(browser, { viewport: { width: viewport.width, height: viewport.height } });
		const { page } = app;
		await fillEverything(page, { from: FROM, to: TO });
		const apercu = await apercuCounts(page);
		expect(Object.fromEntries(apercu)).toEqual(Object.fromEntries(totals));
		const formWidth = await noSideScroll(page);
		expect(formWidth.scrollWidth).toBeLessThanOrEqual(formWidth.innerWidth);
		expect(await axeViolations(page)).toEqual([]);

		await slowApi(page, 150);
		const downloading = page.waitForEvent('download', { timeout: 120_000 });
		await launchButton(page).click();
		const panel = page.locator('section.run');
		await panel.waitFor();
		const seen = await page.evaluate(() => {
			const el = document.querySelector('section.run') as HTMLElement;
			const box = el.getBoundingClientRect();
			const cancel = [...el.querySelectorAll('button')].find(
				(b) => b.textContent?.trim() === 'Annuler'
			);
			return {
				top: box.top,
				cancelBottom: cancel?.getBoundingClientRect().bottom ?? Infinity,
				height: window.innerHeight,
				focused: document.activeElement === el,
				inputs: [...document.querySelectorAll('form.extraction-form input')].map((i) =>
					(i as HTMLInputElement).matches(':disabled')
				)
			};
		});
		expect(seen.top).toBeGreaterThanOrEqual(0);
		expect(seen.top).toBeLessThan(seen.height);
		// The panel's start, with its bar and Annuler, is on screen.
		expect(seen.cancelBottom).toBeLessThanOrEqual(seen.height);
		expect(seen.focused).toBe(true);
		expect(seen.inputs.length).toBeGreaterThan(10);
		expect(seen.inputs.every(Boolean)).toBe(true);
		// Still locked a moment later, while the run goes.
		await page.waitForFunction(() => document.querySelector('.run [data-phase="fetch"]') !== null);
		expect(
			await page
				.locator('form.extraction-form input')
				.evaluateAll((all) => all.every((i) => i.matches(':disabled')))
		).toBe(true);

		const download = await downloading;
		firstZip = readZip(new Uint8Array(await readFile(await download.path())));
		await page.getByRole('heading', { name: 'Extraction terminée' }).waitFor();
		await page.unroute(`${e2e().apiUrl}/structures/**`);
		expect(
			await page
				.locator('form.extraction-form input')
				.evaluateAll((all) => all.some((i) => i.matches(':disabled')))
		).toBe(false);
		expect(Object.fromEntries(await resultRows(page))).toEqual(Object.fromEntries(apercu));
		// A shortened sheet name shows its form's full name beside it.
		const plateforme = catalogue.find((t) => t.forms.some((f) => f.label.length > 31));
		if (plateforme) {
			const long = plateforme.forms.find((f) => f.label.length > 31)!;
			expect(await page.getByText(`(formulaire « ${long.label} »)`).count()).toBe(1);
		}
		const width = await noSideScroll(page);
		expect(width.scrollWidth).toBeLessThanOrEqual(width.innerWidth);
		expect(await axeViolations(page)).toEqual([]);
		expect(app.consoleErrors).toEqual([]);
	});

	it('Tâches fits the width; « Relancer » gives back the request and the same workbooks, by keyboard', async () => {
		const { page } = app;
		await page
			.getByRole('navigation', { name: 'Extractions brutes' })
			.getByRole('link', { name: 'Tâches' })
			.click();
		await page.locator('tr[data-task][data-state="A traiter"]').waitFor();
		const width = await noSideScroll(page);
		expect(width.scrollWidth).toBeLessThanOrEqual(width.innerWidth);
		expect(await axeViolations(page)).toEqual([]);
		// No action cut off: every button of the row lies inside the Tâches frame and the window.
		const cut = await page.locator('tr[data-task] button').evaluateAll((buttons) => {
			const frame = document.querySelector('section.tasks')!.getBoundingClientRect();
			return buttons.filter((b) => {
				const r = b.getBoundingClientRect();
				return (
					r.left < Math.max(0, frame.left) || r.right > Math.min(window.innerWidth, frame.right)
				);
			}).length;
		});
		expect(cut).toBe(0);
		// The table itself stays inside its frame (it overflowed it before).
		const overflow = await page.evaluate(() => {
			const frame = document.querySelector('section.tasks')!.getBoundingClientRect();
			const table = document.querySelector('section.tasks table')!.getBoundingClientRect();
			return table.right - frame.right;
		});
		expect(overflow).toBeLessThanOrEqual(0);

		// The comment takes two lines at most; the whole of it on demand.
		const clamp = page.locator('tr[data-task] td.comment .clamp').first();
		const lines = () =>
			clamp.evaluate(
				(e) => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)
			);
		expect(await lines()).toBeLessThanOrEqual(2.05);
		await page.locator('tr[data-task] td.comment summary').first().click();
		expect(await lines()).toBeGreaterThan(2.05);

		// Download from Tâches, keyboard only: the focus stays on the button, the warning shows.
		await page.locator('h2', { hasText: 'Tâches' }).first().focus();
		await tabTo(page, 'Télécharger');
		const downloading = page.waitForEvent('download');
		await page.keyboard.press('Enter');
		const again = await downloading;
		expect(again.suggestedFilename()).toMatch(
			/^Generic_extractions_brutes_15032023_20022024\.zip$/
		);
		await page.locator('tr[data-task][data-state="Traité"]').waitFor();
		expect(
			await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText.trim())
		).toMatch(/^Télécharger/);
		await page.getByText('stocker impérativement les fichiers téléchargés').waitFor();

		// « Relancer », keyboard only: the form comes back filled, and is launched again.
		await tabTo(page, 'Relancer');
		await page.keyboard.press('Enter');
		await page.waitForURL((url) => !url.pathname.endsWith('/taches'));
		await launchButton(page).waitFor();
		expect(await page.getByLabel('Date de début').inputValue()).toBe(FROM);
		expect(await page.getByLabel('Date de fin').inputValue()).toBe(TO);
		await launchButton(page).focus();
		const second = page.waitForEvent('download', { timeout: 120_000 });
		await page.keyboard.press('Enter');
		const zip = readZip(new Uint8Array(await readFile(await (await second).path())));
		await page.getByRole('heading', { name: 'Extraction terminée' }).waitFor();
		const [first, relaunched] = await storedRequests(page);
		expect(relaunched).toEqual(first);
		expect(contentOf(zip)).toEqual(contentOf(firstZip));
		expect(app.consoleErrors).toEqual([]);
	});

	it('launches and cancels with the keyboard alone; every line says what became of its file', async () => {
		const { page } = app;
		await slowApi(page, 300);
		await launchButton(page).focus();
		await page.keyboard.press('Enter');
		// Focus is on the panel: the next Tab lands on Annuler.
		await page.waitForFunction(() => document.activeElement?.matches('section.run') ?? false);
		await page.keyboard.press('Tab');
		expect(
			await page.evaluate(() => (document.activeElement as HTMLElement).innerText.trim())
		).toBe('Annuler');
		await page.keyboard.press('Enter');
		await page.getByText("Extraction annulée : aucun fichier n'a été produit.").waitFor();
		const states = await page
			.locator('.run .files li')
			.evaluateAll((lines) =>
				lines.map((l) => [l.getAttribute('data-end'), l.querySelector('.state')?.textContent ?? ''])
			);
		expect(states.length).toBeGreaterThan(5);
		for (const [end, text] of states) {
			expect(end).toBe('stopped');
			expect(text).toMatch(/^Annulé : /);
		}
		expect(await launchButton(page).isEnabled()).toBe(true);
		await page.unroute(`${e2e().apiUrl}/structures/**`);
	});

	it('going to Tâches and back during a run shows the run; leaving the page asks first', async () => {
		const { page } = app;
		await slowApi(page, 300);
		await launchButton(page).click();
		await page.locator('section.run').waitFor();
		const nav = page.getByRole('navigation', { name: 'Extractions brutes' });
		await nav.getByRole('link', { name: 'Tâches' }).click();
		await page.locator('tr[data-task][data-state="En cours"]').waitFor();
		await nav.getByRole('link', { name: 'Nouvelle extraction' }).click();
		await page.getByRole('button', { name: 'Annuler' }).waitFor();
		// The run's request, locked: not an empty form.
		expect(await page.getByLabel('Date de début').inputValue()).toBe(FROM);
		expect(await page.getByLabel('Date de début').isDisabled()).toBe(true);
		expect(await page.locator('.run .files li').count()).toBeGreaterThan(5);

		// Closing the tab mid-run asks for confirmation; dismissed, the run goes on.
		const dialog = page.waitForEvent('dialog');
		await page.close({ runBeforeUnload: true });
		const asked = await dialog;
		expect(asked.type()).toBe('beforeunload');
		await asked.dismiss();
		expect(page.isClosed()).toBe(false);
		await page.getByRole('button', { name: 'Annuler' }).click();
		await page.getByText("Extraction annulée : aucun fichier n'a été produit.").waitFor();
		// No run, no question: the tab closes at once.
		let askedAgain = false;
		page.on('dialog', (d) => {
			askedAgain = true;
			void d.accept();
		});
		const closed = page.waitForEvent('close');
		await page.close({ runBeforeUnload: true });
		await closed;
		expect(askedAgain).toBe(false);
	});
});

describe('the Aperçu when a count fails', () => {
	it('says so on its line, counts the others, and never blocks the launch', async () => {
		const app = await openApp(browser);
		const { page } = app;
		try {
			await page.route(/\/appointments\?/, async (route) => {
				if (/[?&]limit=1(&|$)/.test(route.request().url())) {
					await route.fulfill({ status: 503, body: '' });
				} else await route.continue();
			});
			await fillEverything(page, { from: FROM, to: TO });
			const rdv = page.locator('.apercu [data-apercu="rdv"]');
			await rdv.getByText('Comptage impossible').waitFor({ timeout: 30_000 });
			await page.locator('.apercu[aria-busy="false"]').waitFor();
			expect(
				await page.locator('.apercu [data-apercu] [data-rows]:not([data-rows=""])').count()
			).toBe(totals.size - 1);
			expect(await page.locator('.apercu .size').innerText()).toContain('Un comptage a échoué');
			expect(await launchButton(page).isEnabled()).toBe(true);
			const downloading = page.waitForEvent('download', { timeout: 120_000 });
			await launchButton(page).click();
			await downloading;
			expect(await axeViolations(page)).toEqual([]);
		} finally {
			await app.close();
		}
	});
});

describe('the Aperçu follows the form', () => {
	it('counts again after a change, for the new request only', async () => {
		const app = await openApp(browser);
		const { page } = app;
		try {
			await fillEverything(page, { from: FROM, to: TO });
			const before = await apercuCounts(page);
			expect(before.get('administratif')).toBe(totals.get('administratif'));
			const client = createSpicoClient({ baseUrl: e2e().apiUrl, getToken: () => 'sandbox-alice' });
			const { sid } = await structureOf(client);
			const query = { from: FROM, to: TO, archived: true, statuses: [...STATUS_CODES], limit: 1 };
			const archived = (await client.page(sid, 'dossiers', query)).total;
			expect(archived).toBeGreaterThan(before.get('administratif')!);
			await page
				.getByRole('radiogroup', { name: 'Archivés', exact: true })
				.getByRole('radio', { name: 'Oui' })
				.check();
			await page.waitForFunction(
				(n) =>
					document
						.querySelector('.apercu [data-apercu="administratif"] [data-rows]')
						?.getAttribute('data-rows') === String(n),
				archived
			);
			const after = await apercuCounts(page);
			expect(after.get('statuts')).toBe(archived);
			// Thématiques = Non: its lines go, the form stays valid, the others stay counted.
			await page
				.getByRole('radiogroup', { name: 'Thématiques', exact: true })
				.getByRole('radio', { name: 'Non' })
				.check();
			await page.waitForFunction(
				() => document.querySelectorAll('.apercu [data-apercu^="thematiques:"]').length === 0
			);
			expect([...(await apercuCounts(page)).keys()]).toEqual([
				'administratif',
				'rdv',
				'hospitalisations',
				'cercleDeSoins',
				'statuts'
			]);
		} finally {
			await app.close();
		}
	});
});
