/** Shared fixtures of the task tests: a fresh fake IndexedDB per test, requests, outcomes. */
import { createHash } from 'node:crypto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { STATUS_CODES, type StorageKey } from '../../src/lib/contract/spico';
import type { ExtractionRequest } from '../../src/lib/core/request';
import { openTasksDatabase, type TasksDatabase } from '../../src/lib/tasks/db';
import {
	apiKeyring,
	type StorageKeyring,
	type StorageKeySource
} from '../../src/lib/tasks/keyring';
import { TaskDataError } from '../../src/lib/tasks/crypto';
import type { TaskFile, TaskScope } from '../../src/lib/tasks/model';
import { TaskRepository, type RepositoryOptions } from '../../src/lib/tasks/repository';

export const ALICE = { userId: 'usr-alice', structureId: 'str-tnd-test' };
export const ALICE_OTHER_STRUCTURE = { userId: 'usr-alice', structureId: 'str-dac-loire' };
export const BOB = { userId: 'usr-bob', structureId: 'str-tnd-test' };

/** A database of its own (a new fake IndexedDB), so that tests never share state. */
export function freshDatabase(name = 'test'): TasksDatabase {
	return openTasksDatabase(name, { indexedDB: new IDBFactory(), IDBKeyRange });
}

export function request(overrides: Partial<ExtractionRequest> = {}): ExtractionRequest {
	return {
		period: { from: '2023-06-30', to: '2023-07-10' },
		archived: false,
		statuses: [...STATUS_CODES],
		kinds: ['administratif', 'rdv', 'thematiques', 'statuts'],
		forms: [{ thematicId: 'th-1', formId: 'form-7' }],
		...overrides
	};
}

export const FILES: TaskFile[] = [
	{
		fileName: 'RDV 30062023_10072023.xlsx',
		label: 'RDV',
		sheets: [
			{ name: 'RDV', rows: 1_048_575 },
			{ name: 'RDV (2)', rows: 12 }
		],
		rows: 1_048_587,
		cutCells: 2,
		continuations: ['La feuille RDV continue sur RDV (2).']
	}
];

/** `n` bytes that are not all alike, so that a misplaced chunk would show. */
export function bytes(n: number, seed = 7): Uint8Array<ArrayBuffer> {
	const out = new Uint8Array(n);
	let x = seed;
	for (let i = 0; i < n; i++) {
		x = (x * 1103515245 + 12345) >>> 0;
		out[i] = x >>> 24;
	}
	return out;
}

export function zipBlob(n = 10_000, seed = 7): Blob {
	return new Blob([bytes(n, seed)], { type: 'application/zip' });
}

export async function blobBytes(blob: Blob): Promise<Uint8Array> {
	return new Uint8Array(await blob.arrayBuffer());
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2023, 6, 11, 13, 5)) {
	let t = start;
	return {
		now: () => t,
		set: (ms: number) => (t = ms),
		advance: (ms: number) => (t += ms)
	};
}

let counter = 0;
export const newTaskId = () => `task-${++counter}`;

/** A storage key as an API would serve it: 32 bytes in base64url, one per (user, structure). */
export function storageKeyOf(scope: TaskScope, keyId = 'test-1'): StorageKey {
	const key = createHash('sha256')
		.update(`${keyId}:${scope.userId}:${scope.structureId}`)
		.digest('base64url');
	return { keyId, key };
}

/** The keyring of `scope`, its key served by `source` (default: `storageKeyOf(scope)`). */
export function keyringFor(
	scope: TaskScope,
	source: StorageKeySource = async () => storageKeyOf(scope)
): StorageKeyring {
	return apiKeyring(scope, source);
}

export function repository(
	db: TasksDatabase,
	scope = ALICE,
	options: RepositoryOptions = {},
	keyring: StorageKeyring = keyringFor(scope)
): TaskRepository {
	return new TaskRepository(db, scope, keyring, { storage: null, chunkSize: 4096, ...options });
}

/** Whether `value` holds a CryptoKey anywhere (IndexedDB would write its raw bytes to disk). */
export function holdsCryptoKey(value: unknown, seen = new Set<unknown>()): boolean {
	if (value instanceof CryptoKey) return true;
	if (value === null || typeof value !== 'object' || seen.has(value)) return false;
	seen.add(value);
	return Object.values(value).some((v) => holdsCryptoKey(v, seen));
}

/** Creates a task « En cours » for `repo` and returns its id. */
export async function launched(repo: TaskRepository, id = newTaskId()): Promise<string> {
	await repo.create({
		id,
		structureName: 'PLATEFORME TND TEST',
		madeOn: '2023-07-11',
		request: request(),
		zipName: 'Generic_extractions_brutes_30062023_10072023.zip',
		files: FILES.map((f) => ({ ...f, sheets: [], rows: 0, cutCells: 0, continuations: [] }))
	});
	return id;
}

/** The TaskDataError problem `promise` is refused with; any other outcome fails the test. */
export async function problemOf(promise: Promise<unknown>): Promise<string> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof TaskDataError) return error.problem;
		throw error;
	}
	throw new Error('accepted');
}
