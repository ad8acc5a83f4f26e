/**
 * Extractions in Chromium with the sandbox's faults switched on (SPEC §11 reliability): each
 * recoverable fault must end in the same workbooks as a fault-free run on the same data, with
 * the wait shown on the file; each final one in a French message naming the file and the
 * cause, with no download at all.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSpicoClient } from '../../src/lib/api/client';
import { STATUS_CODES } from '../../src/lib/contract/spico';
import {
	FILES,
	FROM,
	PAGE_SIZE,
	SUFFIX,
	TO,
	clearFaults,
	contentOf,
	countDownloads,
	failureText,
	fileStateMatching,
	fillRequest,
	launchAndDownload,
	noWorkerLeft,
	restoreData,
	sandboxCounters,
	setFaults,
	auditFromNow,
	countZipUrls,
	runOver
} from './faults-helpers';
import { allItems, structureOf } from '../helpers/api';
import { e2e, launchBrowser, openApp, type OpenAppOptions, type OpenedApp } from './harness';

// One frozen page clock for every run: the Informations sheets (date of extraction) and the
// entries' times are then the same from one run to the next.
const NOW = new Date(Date.now() - 60_000);

let browser: Browser;
let reference: ReturnType<typeof contentOf>;
const opened: OpenedApp[] = [];

async function open(options: OpenAppOptions = {}): Promise<OpenedApp> {
	const app = await openApp(browser, { now: NOW, config: { pageSize: PAGE_SIZE }, ...options });
	opened.push(app);
	await fillRequest(app.page);
	return app;
}

const api = () => createSpicoClient({ baseUrl: e2e().apiUrl, getToken: () => 'sandbox-alice' });

/** What the sandbox serves for a list right now, without faults. */
async function idsOf(list: 'appointments'): Promise<string[]> {
	const client = api();
	const query = { from: FROM, to: TO, archived: false, statuses: STATUS_CODES, limit: 5000 };
	const items = await allItems(client, (await structureOf(client)).sid, list, query);
	return items.map((i) => i.id);
}

beforeAll(async () => {
	browser = await launchBrowser();
	await clearFaults();
	const { page } = await open();
	const run = await launchAndDownload(page);
	expect(run.name).toBe(`Generic_extractions_brutes_${SUFFIX}.zip`);
	reference = contentOf(run.workbooks);
	// Several pages per file: the faults below fall between pages, not only on the first.
	const rdvRows = reference[`RDV ${SUFFIX}.xlsx`]?.['RDV']?.length ?? 0;
	expect(rdvRows - 1).toBeGreaterThan(PAGE_SIZE * 3);
}, 180_000);

afterEach(async () => {
	await clearFaults();
	while (opened.length) await opened.pop()!.close();
});

afterAll(async () => {
	await browser?.close();
});

describe('recoverable faults: retried, shown, and the same workbooks', () => {
	it('429 with Retry-After: « nouvel essai dans N s », then the same workbooks', async () => {
		const { page } = await open();
		await setFaults({ throttleEvery: 4, throttleStatus: 429, retryAfterSeconds: 2 });
		const shown = fileStateMatching(page, /nouvel essai dans \d+ s/);
		const started = Date.now();
		const run = await launchAndDownload(page);
		const text = await shown;
		// 2 s asked, up to 20 % more: 2 or 3 s shown (the page clock is frozen, so no countdown).
		expect(text).toMatch(/ — trop de requêtes \(erreur 429\), nouvel essai dans [23] s$/);
		expect(contentOf(run.workbooks)).toEqual(reference);
		const { requests } = await sandboxCounters();
		// Every 4th request was refused, and each refusal waited the 2 s asked for.
		const refused = Math.floor(requests / 4);
		expect(refused).toBeGreaterThan(2);
		expect(Date.now() - started).toBeGreaterThan(2000);
		expect(await page.getByRole('heading', { name: 'Extraction terminée' }).isVisible()).toBe(true);
	});

	it('503 without Retry-After: backoff, then the same workbooks', async () => {
		const { page } = await open();
		await setFaults({ errorRate: 0.25, errorStatus: 503 });
		const run = await launchAndDownload(page);
		expect(contentOf(run.workbooks)).toEqual(reference);
		expect((await sandboxCounters()).requests).toBeGreaterThan(4);
	});

	it('a connection dropped in the middle of an answer: read again, the same workbooks', async () => {
		const { page } = await open();
		await setFaults({ dropEvery: 4 });
		const run = await launchAndDownload(page);
		expect(contentOf(run.workbooks)).toEqual(reference);
		expect((await sandboxCounters()).requests).toBeGreaterThan(4);
	});

	it('401 then a fresh token: config.json read again, the request replayed, the same workbooks', async () => {
		const app = await open();
		const { page } = app;
		// After the first load, config.json hands out the refreshed token.
		let reads = 0;
		await page.route('**/config.json', (route) => {
			reads++;
			return route.fulfill({
				json: { apiBaseUrl: e2e().apiUrl, token: 'sandbox-alice.2', pageSize: PAGE_SIZE }
			});
		});
		const tokens: string[] = [];
		page.on('request', (r) => {
			if (r.url().startsWith(`${e2e().apiUrl}/structures/`) && r.method() === 'GET') {
				tokens.push(r.headers()['authorization'] ?? '');
			}
		});
		await setFaults({ expireTokenAfter: 3 });
		const run = await launchAndDownload(page);
		expect(contentOf(run.workbooks)).toEqual(reference);
		expect(reads).toBeGreaterThanOrEqual(1);
		expect(tokens.slice(0, 3)).toEqual(Array(3).fill('Bearer sandbox-alice'));
		expect(tokens.at(-1)).toBe('Bearer sandbox-alice.2');
	});

	it('rows inserted and deleted between pages: none twice, none lost, counts reported', async () => {
		const before = await idsOf('appointments');
		try {
			const { page } = await open();
			await setFaults({ mutateBetweenPages: { list: 'appointments', insert: 2, delete: 1 } });
			const run = await launchAndDownload(page);
			await clearFaults();
			const after = await idsOf('appointments');
			const [, ...rows] = run.workbooks.get(`RDV ${SUFFIX}.xlsx`)!.rows('RDV');
			const ids = rows.map((r) => String(r[4]));
			// No duplicate; every row present throughout is there; exactly what the API now holds.
			expect(new Set(ids).size).toBe(ids.length);
			const kept = before.filter((id) => after.includes(id));
			expect(kept.length).toBeLessThan(before.length);
			for (const id of kept) expect(ids).toContain(id);
			expect([...ids].sort()).toEqual([...after].sort());
			// The result says the data moved, with both totals and the rows read.
			const fmt = new Intl.NumberFormat('fr-FR');
			const line = await page.locator(`tr[data-workbook="RDV ${SUFFIX}.xlsx"]`).innerText();
			expect(line.replace(/\s+/g, ' ')).toContain(
				`Données modifiées pendant l'extraction : ${fmt.format(before.length)} éléments annoncés au début, ${fmt.format(after.length)} à la fin, ${fmt.format(ids.length)} lus`
			);
			// A fault-free run on the data as it now stands gives the same workbooks.
			const again = await open();
			const second = await launchAndDownload(again.page);
			expect(contentOf(second.workbooks)).toEqual(contentOf(run.workbooks));
			// The other files never moved.
			for (const file of [
				`donnees_administratives ${SUFFIX}.xlsx`,
				`hospitalisations ${SUFFIX}.xlsx`
			]) {
				expect(contentOf(run.workbooks)[file]).toEqual(reference[file]);
			}
		} finally {
			await clearFaults();
			await restoreData();
		}
		expect(await idsOf('appointments')).toEqual(before);
	});
});

describe('final faults: a French message naming the file, and no download', () => {
	it('401 twice: « Session expirée — reconnectez-vous puis relancez »', async () => {
		const { page } = await open();
		const downloads = countDownloads(page);
		const zipUrls = await countZipUrls(page);
		const audit = auditFromNow(page);
		await setFaults({ unauthorizedAfter: 3 });
		await page.getByRole('button', { name: 'Lancer les extractions' }).click();
		const text = await failureText(page);
		expect(text).toMatch(
			/^L'extraction a échoué : aucun fichier n'a été produit\. Votre session a expiré pendant l'extraction\. Reconnectez-vous, puis relancez l'extraction\. Détail technique (Données administratives|RDV|Hospitalisations) : Session expirée — reconnectez-vous puis relancez\.$/
		);
		await runOver(page, audit, 'failed');
		expect(await zipUrls()).toBe(0);
		expect(downloads()).toBe(0);
		expect(await page.getByRole('link', { name: /^Télécharger/ }).count()).toBe(0);
	});

	it('503 on every request: the retries run out, the file and the cause are named', async () => {
		const { page } = await open();
		const downloads = countDownloads(page);
		await setFaults({ errorRate: 1, errorStatus: 503 });
		await page.getByRole('button', { name: 'Lancer les extractions' }).click();
		const retrying = await fileStateMatching(page, /nouvel essai dans \d+ s/);
		expect(retrying).toMatch(/service indisponible \(erreur 503\), nouvel essai dans \d+ s/);
		const text = await failureText(page);
		expect(text).toContain(
			"Le service SPICO n'a pas pu fournir les données : il est indisponible ou surchargé. Réessayez dans quelques minutes."
		);
		const labels = FILES.map((f) => f.label).join('|');
		expect(text).toMatch(
			new RegExp(
				`(${labels}) : Le service SPICO est momentanément indisponible \\(erreur 503\\)\\. Échec après 5 tentatives\\.$`
			)
		);
		expect(downloads()).toBe(0);
		expect(await page.locator('.run [data-phase="done"]').count()).toBe(0);
		expect(await noWorkerLeft(page)).toBe(0);
	});

	it('a malformed item: endpoint, dossier and field named, no workbook', async () => {
		const client = api();
		const me = await client.me();
		const sid = me.account.type === 'structure' ? me.account.structureId : '';
		const first = await client.page(sid, 'appointments', {
			from: FROM,
			to: TO,
			archived: false,
			statuses: STATUS_CODES,
			limit: PAGE_SIZE
		});
		const dossierId = first.items[2]!.dossierId;
		const { page } = await open();
		const downloads = countDownloads(page);
		const zipUrls = await countZipUrls(page);
		const audit = auditFromNow(page);
		await setFaults({
			malformed: { list: 'appointments', index: 2, field: 'start', value: '2023-02-30T10:00:00Z' }
		});
		await page.getByRole('button', { name: 'Lancer les extractions' }).click();
		const text = await failureText(page);
		expect(text).toMatch(
			/L'API SPICO a renvoyé des données que le module ne sait pas lire\. Contactez l'administrateur de la plateforme en lui transmettant ce code : EB-CONTRAT-[0-9A-F]{6}\./
		);
		// The file that stopped the run is marked on its line.
		expect(await page.locator('.run .files li[data-end="failed"]').getAttribute('data-file')).toBe(
			'rdv'
		);
		expect(text).toContain(
			`RDV : Réponse non conforme de l'API (GET /structures/${sid}/appointments), dossier ${dossierId}, champ « items[2].start » : date-heure ISO 8601 avec décalage attendue`
		);
		await runOver(page, audit, 'failed');
		expect(await zipUrls()).toBe(0);
		expect(downloads()).toBe(0);
		expect(await page.getByRole('link', { name: /^Télécharger/ }).count()).toBe(0);
		// The task says the same, plainly, with the same code; the detail behind its disclosure.
		await page
			.getByRole('navigation', { name: 'Extractions brutes' })
			.getByRole('link', { name: 'Tâches' })
			.click();
		const failed = page.locator('tr[data-task][data-state="Échec"]');
		await failed.waitFor();
		const code = /EB-CONTRAT-[0-9A-F]{6}/.exec(text)?.[0];
		expect(code).toBeDefined();
		expect((await failed.innerText()).replace(/\s+/g, ' ')).toContain(
			`L'API SPICO a renvoyé des données que le module ne sait pas lire. Contactez l'administrateur de la plateforme en lui transmettant ce code : ${code}.`
		);
	});
});
