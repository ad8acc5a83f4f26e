/**
 * Nothing readable is left behind (SPEC §1, §8, §16), checked on a real, persistent Chromium
 * profile: a whole extraction against an API that sends cacheable headers leaves none of the
 * run's patient names in any file of the profile (HTTP cache, IndexedDB, everything), and the
 * ZIP's `blob:` URL stops working a few seconds after the download, a new one being made for
 * the next click. A control profile, where one page is fetched without `no-store`, shows that
 * the search does find names when Chromium caches them.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpicoClient } from '../../src/lib/api/client';
import { STATUS_CODES, type ListName } from '../../src/lib/contract/spico';
import { DOWNLOAD_URL_LIFETIME_MS } from '../../src/lib/state/expiring-url';
import { allItems, structureOf } from '../helpers/api';
import { clearFaults, fillRequest, FROM, setFaults, TO } from './faults-helpers';
import { CHROMIUM_ARGS, CHROMIUM_PATH, collectConsoleErrors, e2e } from './harness';

/**
 * The app as the test server serves it (its own config.json: the sandbox, alice's token).
 * Not `openApp`: Playwright's request routing (its config.json route) makes Chromium store
 * even `cache: 'no-store'` answers in its HTTP cache, which no real browser does.
 */
async function openPlain(context: BrowserContext) {
	const page = await context.newPage();
	const consoleErrors = collectConsoleErrors(page);
	await page.goto(e2e().appUrl);
	return { page, consoleErrors };
}
const LISTS: ListName[] = ['dossiers', 'appointments', 'hospitalisations'];

/** A Chromium with its profile in `dir`, kept on disk after close. */
function persistentChromium(dir: string): Promise<BrowserContext> {
	return chromium.launchPersistentContext(dir, {
		executablePath: CHROMIUM_PATH,
		headless: true,
		locale: 'fr-FR',
		timezoneId: 'Europe/Paris',
		viewport: { width: 1280, height: 900 },
		bypassCSP: true,
		args: CHROMIUM_ARGS
	});
}

async function filesUnder(dir: string): Promise<string[]> {
	const entries = await readdir(dir, { recursive: true, withFileTypes: true });
	return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Every name, in the encodings Chromium may write it in: UTF-8, Latin-1 and UTF-16 (V8). */
function needlesOf(names: Iterable<string>): { name: string; bytes: Buffer }[] {
	const out: { name: string; bytes: Buffer }[] = [];
	for (const name of names) {
		const encodings = new Set([
			Buffer.from(name, 'utf8').toString('hex'),
			Buffer.from(name, 'latin1').toString('hex'),
			Buffer.from(name, 'utf16le').toString('hex')
		]);
		for (const hex of encodings) out.push({ name, bytes: Buffer.from(hex, 'hex') });
	}
	return out;
}

/** `name → files` for each name found anywhere in the profile. */
async function namesFoundIn(dir: string, names: Set<string>): Promise<Map<string, string[]>> {
	const needles = needlesOf(names);
	const found = new Map<string, string[]>();
	for (const file of await filesUnder(dir)) {
		const bytes = await readFile(file).catch(() => null);
		if (!bytes) continue;
		for (const { name, bytes: needle } of needles) {
			if (bytes.includes(needle)) {
				const where = found.get(name) ?? [];
				if (!where.includes(file)) where.push(file.slice(dir.length));
				found.set(name, where);
			}
		}
	}
	return found;
}

const QUERY = {
	from: FROM,
	to: TO,
	archived: false,
	statuses: STATUS_CODES
};

/** Patient names and first names of every row the run reads, from the API itself. */
async function patientNames(): Promise<Set<string>> {
	const client = createSpicoClient({ baseUrl: e2e().apiUrl, getToken: () => 'sandbox-alice' });
	const { sid } = await structureOf(client);
	const names = new Set<string>();
	for (const list of LISTS) {
		for (const item of await allItems(client, sid, list, QUERY)) {
			names.add(item.patient.nom);
			names.add(item.patient.prenom);
		}
	}
	return names;
}

const dirs: string[] = [];
let names: Set<string>;

beforeAll(async () => {
	names = await patientNames();
	await setFaults({ cacheableHeaders: true });
});

afterAll(async () => {
	await clearFaults();
	if (!process.env.KEEP_PROFILES)
		for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('a persistent profile after an extraction against cacheable API answers', () => {
	it('holds none of the patient names of the run, anywhere', async () => {
		expect(names.size).toBeGreaterThan(20);
		const dir = await mkdtemp(join(tmpdir(), 'eb-profile-'));
		dirs.push(dir);
		const context = await persistentChromium(dir);
		let firstBytes: Buffer;
		try {
			const { page, consoleErrors } = await openPlain(context);
			await fillRequest(page);
			const downloading = page.waitForEvent('download', { timeout: 120_000 });
			await page.getByRole('button', { name: 'Lancer les extractions' }).click();
			const download = await downloading;
			firstBytes = await readFile(await download.path());
			expect(firstBytes.subarray(0, 2).toString('latin1')).toBe('PK');

			// Read from the page itself, as any script of the origin could (the context bypasses
			// the test server's CSP, which would keep fetch away from blob: URLs).
			const sizeAt = (url: string) =>
				page.evaluate(
					(u) =>
						fetch(u).then(
							(r) => r.arrayBuffer().then((b) => b.byteLength),
							(e: Error) => e.message
						),
					url
				);
			/** Polls until the URL no longer reads; fails past the deadline. Returns the wait. */
			const revoked = async (url: string, deadlineMs = 30_000) => {
				const started = Date.now();
				while (typeof (await sizeAt(url)) === 'number') {
					if (Date.now() - started > deadlineMs) throw new Error(`${url} jamais révoquée`);
					await page.waitForTimeout(200);
				}
				return Date.now() - started;
			};

			// The blob: URL of the ZIP stops working soon after the download started.
			const link = page.locator('a.download');
			const usedUrl = (await link.getAttribute('href'))!;
			expect(usedUrl).toMatch(/^blob:/);
			// Not yet revoked: the check below would otherwise prove nothing.
			expect(await sizeAt(usedUrl)).toBe(firstBytes.length);
			expect(await revoked(usedUrl)).toBeLessThan(DOWNLOAD_URL_LIFETIME_MS + 10_000);
			// The next click makes a new URL, which gives the same ZIP, and is revoked in turn.
			const again = page.waitForEvent('download', { timeout: 30_000 });
			await link.click();
			const newUrl = (await link.getAttribute('href'))!;
			expect(newUrl).not.toBe(usedUrl);
			expect(await sizeAt(newUrl)).toBe(firstBytes.length);
			const second = await again;
			expect(Buffer.compare(await readFile(await second.path()), firstBytes)).toBe(0);
			await revoked(newUrl);

			// The task and its encrypted ZIP are written before the profile is closed.
			await page
				.getByRole('navigation', { name: 'Extractions brutes' })
				.getByRole('link', { name: 'Tâches' })
				.click();
			await page.locator('tr[data-task][data-state="A traiter"]').first().waitFor();
			// Only the probes of revoked URLs above failed to load.
			expect(consoleErrors.filter((e) => !e.endsWith('net::ERR_FILE_NOT_FOUND'))).toEqual([]);
		} finally {
			await context.close();
		}
		const files = await filesUnder(dir);
		expect(files.some((f) => f.includes('Cache'))).toBe(true);
		expect(files.some((f) => f.includes('IndexedDB'))).toBe(true);
		expect(Object.fromEntries(await namesFoundIn(dir, names))).toEqual({});
	});

	it('control: a page fetched without no-store does leave names in the profile', async () => {
		const dir = await mkdtemp(join(tmpdir(), 'eb-profile-control-'));
		dirs.push(dir);
		const context = await persistentChromium(dir);
		try {
			const { page } = await openPlain(context);
			const client = createSpicoClient({ baseUrl: e2e().apiUrl, getToken: () => 'sandbox-alice' });
			const { sid } = await structureOf(client);
			const url = `${e2e().apiUrl}/structures/${sid}/appointments?from=${FROM}&to=${TO}&archived=false&${STATUS_CODES.map((s) => `status=${s}`).join('&')}&limit=5000`;
			const read = await page.evaluate(
				(u) =>
					fetch(u, { headers: { Authorization: 'Bearer sandbox-alice' } }).then((r) =>
						r.headers.get('cache-control')
					),
				url
			);
			expect(read).toBe('public, max-age=3600');
		} finally {
			await context.close();
		}
		expect((await namesFoundIn(dir, names)).size).toBeGreaterThan(0);
	});
});
