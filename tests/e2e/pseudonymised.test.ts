/**
 * A pseudonymised extraction in Chromium (SPEC §13), launched through the form on the small
 * sandbox: the passphrase checks, the « working » state while PBKDF2 derives, then the ZIP read
 * back — pseudonyms equal to those Node computes, no identity of the API in any cell — and the
 * passphrase nowhere in IndexedDB, the audit event or the task. PBKDF2's cost in Chromium is
 * measured by `npm run bench:pbkdf2`.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpicoClient } from '../../src/lib/api/client';
import { STATUS_CODES, type ListQuery, type Thematic } from '../../src/lib/contract/spico';
import { derivePseudonymKey } from '../../src/lib/core/pseudonymise/key';
import { pseudonymOf } from '../../src/lib/core/pseudonymise/pseudonym';
import { allItems, structureOf } from '../helpers/api';
import { fillEverything, launchButton, yesNo } from '../../harness/form-driver';
import { identityStrings, occurrences } from '../helpers/identities';
import { readZip, type ReadWorkbook } from '../helpers/read-extraction';
import {
	axeViolations,
	e2e,
	launchBrowser,
	openApp,
	type AxeViolation,
	type OpenedApp
} from './harness';

const FROM = '2023-03-15';
const TO = '2024-02-20';
const SUFFIX = '15032023_20022024';
/** Distinctive, so that any trace of it is found: no word of it occurs in the data. */
const PASSPHRASE = 'Vœu-Quenouille#Zéphyr 7241';
const PSEUDONYM = /^P-[0-9a-f]{16}$/;
const QUERY: ListQuery = {
	from: FROM,
	to: TO,
	archived: false,
	statuses: [...STATUS_CODES],
	limit: 5000
};

const api = () => createSpicoClient({ baseUrl: e2e().apiUrl, getToken: () => 'sandbox-alice' });

let browser: Browser;
let app: OpenedApp;
let zipName: string;
let workbooks: Map<string, ReadWorkbook>;
let catalogue: Thematic[];
let structure: { id: string; name: string };
/** What the form showed at each bad attempt: message, focused element, whether a run started. */
const attempts: { message: string; focused: string; runShown: boolean }[] = [];
let sawDeriving = false;
/** axe on the form with the passphrase fields open and in error. */
let axeAtErrors: AxeViolation[] = [];
let fieldsAfterLaunch: string[] = [];

async function attempt(page: Page, passphrase: string, confirmation: string) {
	await page.getByLabel('Phrase secrète', { exact: true }).fill(passphrase);
	await page.getByLabel('Confirmer la phrase secrète').fill(confirmation);
	await launchButton(page).click();
	const error = page.locator('.field-error');
	await error.first().waitFor();
	attempts.push({
		message: await error.first().innerText(),
		// The focused control, by its label.
		focused: await page.evaluate(
			() =>
				(document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent?.trim() ?? ''
		),
		runShown: await page.getByRole('heading', { name: 'Extraction', exact: true }).isVisible()
	});
}

beforeAll(async () => {
	const client = api();
	const { sid } = await structureOf(client);
	const me = await client.me();
	structure = { id: sid, name: me.account.type === 'structure' ? me.account.structureName : '' };
	catalogue = await client.thematics(sid);

	browser = await launchBrowser();
	app = await openApp(browser);
	const { page } = app;
	await fillEverything(page, { from: FROM, to: TO });
	await yesNo(page, 'Pseudonymiser les données', 'Oui').check();
	await attempt(page, 'trop court', 'trop court');
	await attempt(page, PASSPHRASE, `${PASSPHRASE}.`);
	axeAtErrors = await axeViolations(page);

	// Watches for the « working » line from before the click: the derivation may be quick.
	await page.evaluate(() => {
		const w = window as unknown as { __sawDeriving: boolean };
		w.__sawDeriving = false;
		new MutationObserver(() => {
			if (document.body.textContent?.includes('calcul de la clé')) w.__sawDeriving = true;
		}).observe(document.body, { subtree: true, childList: true, characterData: true });
	});
	await page.getByLabel('Confirmer la phrase secrète').fill(PASSPHRASE);
	const downloading = page.waitForEvent('download', { timeout: 180_000 });
	await launchButton(page).click();
	const download = await downloading;
	sawDeriving = await page.evaluate(
		() => (window as unknown as { __sawDeriving: boolean }).__sawDeriving
	);
	fieldsAfterLaunch = await page
		.locator('input[type=password]')
		.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
	zipName = download.suggestedFilename();
	workbooks = readZip(new Uint8Array(await readFile((await download.path())!)));
	await page.getByRole('heading', { name: 'Extraction terminée' }).waitFor();
}, 240_000);

afterAll(async () => {
	await app?.close();
	await browser?.close();
});

/** Every IndexedDB database of the page, every store, every record: strings and bytes. */
async function dumpIndexedDb(page: Page) {
	return page.evaluate(async () => {
		const texts: string[] = [];
		const blobs: Uint8Array[] = [];
		let records = 0;
		const walk = async (v: unknown): Promise<void> => {
			if (v === null || v === undefined) return;
			if (typeof v === 'string') texts.push(v);
			else if (typeof v === 'number' || typeof v === 'boolean') texts.push(String(v));
			else if (v instanceof Blob) blobs.push(new Uint8Array(await v.arrayBuffer()));
			else if (v instanceof ArrayBuffer) blobs.push(new Uint8Array(v));
			else if (ArrayBuffer.isView(v))
				blobs.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
			else if (typeof v === 'object') {
				for (const [k, x] of Object.entries(v as object)) {
					texts.push(k);
					await walk(x);
				}
			}
		};
		const names = (await indexedDB.databases()).map((d) => d.name!);
		for (const name of names) {
			const db = await new Promise<IDBDatabase>((ok, ko) => {
				const r = indexedDB.open(name);
				r.onsuccess = () => ok(r.result);
				r.onerror = () => ko(r.error);
			});
			for (const store of Array.from(db.objectStoreNames)) {
				const all = await new Promise<unknown[]>((ok, ko) => {
					const r = db.transaction(store).objectStore(store).getAll();
					r.onsuccess = () => ok(r.result);
					r.onerror = () => ko(r.error);
				});
				records += all.length;
				for (const record of all) await walk(record);
			}
			db.close();
		}
		return { names, records, texts, blobs: blobs.map((b) => Array.from(b)) };
	});
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
	outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
		for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
		return true;
	}
	return false;
}

/** The passphrase as text, as UTF-8 and as UTF-16 bytes, whole and by its first 12 characters. */
function passphraseTraces(texts: readonly string[], blobs: readonly Uint8Array[]): string[] {
	const found: string[] = [];
	for (const fragment of [PASSPHRASE, PASSPHRASE.slice(0, 12)]) {
		const lower = fragment.toLowerCase();
		if (texts.some((t) => t.toLowerCase().includes(lower))) found.push(`text: ${fragment}`);
		const utf8 = new TextEncoder().encode(fragment);
		const utf16 = new Uint8Array(Uint16Array.from(fragment, (c) => c.charCodeAt(0)).buffer);
		for (const b of blobs) {
			if (containsBytes(b, utf8)) found.push(`bytes (UTF-8): ${fragment}`);
			if (containsBytes(b, utf16)) found.push(`bytes (UTF-16): ${fragment}`);
		}
	}
	return found;
}

describe('a pseudonymised extraction in the browser', () => {
	it('checks the passphrase next to its field, moves focus there and launches nothing', () => {
		expect(attempts).toEqual([
			{
				message: expect.stringMatching(/au moins 12 caractères \(10 saisis\)/),
				focused: 'Phrase secrète',
				runShown: false
			},
			{
				message: expect.stringMatching(/Les deux phrases secrètes sont différentes/),
				focused: 'Confirmer la phrase secrète',
				runShown: false
			}
		]);
		expect(axeAtErrors).toEqual([]);
	});

	it('shows that it is working while the key is derived, then empties the fields', () => {
		expect(sawDeriving).toBe(true);
		expect(fieldsAfterLaunch).toEqual(['', '']);
	});

	it('downloads …_pseudo_… with the pseudonyms Node computes for the same passphrase', async () => {
		expect(zipName).toBe(`Generic_extractions_brutes_pseudo_${SUFFIX}.zip`);
		expect(workbooks.size).toBe(5 + catalogue.length);
		const key = await derivePseudonymKey(PASSPHRASE, structure.id);
		const dossiers = await allItems(api(), structure.id, 'dossiers', QUERY);
		const expected = new Set(
			await Promise.all(dossiers.map((d) => pseudonymOf(key, structure.id, d.dossierId)))
		);
		const adm = workbooks.get(`donnees_administratives ${SUFFIX}.xlsx`)!;
		const [header, ...rows] = adm.rows('Données administratives');
		expect(header?.slice(0, 3)).toEqual([
			'ID dossier',
			'Année-mois de naissance',
			'Âge au début de la période (ans)'
		]);
		expect(new Set(rows.map((r) => r[0]))).toEqual(expected);
		// Every ID dossier cell of every data sheet is a pseudonym of an in-scope dossier.
		let cells = 0;
		for (const [file, wb] of workbooks) {
			for (const sheet of wb.book.SheetNames.filter((n) => n !== 'Informations')) {
				const [h, ...data] = wb.rows(sheet);
				expect(h?.[0], `${file} / ${sheet}`).toBe('ID dossier');
				for (const r of data) {
					expect(r[0]).toMatch(PSEUDONYM);
					expect(expected.has(r[0] as string)).toBe(true);
					cells++;
				}
			}
			const info = new Map(wb.rows('Informations').map((r) => [r[0], r[1]]));
			expect(info.get('Données pseudonymisées'), file).toBe('Oui');
		}
		expect(cells).toBeGreaterThan(dossiers.length);
	}, 60_000);

	it('holds no identity of the API in any cell of any sheet', async () => {
		const needles = await identityStrings({
			client: api(),
			structure,
			query: QUERY,
			catalogue
		});
		expect(needles.length).toBeGreaterThan(100);
		expect(occurrences(workbooks, needles)).toEqual([]);
	}, 60_000);

	it('keeps the passphrase out of IndexedDB, the task and the audit event', async () => {
		const dump = await dumpIndexedDb(app.page);
		expect(dump.records).toBeGreaterThan(0);
		const blobs = dump.blobs.map((b) => Uint8Array.from(b));
		// The dump is real: the task is there, and says pseudonymised.
		expect(dump.texts).toContain(`Generic_extractions_brutes_pseudo_${SUFFIX}.zip`);
		expect(dump.texts.some((t) => t.includes('des données pseudonymisées pour la structure'))).toBe(
			true
		);
		expect(blobs.length).toBeGreaterThan(0);
		expect(passphraseTraces(dump.texts, blobs)).toEqual([]);

		const events = (await (
			await fetch(`${e2e().sandboxUrl}/__sandbox/extraction-events`)
		).json()) as { items: { event: Record<string, unknown> }[] };
		// Other test files' extractions are identified: this run's event is the pseudonymised one.
		const ours = events.items.filter((e) => e.event.pseudonymised === true);
		expect(ours).toHaveLength(1);
		const event = ours[0]!.event;
		expect(event.pseudonymised).toBe(true);
		expect(event.outcome).toBe('done');
		expect(passphraseTraces([JSON.stringify(event)], [])).toEqual([]);
	}, 60_000);
});
