/**
 * A stored ZIP against the parties of SPEC §16 that share the browser, on one persistent
 * Chromium profile (a shared workstation): Alice keeps a ZIP; Bob, on the same profile, reads
 * nothing; Alice herself reads nothing while the API withholds her storage key, and the Tâches
 * page says why; with her key she gets the same bytes back. The profile's files never hold the
 * storage key, the wrapping key derived from it, or the task's data key; a marker written to
 * IndexedDB the same way is found, so the search can fail.
 */
import { hkdfSync, randomBytes, webcrypto } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageKey } from '../../src/lib/contract/spico';
import { launchButton, yesNo } from '../../harness/form-driver';
import { e2e, launchProfile, openApp, type OpenedApp } from './harness';

const DB = 'extractions-brutes:taches';
const ALICE_SID = 'str-tnd-test';
const BOB_SID = 'str-dac-loire';

interface StoredTask {
	id: string;
	userId: string;
	structureId: string;
	storage: { kind: string; keyId?: string; wrappedKey?: { iv: number[]; data: number[] } };
}

let profile: string;
let context: BrowserContext | null = null;
let first: Uint8Array;
interface StoredChunk {
	iv: number[];
	data: number[];
}
let stored: { task: StoredTask; chunks: StoredChunk[] };
let marker: Buffer;

async function open(token: string, setup?: (context: BrowserContext) => Promise<unknown>) {
	await context?.close();
	context = await launchProfile(profile);
	await setup?.(context);
	return openApp(null, { context, token, path: '/taches' });
}

async function storageKeyOf(token: string, sid: string): Promise<StorageKey> {
	const res = await fetch(`${e2e().apiUrl}/structures/${sid}/storage-key`, {
		headers: { Authorization: `Bearer ${token}` }
	});
	if (res.status !== 200) throw new Error(`storage-key : HTTP ${res.status}`);
	return (await res.json()) as StorageKey;
}

/** The wrapping key as the module derives it (keyring.ts), computed here independently. */
function wrappingKeyBytes(key: StorageKey, userId: string, structureId: string): Buffer {
	return Buffer.from(
		hkdfSync(
			'sha256',
			Buffer.from(key.key, 'base64url'),
			'extractions-brutes/wrapping-key/v1',
			JSON.stringify([userId, structureId, key.keyId]),
			32
		)
	);
}

async function aesGcmOpen(
	key: Buffer,
	iv: number[],
	data: number[],
	aad: string
): Promise<Buffer | null> {
	const k = await webcrypto.subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt']);
	try {
		const plain = await webcrypto.subtle.decrypt(
			{ name: 'AES-GCM', iv: new Uint8Array(iv), additionalData: Buffer.from(aad) },
			k,
			new Uint8Array(data)
		);
		return Buffer.from(plain);
	} catch {
		return null;
	}
}

/** The task record and its chunks, read raw from IndexedDB as any same-origin script can. */
function readStored(page: Page): Promise<{ task: StoredTask; chunks: StoredChunk[] }> {
	return page.evaluate(async (db) => {
		const conn = await new Promise<IDBDatabase>((ok, ko) => {
			const r = indexedDB.open(db);
			r.onsuccess = () => ok(r.result);
			r.onerror = () => ko(r.error);
		});
		const all = <T>(store: string) =>
			new Promise<T[]>((ok, ko) => {
				const r = conn.transaction(store).objectStore(store).getAll();
				r.onsuccess = () => ok(r.result as T[]);
				r.onerror = () => ko(r.error);
			});
		try {
			const [task] = await all<{
				id: string;
				userId: string;
				structureId: string;
				storage: {
					kind: string;
					keyId?: string;
					wrappedKey?: { iv: Uint8Array; data: ArrayBuffer };
				};
			}>('tasks');
			const chunks = await all<{ index: number; iv: Uint8Array; data: ArrayBuffer }>('chunks');
			const { wrappedKey, ...storage } = task!.storage;
			return {
				task: {
					...task!,
					storage: {
						...storage,
						...(wrappedKey
							? {
									wrappedKey: {
										iv: [...wrappedKey.iv],
										data: [...new Uint8Array(wrappedKey.data)]
									}
								}
							: {})
					}
				},
				chunks: chunks
					.sort((a, b) => a.index - b.index)
					.map((c) => ({ iv: [...c.iv], data: [...new Uint8Array(c.data)] }))
			};
		} finally {
			conn.close();
		}
	}, DB);
}

/** Bytes stored in IndexedDB the way a key would be (an ArrayBuffer in a record). */
function writeMarker(page: Page, bytes: number[]): Promise<void> {
	return page.evaluate(async (bytes) => {
		const conn = await new Promise<IDBDatabase>((ok, ko) => {
			const r = indexedDB.open('extractions-brutes:test-marqueur', 1);
			r.onupgradeneeded = () => r.result.createObjectStore('m');
			r.onsuccess = () => ok(r.result);
			r.onerror = () => ko(r.error);
		});
		await new Promise<void>((ok, ko) => {
			const tx = conn.transaction('m', 'readwrite');
			tx.objectStore('m').put(new Uint8Array(bytes).buffer, 'marqueur');
			tx.oncomplete = () => ok();
			tx.onerror = () => ko(tx.error);
		});
		conn.close();
	}, bytes);
}

async function filesUnder(dir: string): Promise<string[]> {
	const out: string[] = [];
	for (const entry of await readdir(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) out.push(...(await filesUnder(path)));
		else if (entry.isFile()) out.push(path);
	}
	return out;
}

/** The profile's files that contain `needle`. */
async function filesHolding(needle: Buffer): Promise<string[]> {
	const found: string[] = [];
	for (const file of await filesUnder(profile)) {
		const bytes = await readFile(file).catch(() => null);
		if (bytes?.includes(needle)) found.push(file.slice(profile.length + 1));
	}
	return found;
}

async function bytesOf(download: Download): Promise<Uint8Array> {
	return new Uint8Array(await readFile(await download.path()));
}

const row = (app: OpenedApp) => app.page.locator(`tr[data-task="${stored.task.id}"]`);

beforeAll(async () => {
	profile = await mkdtemp(join(tmpdir(), 'eb-profil-'));
	const app = await open('sandbox-alice');
	const { page } = app;
	await page.getByRole('link', { name: 'Nouvelle extraction' }).click();
	await launchButton(page).waitFor();
	await page.getByLabel('Date de début').fill('2023-03-15');
	await page.getByLabel('Date de fin').fill('2024-02-20');
	await yesNo(page, 'Données administratives patient', 'Oui').check();
	await yesNo(page, 'RDV', 'Oui').check();
	for (const legend of ['Hospitalisation', 'Cercle de soins', 'Thématiques', 'Statuts']) {
		await yesNo(page, legend, 'Non').check();
	}
	const downloading = page.waitForEvent('download', { timeout: 120_000 });
	await launchButton(page).click();
	first = await bytesOf(await downloading);
	await page.getByRole('link', { name: 'Tâches' }).click();
	await page.locator('tr[data-task][data-state="A traiter"]').waitFor();
	stored = await readStored(page);
	marker = randomBytes(32);
	await writeMarker(page, [...marker]);
	await context?.close();
	context = null;
}, 240_000);

afterAll(async () => {
	await context?.close();
	if (profile) await rm(profile, { recursive: true, force: true });
});

describe("Alice's stored ZIP", () => {
	it('is kept as chunks under a data key stored only wrapped, under the API’s keyId', () => {
		expect(stored.task.storage).toMatchObject({ kind: 'kept', keyId: 'sandbox-1' });
		expect(stored.task.storage.wrappedKey?.data).toHaveLength(48);
		expect(stored.chunks.length).toBeGreaterThan(0);
		const head = Buffer.from(stored.chunks[0]!.data).subarray(0, 4);
		expect(head.equals(Buffer.from([0x50, 0x4b, 3, 4]))).toBe(false);
	});

	it('decrypts only with her storage key: what rests on disk is that and nothing more', async () => {
		const { task, chunks } = stored;
		const wrapped = task.storage.wrappedKey!;
		const aad = `extractions-brutes/data-key/${task.id}`;
		const alice = await storageKeyOf('sandbox-alice', ALICE_SID);
		const bob = await storageKeyOf('sandbox-bob', BOB_SID);
		// Bob's key, whatever scope he derives it for, does not open Alice's data key.
		for (const [userId, sid] of [
			[task.userId, task.structureId],
			['u-bob', BOB_SID]
		] as const) {
			expect(
				await aesGcmOpen(wrappingKeyBytes(bob, userId, sid), wrapped.iv, wrapped.data, aad)
			).toBe(null);
		}
		const dataKey = await aesGcmOpen(
			wrappingKeyBytes(alice, task.userId, task.structureId),
			wrapped.iv,
			wrapped.data,
			aad
		);
		expect(dataKey).toHaveLength(32);
		const parts: Buffer[] = [];
		for (const [index, chunk] of chunks.entries()) {
			const aadOf = `extractions-brutes/${task.id}/${index}/${chunks.length}`;
			const plain = await aesGcmOpen(dataKey!, chunk.iv, chunk.data, aadOf);
			expect(plain).not.toBeNull();
			parts.push(plain!);
		}
		expect(Buffer.concat(parts).equals(Buffer.from(first))).toBe(true);
	});
});

describe('Bob, on the same browser profile', () => {
	it('sees none of her tasks, though her record is there for any script; cannot get her key', async () => {
		const bob = await open('sandbox-bob');
		await bob.page.getByText(/^Aucune tâche\./).waitFor();
		expect(await bob.page.locator('tr[data-task]').count()).toBe(0);
		// What any script of the origin can read (the threat): her record and chunks are there…
		const raw = await readStored(bob.page);
		expect(raw.task.id).toBe(stored.task.id);
		// …but the API gives her key to her session only.
		const status = await bob.page.evaluate(
			async ({ api, sid }) =>
				(
					await fetch(`${api}/structures/${sid}/storage-key`, {
						headers: { Authorization: 'Bearer sandbox-bob' }
					})
				).status,
			{ api: e2e().apiUrl, sid: ALICE_SID }
		);
		expect(status).toBe(403);
		expect(bob.consoleErrors.filter((e) => !/403/.test(e))).toEqual([]);
	});
});

describe('Alice, while the API withholds her storage key', () => {
	it('reads nothing when storage-key answers 404, and the page says why', async () => {
		const alice = await open('sandbox-alice', (c) =>
			c.route('**/storage-key', (route) =>
				route.fulfill({
					status: 404,
					contentType: 'application/problem+json',
					body: JSON.stringify({ status: 404, title: 'Ressource introuvable' })
				})
			)
		);
		await row(alice).waitFor();
		expect(await row(alice).locator('.note').innerText()).toBe(
			"Fichier illisible : l'API SPICO ne fournit pas de clé de stockage à votre session, sans laquelle il ne peut pas être déchiffré."
		);
		expect(
			await row(alice)
				.getByRole('button', { name: /^Télécharger/ })
				.count()
		).toBe(0);
	});

	it('keeps no new ZIP then: the run still downloads, its task says it was not kept', async () => {
		const alice = await open('sandbox-alice', (c) =>
			c.route('**/storage-key', (route) =>
				route.fulfill({ status: 404, contentType: 'application/problem+json', body: '{}' })
			)
		);
		const { page } = alice;
		await page.getByRole('link', { name: 'Nouvelle extraction' }).click();
		await launchButton(page).waitFor();
		await page.getByLabel('Date de début').fill('2023-03-15');
		await page.getByLabel('Date de fin').fill('2024-02-20');
		await yesNo(page, 'Données administratives patient', 'Oui').check();
		for (const legend of ['RDV', 'Hospitalisation', 'Cercle de soins', 'Thématiques', 'Statuts']) {
			await yesNo(page, legend, 'Non').check();
		}
		const downloading = page.waitForEvent('download', { timeout: 120_000 });
		await launchButton(page).click();
		expect((await bytesOf(await downloading)).length).toBeGreaterThan(1000);
		await page.getByRole('link', { name: 'Tâches' }).click();
		const fresh = page.locator(`tr[data-task]:not([data-task="${stored.task.id}"])`);
		await fresh.waitFor();
		expect(await fresh.locator('.note').innerText()).toBe(
			"Le fichier n'est pas conservé dans le navigateur : l'API SPICO ne fournit pas de clé de stockage pour le chiffrer. Il a été proposé au téléchargement à la fin de l'extraction."
		);
		expect(await fresh.getByRole('button', { name: /^Télécharger/ }).count()).toBe(0);
	}, 180_000);

	it('reads nothing when the key request fails, or after a rotation, and says which', async () => {
		const down = await open('sandbox-alice', (c) =>
			c.route('**/storage-key', (route) => route.abort('connectionrefused'))
		);
		await row(down).waitFor({ timeout: 60_000 });
		expect(await row(down).locator('.note').innerText()).toMatch(
			/^Fichier momentanément illisible : la clé de stockage n'a pas pu être obtenue/
		);
		const rotated = await open('sandbox-alice', (c) =>
			c.route('**/storage-key', (route) =>
				route.fulfill({
					json: { keyId: 'sandbox-2', key: randomBytes(32).toString('base64url') }
				})
			)
		);
		await row(rotated).waitFor();
		expect(await row(rotated).locator('.note').innerText()).toMatch(
			/^Fichier illisible : il a été chiffré avec une clé de stockage que l'API SPICO a renouvelée/
		);
		expect(
			await row(rotated)
				.getByRole('button', { name: /^Télécharger/ })
				.count()
		).toBe(0);
	}, 120_000);
});

describe('Alice with her key', () => {
	it('downloads the same bytes as the first download', async () => {
		const alice = await open('sandbox-alice');
		await row(alice).waitFor();
		const downloading = alice.page.waitForEvent('download');
		await row(alice)
			.getByRole('button', { name: /^Télécharger/ })
			.click();
		const again = await bytesOf(await downloading);
		expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
		expect(alice.consoleErrors).toEqual([]);
	});
});

describe("the profile's files", () => {
	it('never hold the storage key, the wrapping key or the data key (a marker is found)', async () => {
		await context?.close();
		context = null;
		// The search sees what IndexedDB writes: 32 bytes stored as a key would be are found.
		expect((await filesHolding(marker)).some((f) => f.includes('IndexedDB'))).toBe(true);

		const { task } = stored;
		const alice = await storageKeyOf('sandbox-alice', ALICE_SID);
		const wrapping = wrappingKeyBytes(alice, task.userId, task.structureId);
		const dataKey = await aesGcmOpen(
			wrapping,
			task.storage.wrappedKey!.iv,
			task.storage.wrappedKey!.data,
			`extractions-brutes/data-key/${task.id}`
		);
		const secrets = {
			'clé de stockage (octets)': Buffer.from(alice.key, 'base64url'),
			'clé de stockage (texte)': Buffer.from(alice.key),
			'clé dérivée': wrapping,
			'clé de données': dataKey!
		};
		for (const [name, secret] of Object.entries(secrets)) {
			expect(secret.length, name).toBeGreaterThanOrEqual(32);
			expect(await filesHolding(secret), name).toEqual([]);
		}
	});
});
