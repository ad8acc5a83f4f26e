/**
 * A real extraction in Chromium on the small sandbox: every file, every thematic and form, a
 * period that cuts status intervals. The ZIP is downloaded, unzipped and every workbook read
 * back with SheetJS, then compared with what the API returns for the same filters.
 */
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpicoClient } from '../../src/lib/api/client';
import {
	STATUS_CODES,
	type ListItem,
	type ListName,
	type ListQuery,
	type Thematic
} from '../../src/lib/contract/spico';
import { todayInParis } from '../../src/lib/core/calendar';
import { thematicBaseName } from '../../src/lib/core/datasets/index';
import {
	naiveStatusDays,
	readZip,
	serialOfDay,
	type ReadWorkbook
} from '../helpers/read-extraction';
import { allItems, structureOf } from '../helpers/api';
import { auditFromNow, countDownloads, countZipUrls, runOver } from './faults-helpers';
import { fillEverything } from '../../harness/form-driver';
import { axeViolations, e2e, launchBrowser, openApp, type OpenedApp } from './harness';

const FROM = '2023-03-15';
const TO = '2024-02-20';
const SUFFIX = '15032023_20022024';

const api = () => createSpicoClient({ baseUrl: e2e().apiUrl, getToken: () => 'sandbox-alice' });
const QUERY: ListQuery = {
	from: FROM,
	to: TO,
	archived: false,
	statuses: [...STATUS_CODES],
	limit: 5000
};

async function all<L extends ListName>(list: L, formId?: string): Promise<ListItem<L>[]> {
	const client = api();
	return allItems(client, (await structureOf(client)).sid, list, QUERY, formId);
}

let browser: Browser;
let app: OpenedApp;
let zipName: string;
let workbooks: Map<string, ReadWorkbook>;
let catalogue: Thematic[];

beforeAll(async () => {
	browser = await launchBrowser();
	app = await openApp(browser);
	const { page } = app;
	await page.getByRole('button', { name: 'Lancer les extractions' }).waitFor();
	await fillEverything(page, { from: FROM, to: TO });
	const downloading = page.waitForEvent('download', { timeout: 120_000 });
	await page.getByRole('button', { name: 'Lancer les extractions' }).click();
	// The run is visible while it works: per-file lines and an overall bar.
	await page.getByRole('heading', { name: 'Extraction', exact: true }).waitFor();
	const download = await downloading;
	zipName = download.suggestedFilename();
	const path = await download.path();
	workbooks = readZip(new Uint8Array(await readFile(path)));
	const client = api();
	const me = await client.me();
	catalogue = await client.thematics(me.account.type === 'structure' ? me.account.structureId : '');
}, 180_000);

afterAll(async () => {
	await app?.close();
	await browser?.close();
});

function book(name: string): ReadWorkbook {
	const wb = workbooks.get(`${name} ${SUFFIX}.xlsx`);
	if (!wb)
		throw new Error(`classeur absent : ${name} (reçus : ${[...workbooks.keys()].join(', ')})`);
	return wb;
}

describe('a full extraction in the browser', () => {
	it('downloads the ZIP named as SPEC §5 with one workbook per file and thematic', async () => {
		expect(zipName).toBe(`Generic_extractions_brutes_${SUFFIX}.zip`);
		const expected = [
			'donnees_administratives',
			'RDV',
			'hospitalisations',
			'cercle_de_soins',
			'statuts'
		].map((n) => `${n} ${SUFFIX}.xlsx`);
		const names = [...workbooks.keys()];
		for (const name of expected) expect(names).toContain(name);
		expect(names.filter((n) => n.startsWith('thematique_'))).toHaveLength(catalogue.length);
		expect(names).toContain(`thematique_plateforme_tnd ${SUFFIX}.xlsx`);
		expect(await app.page.getByRole('heading', { name: 'Extraction terminée' }).isVisible()).toBe(
			true
		);
		expect(app.consoleErrors).toEqual([]);
	});

	it('shows each file with its row count and the guide’s warning', async () => {
		const { page } = app;
		const table = page.getByRole('table', { name: "Contenu de l'archive" });
		expect(await table.getByRole('row').count()).toBe(workbooks.size + 1);
		const rdvRows = (await all('appointments')).length;
		const rdvLine = await table.locator(`tr[data-workbook="RDV ${SUFFIX}.xlsx"]`).innerText();
		expect(rdvLine.replace(/\s/g, ' ')).toContain(
			`RDV : ${new Intl.NumberFormat('fr-FR').format(rdvRows)} lignes`
		);
		expect(
			await page.getByText('Stocker impérativement les fichiers', { exact: false }).count()
		).toBe(1);
		expect(await axeViolations(page)).toEqual([]);
	});

	it('writes every row the API returns, with its values', async () => {
		const dossiers = await all('dossiers');
		const [header, ...admin] = book('donnees_administratives').rows('Données administratives');
		expect(header?.slice(0, 4)).toEqual(['ID dossier', 'Nom', 'Prénom', 'Date de naissance']);
		expect(admin.map((r) => r[0]).sort()).toEqual(dossiers.map((d) => d.dossierId).sort());
		const byId = new Map(admin.map((r) => [r[0], r]));
		for (const d of dossiers) {
			const row = byId.get(d.dossierId)!;
			expect(row[1]).toBe(d.patient.nom);
			expect(row[3] ?? null).toBe(
				d.patient.dateNaissance ? serialOfDay(d.patient.dateNaissance) : null
			);
		}
		const rdv = await all('appointments');
		const [, ...rdvRows] = book('RDV').rows('RDV');
		expect(rdvRows.map((r) => r[4]).sort()).toEqual(rdv.map((a) => a.id).sort());
		const stays = await all('hospitalisations');
		const [, ...stayRows] = book('hospitalisations').rows('Hospitalisations');
		expect(stayRows.map((r) => r[4]).sort()).toEqual(stays.map((s) => s.id).sort());
		const circle = await all('care-circle');
		const [, ...circleRows] = book('cercle_de_soins').rows('Cercle de soins');
		expect(circleRows).toHaveLength(circle.length);
		for (const thematic of catalogue) {
			const wb = book(thematicBaseName(thematic.label));
			const sheets = wb.book.SheetNames.filter((s) => s !== 'Informations');
			for (const [i, form] of thematic.forms.entries()) {
				const responses = await all('responses', form.id);
				const [, ...rows] = wb.rows(sheets[i]!);
				expect(rows.map((r) => r[4]).sort(), form.label).toEqual(responses.map((r) => r.id).sort());
			}
		}
	});

	it('counts status days as a day-by-day walk over the API’s events does', async () => {
		const dossiers = await all('dossiers');
		const [header, ...rows] = book('statuts').rows('Synthèse');
		const first = header!.findIndex((h) => String(h).startsWith('Analyse de la demande'));
		expect(first).toBeGreaterThan(3);
		const byId = new Map(rows.map((r) => [r[0], r]));
		const today = e2e().today ?? todayInParis();
		for (const d of dossiers) {
			const expected = naiveStatusDays(d.createdAt, d.statusEvents, FROM, TO, today);
			const row = byId.get(d.dossierId)!;
			expect(
				STATUS_CODES.map((_, i) => row[first + i] ?? 0),
				d.dossierId
			).toEqual(STATUS_CODES.map((s) => expected[s]));
		}
		const [hHeader, ...history] = book('statuts').rows('Historique des statuts');
		expect(hHeader?.slice(0, 4)).toEqual(['ID dossier', 'Nom', 'Prénom', 'Date de naissance']);
		expect(new Set(history.map((r) => r[0]))).toEqual(new Set(dossiers.map((d) => d.dossierId)));
	});
});

describe('cancelling', () => {
	it('stops the run, offers no download and lets a new one start', async () => {
		const opened = await openApp(browser);
		const { page } = opened;
		try {
			await page.getByRole('button', { name: 'Lancer les extractions' }).waitFor();
			await fillEverything(page, { from: FROM, to: TO });
			const downloads = countDownloads(page);
			const zipUrls = await countZipUrls(page);
			const audit = auditFromNow(page);
			// The lists' requests are held until Annuler is pressed: the run is surely fetching.
			let release!: () => void;
			const held = new Promise<void>((r) => (release = r));
			await page.route(`${e2e().apiUrl}/structures/**`, async (route) => {
				if (!route.request().url().includes('/thematics')) await held;
				await route.continue().catch(() => {});
			});
			await page.getByRole('button', { name: 'Lancer les extractions' }).click();
			await page.getByRole('button', { name: 'Annuler' }).click();
			release();
			await page.getByText("Extraction annulée : aucun fichier n'a été produit.").waitFor();
			await runOver(page, audit, 'cancelled');
			expect(await zipUrls()).toBe(0);
			expect(downloads()).toBe(0);
			expect(await page.getByRole('link', { name: /^Télécharger/ }).count()).toBe(0);
			expect(await page.getByRole('button', { name: 'Lancer les extractions' }).isEnabled()).toBe(
				true
			);
		} finally {
			await opened.close();
		}
	});
});
