/**
 * The task repository on fake-indexeddb: create, update, list, purge; retention boundaries;
 * isolation between users and structures; the encrypted ZIP, tampering, the storage key
 * withheld, unavailable or rotated; quota.
 */
import Dexie from 'dexie';
import { IDBObjectStore as FakeObjectStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TaskDataError } from '../../src/lib/tasks/crypto';
import { INTERRUPTED_REASON, TASK_DOCUMENT, TASK_LABEL } from '../../src/lib/tasks/model';
import { memoryOwnership } from '../../src/lib/tasks/ownership';
import { purgeExpired, retentionMs } from '../../src/lib/tasks/retention';
import {
	ALICE,
	ALICE_OTHER_STRUCTURE,
	BOB,
	FILES,
	blobBytes,
	bytes,
	freshDatabase,
	holdsCryptoKey,
	keyringFor,
	launched,
	manualClock,
	repository,
	storageKeyOf,
	zipBlob
} from './tasks-helpers';

async function problemOf(promise: Promise<unknown>): Promise<string> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof TaskDataError) return `${error.problem}: ${error.message}`;
		throw error;
	}
	throw new Error('no error');
}

describe('create, update, list', () => {
	it('creates the task « En cours » with the guide’s wording and the filters', async () => {
		const clock = manualClock();
		const repo = repository(freshDatabase(), ALICE, { now: clock.now });
		const id = await launched(repo);
		const task = await repo.get(id);
		expect(task).toMatchObject({
			id,
			userId: ALICE.userId,
			structureId: ALICE.structureId,
			label: TASK_LABEL,
			level: 'Très haute',
			document: TASK_DOCUMENT,
			state: 'En cours',
			createdAt: clock.now(),
			dueAt: null,
			storage: { kind: 'none' },
			comment:
				"Document d'extraction brute des données pour la structure PLATEFORME TND TEST réalisée le 11072023 Période du 30062023 au 10072023"
		});
		expect(task?.request.forms).toEqual([{ thematicId: 'th-1', formId: 'form-7' }]);
		expect((await repo.list()).map((t) => [t.id, t.availability])).toEqual([[id, 'running']]);
	});

	it('finishes a task: files, rows, warnings, size, date d’échéance, « A traiter » then « Traité »', async () => {
		const clock = manualClock();
		const repo = repository(freshDatabase(), ALICE, { now: clock.now });
		const id = await launched(repo);
		clock.advance(90_000);
		const blob = zipBlob(10_000);
		expect(await repo.complete(id, { files: FILES, blob })).toEqual({ kept: true });
		const done = await repo.get(id);
		expect(done).toMatchObject({
			state: 'A traiter',
			dueAt: clock.now(),
			size: 10_000,
			files: FILES,
			storage: { kind: 'kept', chunks: 3 }
		});
		clock.advance(5_000);
		await repo.markDownloaded(id);
		expect(await repo.get(id)).toMatchObject({ state: 'Traité', downloadedAt: clock.now() });
		await repo.markDownloaded(id);
		expect((await repo.get(id))?.state).toBe('Traité');
	});

	it('records a failure with its reason, and a cancellation', async () => {
		const repo = repository(freshDatabase());
		const failed = await launched(repo);
		const cancelled = await launched(repo);
		await repo.fail(failed, 'Session expirée — reconnectez-vous puis relancez.');
		await repo.cancel(cancelled);
		expect(await repo.get(failed)).toMatchObject({
			state: 'Échec',
			interrupted: false,
			reason: 'Session expirée — reconnectez-vous puis relancez.'
		});
		expect((await repo.get(cancelled))?.state).toBe('Annulée');
		const views = await repo.list();
		expect(views.map((t) => t.availability)).toEqual(['none', 'none']);
		// A cancelled task cannot be finished afterwards.
		await expect(repo.complete(cancelled, { files: FILES, blob: zipBlob() })).rejects.toThrow(
			/Transition impossible/
		);
	});

	it('lists newest first and deletes one task with its file', async () => {
		const clock = manualClock();
		const db = freshDatabase();
		const repo = repository(db, ALICE, { now: clock.now });
		const first = await launched(repo);
		clock.advance(1000);
		const second = await launched(repo);
		await repo.complete(first, { files: FILES, blob: zipBlob() });
		expect((await repo.list()).map((t) => t.id)).toEqual([second, first]);
		await repo.remove(first);
		expect((await repo.list()).map((t) => t.id)).toEqual([second]);
		expect(await db.chunks.count()).toBe(0);
	});
});

describe('the stored ZIP', () => {
	it('is encrypted at rest and comes back byte for byte', async () => {
		const db = freshDatabase();
		const repo = repository(db);
		const id = await launched(repo);
		const plain = bytes(10_000, 3);
		await repo.complete(id, { files: FILES, blob: new Blob([plain]) });
		const chunks = await db.chunks.where('taskId').equals(id).toArray();
		expect(chunks).toHaveLength(3);
		const stored = Buffer.concat(chunks.map((c) => Buffer.from(c.data)));
		expect(stored.includes(Buffer.from(plain.subarray(100, 164)))).toBe(false);
		// Only the wrapped data key is stored, never a CryptoKey (its raw bytes would be on disk).
		const task = await db.tasks.get(id);
		expect(task?.storage).toMatchObject({ kind: 'kept', keyId: 'test-1', chunks: 3 });
		expect(task?.storage.kind === 'kept' && task.storage.wrappedKey.data.byteLength).toBe(48);
		expect(holdsCryptoKey(await db.tasks.toArray())).toBe(false);
		expect(holdsCryptoKey(await db.chunks.toArray())).toBe(false);
		expect(db.tables.map((t) => t.name).sort()).toEqual(['audit', 'chunks', 'tasks']);
		const { blob, zipName } = await repo.readZip(id);
		expect(zipName).toBe('Generic_extractions_brutes_30062023_10072023.zip');
		expect(await blobBytes(blob)).toEqual(plain);
	});

	it('refuses a flipped byte with a clear message, never a corrupt file', async () => {
		const db = freshDatabase();
		const repo = repository(db);
		const id = await launched(repo);
		await repo.complete(id, { files: FILES, blob: zipBlob(10_000) });
		const chunk = await db.chunks.get([id, 1]);
		const data = new Uint8Array(chunk!.data.slice(0));
		data[100]! ^= 0x04;
		await db.chunks.put({ ...chunk!, data: data.buffer });
		expect(await problemOf(repo.readZip(id))).toMatch(
			/^corrupt: Le fichier de cette tâche est altéré/
		);
	});

	it('reads the file back a chunk at a time: each chunk decrypted before the next is read', async () => {
		const db = freshDatabase();
		const repo = repository(db);
		const id = await launched(repo);
		await repo.complete(id, { files: FILES, blob: zipBlob(10_000) });
		const steps: string[] = [];
		const realGet = FakeObjectStore.prototype.get;
		const realDecrypt = crypto.subtle.decrypt.bind(crypto.subtle);
		const decrypt = vi
			.spyOn(crypto.subtle, 'decrypt')
			.mockImplementation(async (...args) => (steps.push('decrypt'), realDecrypt(...args)));
		FakeObjectStore.prototype.get = function (this: IDBObjectStore, ...args) {
			if (this.name === 'chunks') steps.push('read');
			return realGet.apply(this, args);
		} as typeof realGet;
		try {
			expect(await blobBytes((await repo.readZip(id)).blob)).toEqual(bytes(10_000));
		} finally {
			FakeObjectStore.prototype.get = realGet;
			decrypt.mockRestore();
		}
		expect(steps).toEqual(['read', 'decrypt', 'read', 'decrypt', 'read', 'decrypt']);
	});

	it('refuses a chunk more than the task announced', async () => {
		const db = freshDatabase();
		const repo = repository(db);
		const id = await launched(repo);
		await repo.complete(id, { files: FILES, blob: zipBlob(10_000) });
		const last = await db.chunks.get([id, 2]);
		await db.chunks.put({ ...last!, index: 3 });
		expect(await problemOf(repo.readZip(id))).toMatch(/^corrupt:/);
	});

	it('refuses a missing chunk', async () => {
		const db = freshDatabase();
		const repo = repository(db);
		const id = await launched(repo);
		await repo.complete(id, { files: FILES, blob: zipBlob(10_000) });
		await db.chunks.delete([id, 2]);
		expect(await problemOf(repo.readZip(id))).toMatch(/^corrupt:/);
	});

	it('says so, and reads nothing, when the API rotated its storage key (a new keyId)', async () => {
		const db = freshDatabase();
		let served = storageKeyOf(ALICE, 'k1');
		const before = repository(db);
		const old = await launched(before);
		await before.complete(old, { files: FILES, blob: zipBlob() });
		expect((await before.list())[0]?.availability).toBe('available');

		// The next session gets the platform's new key.
		served = storageKeyOf(ALICE, 'k2');
		const repo = repository(
			db,
			ALICE,
			{},
			keyringFor(ALICE, async () => served)
		);
		expect(await problemOf(repo.readZip(old))).toMatch(
			/^key-rotated: Fichier illisible : il a été chiffré avec une clé de stockage que l'API SPICO a renouvelée/
		);
		expect((await repo.list()).find((t) => t.id === old)?.availability).toBe('key-rotated');
		// A new task is wrapped under the new key; the old one stays unreadable.
		const fresh = await launched(repo);
		await repo.complete(fresh, { files: FILES, blob: zipBlob(500) });
		const views = new Map((await repo.list()).map((t) => [t.id, t.availability]));
		expect(views.get(old)).toBe('key-rotated');
		expect(views.get(fresh)).toBe('available');
		expect((await repo.readZip(fresh)).blob.size).toBe(500);
	});

	it('reads nothing when another key comes under the same keyId', async () => {
		const db = freshDatabase();
		const repo = repository(db);
		const id = await launched(repo);
		await repo.complete(id, { files: FILES, blob: zipBlob() });
		// Same keyId, other bytes (BOB's): the wrapped data key does not open.
		const other = repository(
			db,
			ALICE,
			{},
			keyringFor(ALICE, async () => storageKeyOf(BOB))
		);
		expect(await problemOf(other.readZip(id))).toMatch(/^key-mismatch: Fichier illisible/);
	});

	it('without the storage key (404), keeps no ZIP and reads none, and says why', async () => {
		const db = freshDatabase();
		const kept = repository(db);
		const old = await launched(kept);
		await kept.complete(old, { files: FILES, blob: zipBlob() });

		const repo = repository(
			db,
			ALICE,
			{},
			keyringFor(ALICE, async () => null)
		);
		const id = await launched(repo);
		const result = await repo.complete(id, { files: FILES, blob: zipBlob() });
		expect(result).toEqual({
			kept: false,
			reason:
				"Le fichier n'est pas conservé dans le navigateur : l'API SPICO ne fournit pas de clé de stockage pour le chiffrer. Il a été proposé au téléchargement à la fin de l'extraction."
		});
		expect(await db.chunks.where('taskId').equals(id).count()).toBe(0);
		expect(await repo.get(id)).toMatchObject({ state: 'A traiter', storage: { kind: 'not-kept' } });
		const views = new Map((await repo.list()).map((t) => [t.id, t.availability]));
		expect(views.get(id)).toBe('not-kept');
		expect(views.get(old)).toBe('key-withheld');
		expect(await problemOf(repo.readZip(old))).toMatch(
			/^key-withheld: Fichier illisible : l'API SPICO ne fournit pas de clé de stockage/
		);
	});

	it('when the key cannot be fetched, says so and asks again on the next read', async () => {
		const db = freshDatabase();
		const id = await launched(repository(db));
		await repository(db).complete(id, { files: FILES, blob: zipBlob(700) });
		let down = true;
		const source = vi.fn(async () => {
			if (down) throw new TypeError('Failed to fetch');
			return storageKeyOf(ALICE);
		});
		const repo = repository(db, ALICE, {}, keyringFor(ALICE, source));
		expect(await problemOf(repo.readZip(id))).toMatch(/^key-unavailable: Fichier momentanément/);
		expect((await repo.list())[0]?.availability).toBe('key-unavailable');
		const other = await launched(repo);
		expect(await repo.complete(other, { files: FILES, blob: zipBlob() })).toMatchObject({
			kept: false,
			reason: expect.stringMatching(/la clé de stockage n'a pas pu être obtenue/)
		});
		down = false;
		expect((await repo.readZip(id)).blob.size).toBe(700);
		expect(source).toHaveBeenCalledTimes(3);
		// Once held, the key is not asked again.
		await repo.readZip(id);
		expect(source).toHaveBeenCalledTimes(3);
	});

	it('« Tout supprimer » removes every task and file of this user and structure only', async () => {
		const db = freshDatabase();
		const alice = repository(db, ALICE);
		const bob = repository(db, BOB);
		for (const repo of [alice, alice, bob]) {
			const id = await launched(repo);
			await repo.complete(id, { files: FILES, blob: zipBlob() });
		}
		expect(await alice.removeAll()).toBe(2);
		expect(await alice.list()).toEqual([]);
		const [bobs] = await bob.list();
		expect(bobs?.availability).toBe('available');
		expect(await db.chunks.count()).toBe(3);
		expect((await bob.readZip(bobs!.id)).blob.size).toBe(10_000);
	});
});

describe('isolation', () => {
	it('shows and changes tasks only for the current user and structure', async () => {
		const db = freshDatabase();
		const alice = repository(db, ALICE);
		const aliceElsewhere = repository(db, ALICE_OTHER_STRUCTURE);
		const bob = repository(db, BOB);
		const a = await launched(alice);
		const e = await launched(aliceElsewhere);
		const b = await launched(bob);
		expect((await alice.list()).map((t) => t.id)).toEqual([a]);
		expect((await aliceElsewhere.list()).map((t) => t.id)).toEqual([e]);
		expect((await bob.list()).map((t) => t.id)).toEqual([b]);

		// Bob knows Alice's id: he can neither read, finish, fail nor delete her task.
		expect(await bob.get(a)).toBeUndefined();
		await bob.fail(a, 'x');
		await bob.remove(a);
		expect(await bob.complete(a, { files: FILES, blob: zipBlob() })).toEqual({
			kept: false,
			reason: "Cette tâche n'existe plus."
		});
		expect(await alice.get(a)).toMatchObject({ state: 'En cours', storage: { kind: 'none' } });

		await alice.complete(a, { files: FILES, blob: zipBlob() });
		expect(await problemOf(bob.readZip(a))).toMatch(/^not-kept: Cette tâche n'existe plus/);
		expect(await problemOf(aliceElsewhere.readZip(a))).toMatch(/^not-kept:/);
		await aliceElsewhere.complete(e, { files: FILES, blob: zipBlob() });
		expect((await aliceElsewhere.readZip(e)).blob.size).toBe(10_000);
	});
});

describe('retention', () => {
	const week = retentionMs(7);

	it('purges at the boundary: kept just before, deleted with its file just after', async () => {
		const clock = manualClock();
		const db = freshDatabase();
		const alice = repository(db, ALICE, { now: clock.now });
		const bob = repository(db, BOB, { now: clock.now });
		const created = clock.now();
		const old = await launched(alice);
		await alice.complete(old, { files: FILES, blob: zipBlob() });
		const bobs = await launched(bob);
		clock.advance(60_000);
		const younger = await launched(alice);

		expect(await purgeExpired(db, { now: created + week - 1, retentionMs: week })).toBe(0);
		expect(await purgeExpired(db, { now: created + week, retentionMs: week })).toBe(0);
		expect((await alice.list()).map((t) => t.id).sort()).toEqual([old, younger].sort());

		expect(await purgeExpired(db, { now: created + week + 1, retentionMs: week })).toBe(2);
		expect((await alice.list()).map((t) => t.id)).toEqual([younger]);
		// Every user's expired data goes, not only the current one's.
		expect(await bob.get(bobs)).toBeUndefined();
		expect(await db.chunks.where('taskId').equals(old).count()).toBe(0);
	});

	it('purges audit events that waited longer than the retention', async () => {
		const db = freshDatabase();
		const base = { ...ALICE, attempts: 3, lastError: 'réseau', event: {} as never };
		await db.audit.bulkAdd([
			{ ...base, id: 'old', createdAt: 1000 },
			{ ...base, id: 'new', createdAt: 1000 + week }
		]);
		await purgeExpired(db, { now: 1000 + week + 1, retentionMs: week });
		expect(await db.audit.toCollection().primaryKeys()).toEqual(['new']);
	});
});

describe('interrupted tasks', () => {
	it('marks « Échec — interrompue » a task whose tab is gone, never one still held', async () => {
		const db = freshDatabase();
		const ownership = memoryOwnership();
		const repo = repository(db);
		const alive = await launched(repo, 'alive');
		const releaseAlive = await ownership.hold(alive);
		const releaseGone = await ownership.hold('gone');
		await launched(repo, 'gone');
		const finished = await launched(repo, 'finished');
		await repo.complete(finished, { files: FILES, blob: zipBlob() });
		releaseGone(); // the tab closed: the browser lets its locks go

		expect(await repo.recoverInterrupted(ownership)).toEqual(['gone']);
		expect(await repo.get('gone')).toMatchObject({
			state: 'Échec',
			interrupted: true,
			reason: INTERRUPTED_REASON
		});
		expect((await repo.get('alive'))?.state).toBe('En cours');
		expect((await repo.get('finished'))?.state).toBe('A traiter');

		releaseAlive();
		expect(await repo.recoverInterrupted(ownership)).toEqual(['alive']);
	});

	it('removes the chunks a closed tab was writing when it marks the task interrupted', async () => {
		const db = freshDatabase();
		const repo = repository(db);
		const kept = await launched(repo);
		await repo.complete(kept, { files: FILES, blob: zipBlob() });
		const keptChunks = await db.chunks.count();
		const gone = await launched(repo);
		// The tab closed after writing two chunks of three: the task is still « En cours ».
		const chunk = { iv: new Uint8Array(12), data: new ArrayBuffer(16) };
		await db.chunks.bulkPut([0, 1].map((index) => ({ ...chunk, index, taskId: gone })));

		expect(await repo.recoverInterrupted(memoryOwnership())).toEqual([gone]);
		expect(await db.chunks.where('taskId').equals(gone).count()).toBe(0);
		expect(await db.chunks.count()).toBe(keptChunks);
		expect(keptChunks).toBe(3);
	});
});

describe('storage quota', () => {
	const realPut = FakeObjectStore.prototype.put;
	afterEach(() => {
		FakeObjectStore.prototype.put = realPut;
	});

	it('does not try when the estimate shows no room, and says the file could not be kept', async () => {
		const db = freshDatabase();
		let persisted = 0;
		const repo = repository(db, ALICE, {
			storage: {
				estimate: async () => ({ usage: 990_000, quota: 1_000_000 }),
				persist: async () => (++persisted, true)
			}
		});
		const id = await launched(repo);
		const result = await repo.complete(id, { files: FILES, blob: zipBlob(50_000) });
		expect(result).toMatchObject({
			kept: false,
			reason: expect.stringMatching(/espace de stockage insuffisant/)
		});
		expect(await repo.get(id)).toMatchObject({
			state: 'A traiter',
			size: 50_000,
			files: FILES,
			storage: { kind: 'not-kept' }
		});
		expect((await repo.list())[0]?.availability).toBe('not-kept');
		expect(await db.chunks.count()).toBe(0);
		expect(persisted).toBe(0);
		expect(await problemOf(repo.readZip(id))).toMatch(/^not-kept:/);
	});

	it('asks for persistent storage once, before the first file it keeps', async () => {
		let persisted = 0;
		const repo = repository(freshDatabase(), ALICE, {
			storage: {
				estimate: async () => ({ usage: 0, quota: 1e9 }),
				persist: async () => (++persisted, false)
			}
		});
		for (let i = 0; i < 2; i++) {
			const id = await launched(repo);
			expect(await repo.complete(id, { files: FILES, blob: zipBlob() })).toEqual({ kept: true });
		}
		expect(persisted).toBe(1);
	});

	it('keeps the file while the browser still waits for the user to answer (Firefox prompts)', async () => {
		let asked = 0;
		const repo = repository(freshDatabase(), ALICE, {
			storage: {
				estimate: async () => ({ usage: 0, quota: 1e9 }),
				persist: () => (++asked, new Promise<boolean>(() => {}))
			}
		});
		const id = await launched(repo);
		expect(await repo.complete(id, { files: FILES, blob: zipBlob() })).toEqual({ kept: true });
		expect(asked).toBe(1);
		expect((await repo.get(id))?.state).toBe('A traiter');
	});

	it('does not ask again when the storage is already persistent', async () => {
		let asked = 0;
		const repo = repository(freshDatabase(), ALICE, {
			storage: {
				estimate: async () => ({ usage: 0, quota: 1e9 }),
				persisted: async () => true,
				persist: async () => (++asked, true)
			}
		});
		const id = await launched(repo);
		expect(await repo.complete(id, { files: FILES, blob: zipBlob() })).toEqual({ kept: true });
		expect(asked).toBe(0);
	});

	it('leaves no partial record when the browser refuses the write', async () => {
		const db = freshDatabase();
		const repo = repository(db);
		const id = await launched(repo);
		// The test hook: the third chunk is refused as a real full disk would refuse it.
		let chunkPuts = 0;
		FakeObjectStore.prototype.put = function (this: IDBObjectStore, ...args) {
			if (this.name === 'chunks' && ++chunkPuts === 3) {
				throw new DOMException('Quota dépassé', 'QuotaExceededError');
			}
			return realPut.apply(this, args);
		} as typeof realPut;
		const result = await repo.complete(id, { files: FILES, blob: zipBlob(20_000) });
		FakeObjectStore.prototype.put = realPut;

		expect(chunkPuts).toBe(3);
		expect(result).toMatchObject({
			kept: false,
			reason: expect.stringMatching(/espace de stockage insuffisant/)
		});
		expect(await db.chunks.count()).toBe(0);
		expect(await repo.get(id)).toMatchObject({
			state: 'A traiter',
			storage: { kind: 'not-kept' },
			size: 20_000
		});
	});

	it('writes the file a chunk at a time: each chunk stored before the next is encrypted', async () => {
		const db = freshDatabase();
		const repo = repository(db); // chunks of 4,096 bytes
		const id = await launched(repo);
		const steps: string[] = [];
		const realEncrypt = crypto.subtle.encrypt.bind(crypto.subtle);
		const encrypt = vi
			.spyOn(crypto.subtle, 'encrypt')
			.mockImplementation(async (...args) => (steps.push('encrypt'), realEncrypt(...args)));
		FakeObjectStore.prototype.put = function (this: IDBObjectStore, ...args) {
			if (this.name === 'chunks') steps.push('put');
			return realPut.apply(this, args);
		} as typeof realPut;
		try {
			expect(await repo.complete(id, { files: FILES, blob: zipBlob(10_000) })).toEqual({
				kept: true
			});
		} finally {
			encrypt.mockRestore();
		}
		// 10,000 bytes: three chunks. Encrypting them all first held the whole ZIP twice more.
		expect(steps).toEqual(['encrypt', 'put', 'encrypt', 'put', 'encrypt', 'put']);
		expect(await blobBytes((await repo.readZip(id)).blob)).toEqual(bytes(10_000));
	});

	it('removes the chunks already written when the task is deleted during the write', async () => {
		const db = freshDatabase();
		const repo = repository(db);
		const id = await launched(repo);
		let chunkPuts = 0;
		let removal: Promise<number> | undefined;
		FakeObjectStore.prototype.put = function (this: IDBObjectStore, ...args) {
			// « Tout supprimer » in another tab, once the second chunk is written.
			if (this.name === 'chunks' && ++chunkPuts === 2) {
				removal = Dexie.ignoreTransaction(() => repo.removeAll());
			}
			return realPut.apply(this, args);
		} as typeof realPut;
		const result = await repo.complete(id, { files: FILES, blob: zipBlob(20_000) });
		await removal;
		expect(chunkPuts).toBe(5);
		expect(result).toEqual({ kept: false, reason: "Cette tâche n'existe plus." });
		expect(await db.chunks.count()).toBe(0);
		expect(await db.tasks.count()).toBe(0);
	});

	it('stores nothing for a task deleted while it ran', async () => {
		const db = freshDatabase();
		const repo = repository(db);
		const id = await launched(repo);
		await repo.removeAll();
		expect(await repo.complete(id, { files: FILES, blob: zipBlob() })).toMatchObject({
			kept: false
		});
		expect(await db.chunks.count()).toBe(0);
		expect(await db.tasks.count()).toBe(0);
	});
});
