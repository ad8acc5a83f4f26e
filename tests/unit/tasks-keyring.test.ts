/**
 * The key hierarchy of a kept ZIP: HKDF from the API's storage key, a wrapping key that never
 * leaves memory, data keys stored only wrapped, and the migration that drops versions 1 and 2's keys
 * (stored on disk beside the ZIPs) on fake-indexeddb.
 */
import { hkdfSync, webcrypto } from 'node:crypto';
import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { STATUS_CODES } from '../../src/lib/contract/spico';
import { LEGACY_KEY_DROPPED, openTasksDatabase } from '../../src/lib/tasks/db';
import {
	apiKeyring,
	deriveWrappingKey,
	newDataKey,
	unwrapDataKey,
	wrapDataKey
} from '../../src/lib/tasks/keyring';
import {
	ALICE,
	ALICE_OTHER_STRUCTURE,
	BOB,
	FILES,
	problemOf,
	request,
	storageKeyOf
} from './tasks-helpers';

const KEY = storageKeyOf(ALICE, 'k1');

describe('the wrapping key (HKDF-SHA-256 from the storage key)', () => {
	it('is the documented derivation: salt, and info = [userId, structureId, keyId]', async () => {
		const wrapping = await deriveWrappingKey(KEY, ALICE);
		const data = await newDataKey();
		const wrapped = await wrapDataKey(wrapping, data, 'task-1');
		// The same derivation done independently with node:crypto, then AES-GCM by hand.
		const independent = Buffer.from(
			hkdfSync(
				'sha256',
				Buffer.from(KEY.key, 'base64url'),
				'extractions-brutes/wrapping-key/v1',
				JSON.stringify([ALICE.userId, ALICE.structureId, 'k1']),
				32
			)
		);
		const aes = await webcrypto.subtle.importKey('raw', independent, 'AES-GCM', false, ['decrypt']);
		const raw = await webcrypto.subtle.decrypt(
			{
				name: 'AES-GCM',
				iv: wrapped.iv,
				additionalData: new TextEncoder().encode('extractions-brutes/data-key/task-1')
			},
			aes,
			wrapped.data
		);
		const exported = await crypto.subtle.exportKey('raw', data);
		expect(Buffer.from(raw).equals(Buffer.from(exported))).toBe(true);
		expect(raw.byteLength).toBe(32);
	});

	it('cannot be exported and only wraps and unwraps', async () => {
		const wrapping = await deriveWrappingKey(KEY, ALICE);
		expect(wrapping.extractable).toBe(false);
		expect([...wrapping.usages].sort()).toEqual(['unwrapKey', 'wrapKey']);
		await expect(crypto.subtle.exportKey('raw', wrapping)).rejects.toThrow();
	});
});

describe('a data key, stored only wrapped', () => {
	it('unwraps to a non-extractable key that decrypts what the data key encrypted', async () => {
		const wrapping = await deriveWrappingKey(KEY, ALICE);
		const data = await newDataKey();
		const wrapped = await wrapDataKey(wrapping, data, 'task-1');
		expect(wrapped.iv).toHaveLength(12);
		expect(wrapped.data.byteLength).toBe(48); // 32 bytes of key + the 16-byte tag
		const raw = Buffer.from(await crypto.subtle.exportKey('raw', data));
		expect(Buffer.from(wrapped.data).includes(raw.subarray(0, 8))).toBe(false);

		const back = await unwrapDataKey(wrapping, wrapped, 'task-1');
		expect(back.extractable).toBe(false);
		expect([...back.usages]).toEqual(['decrypt']);
		const iv = new Uint8Array(12);
		const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, data, Buffer.from('zip'));
		const opened = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, back, sealed);
		expect(Buffer.from(opened).toString()).toBe('zip');
	});

	it('does not unwrap for another user, structure, keyId or task', async () => {
		const wrapped = await wrapDataKey(
			await deriveWrappingKey(KEY, ALICE),
			await newDataKey(),
			'task-1'
		);
		const attempts = [
			// The same key bytes served for another scope or under another id.
			deriveWrappingKey(KEY, BOB),
			deriveWrappingKey(KEY, ALICE_OTHER_STRUCTURE),
			deriveWrappingKey({ ...KEY, keyId: 'k2' }, ALICE),
			// Bob's own key, used on Alice's record.
			deriveWrappingKey(storageKeyOf(BOB, 'k1'), ALICE)
		];
		for (const attempt of attempts) {
			expect(await problemOf(unwrapDataKey(await attempt, wrapped, 'task-1'))).toBe('key-mismatch');
		}
		// A wrapped key moved to another task.
		const alice = await deriveWrappingKey(KEY, ALICE);
		expect(await problemOf(unwrapDataKey(alice, wrapped, 'task-2'))).toBe('key-mismatch');
		await expect(unwrapDataKey(alice, wrapped, 'task-1')).resolves.toBeInstanceOf(CryptoKey);
	});
});

describe('the keyring of a session', () => {
	it('asks the API once, even when asked twice at the same time', async () => {
		const source = vi.fn(async () => KEY);
		const keyring = apiKeyring(ALICE, source);
		expect(keyring.state).toEqual({ kind: 'unknown' });
		const [a, b] = await Promise.all([keyring.wrappingKey(), keyring.wrappingKey()]);
		expect(a).toBe(b);
		expect(a).toMatchObject({ kind: 'ready', keyId: 'k1' });
		await keyring.wrappingKey();
		expect(source).toHaveBeenCalledTimes(1);
		expect(keyring.state).toEqual({ kind: 'ready', keyId: 'k1' });
	});

	it('takes a 404 as « no key offered » for the session; a failure is asked again', async () => {
		const absent = vi.fn(async () => null);
		const none = apiKeyring(ALICE, absent);
		expect(await none.wrappingKey()).toEqual({ kind: 'absent' });
		expect(await none.wrappingKey()).toEqual({ kind: 'absent' });
		expect(absent).toHaveBeenCalledTimes(1);

		const failing = vi.fn().mockRejectedValueOnce(new Error('503')).mockResolvedValueOnce(KEY);
		const flaky = apiKeyring(ALICE, failing);
		expect(await flaky.wrappingKey()).toEqual({ kind: 'unavailable' });
		expect(flaky.state).toEqual({ kind: 'unavailable' });
		expect(await flaky.wrappingKey()).toMatchObject({ kind: 'ready', keyId: 'k1' });
	});
});

// Versions 1 and 2 as they were published: the same stores, `keys` among them; version 2 only
// rewrote the stored requests (legacy-request.ts).
const V1_STORES = {
	tasks: 'id, [userId+structureId], createdAt',
	chunks: '[taskId+index], taskId',
	keys: '[userId+structureId]',
	audit: 'id, [userId+structureId], createdAt'
};
// A request as version 1 stored it, before `period` and `kinds`.
const V1_REQUEST = {
	from: '2023-06-30',
	to: '2023-07-10',
	archived: false,
	statuses: [...STATUS_CODES],
	files: { administratif: true, rdv: true, hospitalisations: false, thematiques: true },
	statuts: true,
	forms: [{ thematicId: 'th-1', formId: 'form-7' }]
};
describe.each([
	{ from: 1, storedRequest: V1_REQUEST },
	{ from: 2, storedRequest: request() }
])(
	'migration from version $from (a local key per user, stored on disk)',
	({ from, storedRequest }) => {
		it('drops the old keys and the ZIPs under them, keeps the tasks and says why', async () => {
			const indexedDB = new IDBFactory();
			const name = 'extractions-brutes:taches';
			const old = new Dexie(name, { indexedDB, IDBKeyRange });
			old.version(1).stores(V1_STORES);
			if (from === 2) old.version(2).stores({});
			const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
				'encrypt',
				'decrypt'
			]);
			await old.table('keys').add({ ...ALICE, id: 'local-1', key, createdAt: 1 });
			const task = (id: string, storage: object, state = 'A traiter') => ({
				id,
				...ALICE,
				structureName: 'PLATEFORME TND TEST',
				label: 'Extraction brute des données',
				level: 'Très haute',
				document: 'EXTRACTIONS - BRUTES - GENERIQUES',
				comment: '…',
				state,
				interrupted: false,
				reason: null,
				createdAt: 1,
				dueAt: 2,
				downloadedAt: null,
				request: storedRequest,
				zipName: `${id}.zip`,
				files: FILES,
				size: 10,
				storage
			});
			await old
				.table('tasks')
				.bulkAdd([
					task('kept', { kind: 'kept', keyId: 'local-1', chunks: 2 }),
					task('not-kept', { kind: 'not-kept', reason: 'quota' }),
					task('failed', { kind: 'none' }, 'Échec')
				]);
			await old.table('chunks').bulkAdd([
				{ taskId: 'kept', index: 0, iv: new Uint8Array(12), data: new ArrayBuffer(8) },
				{ taskId: 'kept', index: 1, iv: new Uint8Array(12), data: new ArrayBuffer(8) }
			]);
			old.close();

			const db = openTasksDatabase('taches', { indexedDB, IDBKeyRange });
			await db.open();
			expect(db.verno).toBe(3);
			expect(db.tables.map((t) => t.name).sort()).toEqual(['audit', 'chunks', 'tasks']);
			const raw = await new Promise<IDBDatabase>((ok, ko) => {
				const r = indexedDB.open(name);
				r.onsuccess = () => ok(r.result);
				r.onerror = () => ko(r.error);
			});
			expect([...raw.objectStoreNames].sort()).toEqual(['audit', 'chunks', 'tasks']);
			raw.close();
			expect(await db.chunks.count()).toBe(0);
			expect(await db.tasks.count()).toBe(3);
			expect((await db.tasks.get('kept'))?.storage).toEqual({
				kind: 'not-kept',
				reason: LEGACY_KEY_DROPPED
			});
			expect((await db.tasks.get('kept'))?.state).toBe('A traiter');
			expect((await db.tasks.get('not-kept'))?.storage).toEqual({
				kind: 'not-kept',
				reason: 'quota'
			});
			expect((await db.tasks.get('failed'))?.storage).toEqual({ kind: 'none' });
			// Both upgrades ran, in order: every request is in today's shape.
			for (const t of await db.tasks.toArray()) {
				expect(t.request).toEqual(request());
			}
			db.close();
		});
	}
);
