/**
 * The task list in Chromium: a launch creates its task, the encrypted ZIP survives a reload and
 * comes back byte for byte from the Tâches page; two tabs follow the same task live; a tab closed
 * mid-run leaves an interrupted task; a refused write still downloads and keeps nothing partial;
 * the audit event reaches the sandbox with the right counts and nothing about patients.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpicoClient } from '../../src/lib/api/client';
import {
	STATUS_CODES,
	type ExtractionEvent,
	type ListName,
	type ListQuery
} from '../../src/lib/contract/spico';
import { allItems, structureOf } from '../helpers/api';
import { axeViolations, e2e, launchBrowser, newContext, openApp, type OpenedApp } from './harness';

const FROM = '2023-03-15';
const TO = '2024-02-20';
const ZIP = 'Generic_extractions_brutes_15032023_20022024.zip';
const DB = 'extractions-brutes:taches';

let browser: Browser;
const opened: OpenedApp[] = [];

beforeAll(async () => {
	browser = await launchBrowser();
});

afterAll(async () => {
	for (const app of opened) await app.close().catch(() => {});
	await browser?.close();
});

async function open(options: Parameters<typeof openApp>[1] = {}): Promise<OpenedApp> {
	const app = await openApp(browser, options);
	opened.push(app);
	return app;
}

const launchButton = (page: Page) => page.getByRole('button', { name: 'Lancer les extractions' });
const yesNo = (page: Page, legend: string, answer: 'Oui' | 'Non') =>
	page.getByRole('radiogroup', { name: legend, exact: true }).getByRole('radio', { name: answer });

/** Données administratives and RDV only: quick, and their rows are easy to count at the API. */
async function fillSmall(page: Page) {
	await launchButton(page).waitFor();
	await page.getByLabel('Date de début').fill(FROM);
	await page.getByLabel('Date de fin').fill(TO);
	await yesNo(page, 'Données administratives patient', 'Oui').check();
	await yesNo(page, 'RDV', 'Oui').check();
	for (const legend of ['Hospitalisation', 'Cercle de soins', 'Thématiques', 'Statuts']) {
		await yesNo(page, legend, 'Non').check();
	}
}

/** Every API list request waits `ms` first: the run stays « En cours » long enough to watch. */
async function slowApi(page: Page, ms: number) {
	await page.route(`${e2e().apiUrl}/structures/**`, async (route) => {
		if (route.request().method() === 'GET' && !route.request().url().endsWith('/thematics')) {
			await new Promise((r) => setTimeout(r, ms));
		}
		await route.continue().catch(() => {});
	});
}

async function bytesOf(download: Download): Promise<Uint8Array> {
	return new Uint8Array(await readFile(await download.path()));
}

const rows = (page: Page) => page.locator('tr[data-task]');
const rowIn = (page: Page, state: string) => page.locator(`tr[data-task][data-state="${state}"]`);

async function goToTasks(page: Page) {
	await page
		.getByRole('navigation', { name: 'Extractions brutes' })
		.getByRole('link', {
			name: 'Tâches'
		})
		.click();
	await page.getByRole('heading', { name: 'Tâches', exact: true }).waitFor();
}

/** Counts records of a store of the task database, straight from IndexedDB. */
function countIn(page: Page, store: string): Promise<number> {
	return page.evaluate(
		async ({ db, store }) => {
			const conn = await new Promise<IDBDatabase>((ok, ko) => {
				const r = indexedDB.open(db);
				r.onsuccess = () => ok(r.result);
				r.onerror = () => ko(r.error);
			});
			try {
				return await new Promise<number>((ok, ko) => {
					const r = conn.transaction(store).objectStore(store).count();
					r.onsuccess = () => ok(r.result);
					r.onerror = () => ko(r.error);
				});
			} finally {
				conn.close();
			}
		},
		{ db: DB, store }
	);
}

/** The first stored chunk's bytes, read raw from IndexedDB (what rests on disk). */
function firstChunk(page: Page): Promise<number[]> {
	return page.evaluate(async (db) => {
		const conn = await new Promise<IDBDatabase>((ok, ko) => {
			const r = indexedDB.open(db);
			r.onsuccess = () => ok(r.result);
			r.onerror = () => ko(r.error);
		});
		try {
			const chunk = await new Promise<{ data: ArrayBuffer }>((ok, ko) => {
				const r = conn.transaction('chunks').objectStore('chunks').openCursor();
				r.onsuccess = () => ok(r.result!.value as { data: ArrayBuffer });
				r.onerror = () => ko(r.error);
			});
			return [...new Uint8Array(chunk.data)];
		} finally {
			conn.close();
		}
	}, DB);
}

/** Attempts made for the audit event waiting in the outbox (0 when none waits). */
function auditAttempts(page: Page): Promise<number> {
	return page.evaluate(async (db) => {
		const conn = await new Promise<IDBDatabase>((ok, ko) => {
			const r = indexedDB.open(db);
			r.onsuccess = () => ok(r.result);
			r.onerror = () => ko(r.error);
		});
		try {
			const all = await new Promise<{ attempts: number }[]>((ok, ko) => {
				const r = conn.transaction('audit').objectStore('audit').getAll();
				r.onsuccess = () => ok(r.result as { attempts: number }[]);
				r.onerror = () => ko(r.error);
			});
			return all[0]?.attempts ?? 0;
		} finally {
			conn.close();
		}
	}, DB);
}

async function sandboxEvents(): Promise<{ structureId: string; event: ExtractionEvent }[]> {
	const res = await fetch(`${e2e().sandboxUrl}/__sandbox/extraction-events`);
	return ((await res.json()) as { items: { structureId: string; event: ExtractionEvent }[] }).items;
}

describe('the static build', () => {
	it('has a page of its own for /taches, and the navigation leads to it', async () => {
		const { appUrl } = e2e();
		const fetchPage = async (path: string) => {
			const res = await fetch(new URL(path, appUrl));
			return { status: res.status, body: await res.text() };
		};
		const home = await fetchPage('');
		const tasks = await fetchPage('taches');
		expect([home.status, tasks.status]).toEqual([200, 200]);
		// Prerendered (taches.html), not the fallback shell of the home page.
		expect(tasks.body).not.toBe(home.body);
		const { page } = await open();
		await goToTasks(page);
		const nav = page.getByRole('navigation', { name: 'Extractions brutes' });
		expect(await nav.getByRole('link', { name: 'Tâches' }).getAttribute('aria-current')).toBe(
			'page'
		);
		expect(await page.title()).toBe('Tâches — Extractions brutes');
		await nav.getByRole('link', { name: 'Nouvelle extraction' }).click();
		await launchButton(page).waitFor();
		expect(new URL(page.url()).pathname).toBe('/');
	});
});

describe('a task per launch, kept encrypted, downloaded again after a reload', () => {
	let app: OpenedApp;
	let first: Uint8Array;

	beforeAll(async () => {
		app = await open();
		const { page } = app;
		await fillSmall(page);
		const downloading = page.waitForEvent('download', { timeout: 120_000 });
		await launchButton(page).click();
		const download = await downloading;
		expect(download.suggestedFilename()).toBe(ZIP);
		first = await bytesOf(download);
	}, 180_000);

	it('shows the task with the guide’s columns and wording, « A traiter »', async () => {
		const { page } = app;
		await goToTasks(page);
		expect(page.url()).toMatch(/\/taches$/);
		await rowIn(page, 'A traiter').waitFor();
		expect(await rows(page).count()).toBe(1);
		const headers = await page.locator('thead th').allInnerTexts();
		expect(headers).toEqual([
			'Niveau',
			'Libellé',
			'Période',
			'Commentaire',
			'Documents',
			"Date d'échéance",
			'Actions'
		]);
		const cells = (await rows(page).first().locator('th, td').allInnerTexts()).map((t) =>
			t.replace(/\s+/g, ' ').trim()
		);
		const madeOn = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris' })
			.format(new Date())
			.replaceAll('/', '');
		expect(cells[0]).toContain('Très haute');
		expect(cells[1]).toBe('Extraction brute des données A traiter Contenu et filtres');
		expect(cells[2]).toBe('15/03/2023 au 20/02/2024');
		expect(cells[3]).toBe(
			`Document d'extraction brute des données pour la structure PLATEFORME TND TEST réalisée le ${madeOn} Période du 15032023 au 20022024`
		);
		expect(cells[4]).toContain('EXTRACTIONS - BRUTES - GENERIQUES');
		expect(cells[4]).toContain(ZIP);
		expect(cells[5]).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
		expect(cells[6]).toContain('Télécharger');
		expect(cells[6]).toContain('Relancer');
		expect(app.consoleErrors).toEqual([]);
	});

	it('keeps the ZIP encrypted in a prefixed IndexedDB database', async () => {
		const { page } = app;
		const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
		expect(names).toContain(DB);
		expect(names.every((n) => n?.startsWith('extractions-brutes:'))).toBe(true);
		const stored = Buffer.from(await firstChunk(page));
		expect(stored.length).toBeGreaterThan(first.length); // one chunk: the ZIP and its tag
		// A ZIP starts with PK\3\4 and names its entries in clear: neither is at rest.
		expect(stored.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 3, 4]))).toBe(false);
		expect(stored.includes(Buffer.from('RDV 15032023_20022024.xlsx'))).toBe(false);
		expect(Buffer.from(first).includes(Buffer.from('RDV 15032023_20022024.xlsx'))).toBe(true);
	});

	it('after a reload, gives back the same bytes from the Tâches page, then says « Traité »', async () => {
		const { page } = app;
		await page.reload();
		await rowIn(page, 'A traiter').waitFor();
		const downloading = page.waitForEvent('download');
		await rows(page)
			.first()
			.getByRole('button', { name: /^Télécharger/ })
			.click();
		const again = await downloading;
		expect(again.suggestedFilename()).toBe(ZIP);
		const bytes = await bytesOf(again);
		expect(bytes.length).toBe(first.length);
		expect(Buffer.from(bytes).equals(Buffer.from(first))).toBe(true);
		await rowIn(page, 'Traité').waitFor();
		expect(await page.getByRole('status').filter({ hasText: 'Téléchargement de' }).count()).toBe(1);
	});

	it('passes axe on the Tâches page, filters and pages included', async () => {
		const { page } = app;
		expect(await axeViolations(page)).toEqual([]);
		// Etat filter: without « Traité » the task is hidden, and the page says why.
		await page.getByRole('group', { name: 'Etat' }).getByLabel('Traité').uncheck();
		await page.getByText('Aucune tâche ne correspond aux filtres.').waitFor();
		expect(await axeViolations(page)).toEqual([]);
		await page.getByRole('group', { name: 'Etat' }).getByLabel('Traité').check();
		await rowIn(page, 'Traité').waitFor();
		expect(await page.getByLabel("Nombre d'items par page").inputValue()).toBe('10');
	});

	it('deletes everything with « Tout supprimer », after a confirmation', async () => {
		const { page } = app;
		await page.getByRole('button', { name: 'Tout supprimer' }).click();
		await page.getByRole('button', { name: 'Confirmer la suppression' }).click();
		await page.getByText(/^Aucune tâche\. Chaque extraction lancée crée une tâche ici/).waitFor();
		expect(await countIn(page, 'tasks')).toBe(0);
		expect(await countIn(page, 'chunks')).toBe(0);
		expect(await axeViolations(page)).toEqual([]);
	});
});

describe('live across tabs', () => {
	it('two tabs see the same task appear « En cours » then become « A traiter »', async () => {
		const context = await newContext(browser);
		const tasksTab = await open({ context, path: '/taches' });
		await tasksTab.page.getByText(/^Aucune tâche\./).waitFor();
		// Each file is one page: a slow API keeps the run going while the third tab opens.
		const runner = await open({ context });
		await slowApi(runner.page, 4_000);
		await fillSmall(runner.page);
		await launchButton(runner.page).click();

		await rowIn(tasksTab.page, 'En cours').waitFor({ timeout: 30_000 });
		// A third tab starting now runs the interrupted-task check: the live run is left alone.
		const late = await open({ context, path: '/taches' });
		await rowIn(late.page, 'En cours').waitFor();
		expect(await rowIn(late.page, 'Échec').count()).toBe(0);

		await rowIn(tasksTab.page, 'A traiter').waitFor({ timeout: 120_000 });
		await rowIn(late.page, 'A traiter').waitFor({ timeout: 10_000 });
		expect(await rows(tasksTab.page).count()).toBe(1);
		await context.close();
	}, 180_000);
});

describe('a tab closed in the middle of an extraction', () => {
	it('leaves an « Échec — interrompue » task at the next start, never one stuck « En cours »', async () => {
		const context = await newContext(browser);
		const runner = await open({ context });
		await slowApi(runner.page, 5_000);
		await fillSmall(runner.page);
		await launchButton(runner.page).click();
		const watcher = await open({ context, path: '/taches' });
		await rowIn(watcher.page, 'En cours').waitFor({ timeout: 30_000 });
		await runner.page.close();

		const next = await open({ context, path: '/taches' });
		const row = rowIn(next.page, 'Échec');
		await row.waitFor({ timeout: 15_000 });
		expect(await row.innerText()).toContain('Échec — interrompue');
		expect(await rowIn(next.page, 'En cours').count()).toBe(0);
		// The tab that was already open follows it live.
		await rowIn(watcher.page, 'Échec').waitFor({ timeout: 10_000 });
		expect(next.consoleErrors).toEqual([]);
		await context.close();
	}, 120_000);
});

describe('a storage quota error', () => {
	it('still downloads the ZIP, says the task could not be kept, and keeps no partial record', async () => {
		const context: BrowserContext = await newContext(browser);
		// The test hook around the store call: IndexedDB refuses every chunk, as a full disk would.
		await context.addInitScript(() => {
			const put = IDBObjectStore.prototype.put;
			IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args) {
				if (this.name === 'chunks') {
					throw new DOMException('Quota exceeded (test)', 'QuotaExceededError');
				}
				return put.apply(this, args);
			} as typeof put;
		});
		const app = await open({ context });
		const { page } = app;
		await fillSmall(page);
		const downloading = page.waitForEvent('download', { timeout: 120_000 });
		await launchButton(page).click();
		const download = await downloading;
		expect((await bytesOf(download)).length).toBeGreaterThan(1000);

		await goToTasks(page);
		const row = rowIn(page, 'A traiter');
		await row.waitFor();
		expect(await row.innerText()).toContain(
			"Le fichier n'a pas pu être conservé dans le navigateur : espace de stockage insuffisant."
		);
		expect(await row.getByRole('button', { name: /^Télécharger/ }).count()).toBe(0);
		expect(await countIn(page, 'chunks')).toBe(0);
		expect(await countIn(page, 'tasks')).toBe(1);
		await context.close();
	}, 180_000);
});

describe('the audit trail', () => {
	const api = () => createSpicoClient({ baseUrl: e2e().apiUrl, getToken: () => 'sandbox-alice' });
	const query: Omit<ListQuery, 'cursor'> = {
		from: FROM,
		to: TO,
		archived: false,
		statuses: [...STATUS_CODES],
		limit: 5000
	};

	async function listAll(list: ListName) {
		const client = api();
		const { sid, userId } = await structureOf(client);
		const items = (await allItems(client, sid, list, query)) as unknown as Record<
			string,
			unknown
		>[];
		return { sid, userId, items };
	}

	it('records each finished or cancelled extraction with its counts and no patient data; a failed call is retried without blocking the download', async () => {
		await fetch(`${e2e().sandboxUrl}/__sandbox/extraction-events`, { method: 'DELETE' });
		const context = await newContext(browser);
		const app = await open({ context });
		const { page } = app;
		// The audit endpoint is down at first: the download must not wait for it.
		const auditUrl = `${e2e().apiUrl}/structures/*/extraction-events`;
		let refused = 0;
		await page.route(auditUrl, (route) => {
			refused++;
			return route.fulfill({ status: 503, body: '' });
		});
		await fillSmall(page);
		const downloading = page.waitForEvent('download', { timeout: 120_000 });
		await launchButton(page).click();
		await downloading;
		// The client's own retries exhausted, the event waits in the outbox for a later attempt.
		await expect.poll(() => auditAttempts(page), { timeout: 60_000 }).toBeGreaterThan(0);
		expect(refused).toBeGreaterThan(1);
		expect(await sandboxEvents()).toEqual([]);
		await page.unroute(auditUrl);

		const dossiers = await listAll('dossiers');
		const appointments = await listAll('appointments');
		await expect
			.poll(async () => (await sandboxEvents()).length, { timeout: 60_000, interval: 500 })
			.toBe(1);
		const [stored] = await sandboxEvents();
		expect(stored!.structureId).toBe(dossiers.sid);
		const event = stored!.event;
		expect(event).toMatchObject({
			userId: dossiers.userId,
			outcome: 'done',
			filters: {
				from: FROM,
				to: TO,
				archived: false,
				statuses: [...STATUS_CODES],
				files: ['administratif', 'rdv'],
				forms: []
			},
			files: [
				{ name: 'donnees_administratives 15032023_20022024.xlsx', rows: dossiers.items.length },
				{ name: 'RDV 15032023_20022024.xlsx', rows: appointments.items.length }
			]
		});
		expect(dossiers.items.length).toBeGreaterThan(0);
		expect(Date.parse(event.endedAt)).toBeGreaterThanOrEqual(Date.parse(event.startedAt));
		// The event is the task's: same id.
		await goToTasks(page);
		expect(await rows(page).first().getAttribute('data-task')).toBe(event.id);

		// Nothing about patients: no such field, and no name or id of a dossier anywhere.
		const json = JSON.stringify(event);
		for (const field of ['patient', 'nom', 'prenom', 'dateNaissance', 'dossierId', 'ins']) {
			expect(json).not.toContain(`"${field}"`);
		}
		for (const d of dossiers.items.slice(0, 50)) {
			const patient = d.patient as { nom: string; prenom: string };
			expect(json).not.toContain(`"${patient.nom}"`);
			expect(json).not.toContain(String(d.dossierId));
		}

		expect(await countIn(page, 'audit')).toBe(0);

		// A cancelled run is recorded too.
		await page.getByRole('link', { name: 'Nouvelle extraction' }).click();
		await slowApi(page, 400);
		await fillSmall(page);
		await launchButton(page).click();
		await page.getByRole('button', { name: 'Annuler' }).click();
		await page.getByText("Extraction annulée : aucun fichier n'a été produit.").waitFor();
		await expect
			.poll(async () => (await sandboxEvents()).map((e) => e.event.outcome), { timeout: 30_000 })
			.toEqual(['done', 'cancelled']);
		await goToTasks(page);
		await rowIn(page, 'Annulée').waitFor();
		await context.close();
	}, 240_000);
});
