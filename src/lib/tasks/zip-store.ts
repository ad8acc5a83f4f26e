/**
 * A task's ZIP in IndexedDB: encrypted (crypto.ts) under its own data key, kept only wrapped by
 * the key derived from the API's storage key (keyring.ts), chunk by chunk, and announced in the
 * task's record only once every chunk is in. Chunks of a write that failed or was interrupted
 * are removed: nothing half-written is offered.
 */
import { MESSAGES, TaskDataError, decryptChunksFrom, encryptBlobInto } from './crypto';
import type { TasksDatabase } from './db';
import {
	newDataKey,
	unwrapDataKey,
	wrapDataKey,
	type StorageKeyring,
	type WrappingKey
} from './keyring';
import { nextState, type TaskFile, type TaskRecord, type TaskScope } from './model';

/** What `navigator.storage` offers that the repository uses. */
export interface StorageLike {
	estimate(): Promise<{ usage?: number; quota?: number }>;
	persist?(): Promise<boolean>;
	persisted?(): Promise<boolean>;
}

export interface ZipStoreOptions {
	now: () => number;
	storage: StorageLike | null;
	chunkSize?: number;
}

/** Room asked beyond the ZIP itself: IVs, tags, IndexedDB's own overhead. */
const STORAGE_MARGIN = 1.02;
const STORAGE_SLACK = 256 * 1024;

export function isQuotaError(error: unknown): boolean {
	for (let e = error; e && typeof e === 'object'; e = (e as { inner?: unknown }).inner) {
		if ((e as { name?: unknown }).name === 'QuotaExceededError') return true;
	}
	return false;
}

export function defaultStorage(): StorageLike | null {
	const storage = (globalThis as { navigator?: { storage?: StorageLike } }).navigator?.storage;
	return storage && typeof storage.estimate === 'function' ? storage : null;
}

export class EncryptedZipStore {
	readonly #db: TasksDatabase;
	readonly #keyring: StorageKeyring;
	/** Whether a task record belongs to the repository's (user, structure). */
	readonly #owns: (task: TaskScope) => boolean;
	readonly #now: () => number;
	readonly #storage: StorageLike | null;
	readonly #chunkSize: number | undefined;
	#persistAsked = false;

	constructor(
		db: TasksDatabase,
		keyring: StorageKeyring,
		owns: (task: TaskScope) => boolean,
		options: ZipStoreOptions
	) {
		this.#db = db;
		this.#keyring = keyring;
		this.#owns = owns;
		this.#now = options.now;
		this.#storage = options.storage;
		this.#chunkSize = options.chunkSize;
	}

	/**
	 * The write a quota can refuse; false when the task was deleted while it ran. Each chunk is
	 * encrypted and written on its own, so that one chunk at a time is in memory: encrypting the
	 * whole ZIP first, then writing it in one transaction, held it twice more at the end of a run
	 * (~80 MB at `large`). The état announces the file once all its chunks are in; a failure or
	 * a deletion meanwhile removes them.
	 */
	async store(
		id: string,
		blob: Blob,
		summary: { files: TaskFile[]; size: number },
		wrapping: WrappingKey
	): Promise<boolean> {
		const db = this.#db;
		const existing = await db.tasks.get(id);
		if (!existing || !this.#owns(existing)) return false;
		await this.#askPersistence();
		const dataKey = await newDataKey();
		const wrappedKey = await wrapDataKey(wrapping.key, dataKey, id);
		try {
			const count = await encryptBlobInto(
				dataKey,
				blob,
				{ bindTo: id, ...(this.#chunkSize ? { chunkSize: this.#chunkSize } : {}) },
				(chunk) => db.chunks.put({ ...chunk, taskId: id })
			);
			const outcome = await db.transaction('rw', db.tasks, db.chunks, async () => {
				const task = await db.tasks.get(id);
				if (!task || !this.#owns(task)) return 'gone';
				if ((await db.chunks.where('taskId').equals(id).count()) !== count) return 'incomplete';
				await db.tasks.put({
					...task,
					...summary,
					state: nextState(task.state, 'done'),
					dueAt: this.#now(),
					storage: { kind: 'kept', keyId: wrapping.keyId, wrappedKey, chunks: count }
				});
				return 'kept';
			});
			if (outcome === 'kept') return true;
			await this.#dropChunks(id);
			if (outcome === 'gone') return false;
			throw new Error('fichier incomplet');
		} catch (error) {
			await this.#dropChunks(id).catch(() => {});
			throw error;
		}
	}

	/** Removes the chunks of a file that will not be announced. */
	async #dropChunks(id: string): Promise<void> {
		await this.#db.chunks.where('taskId').equals(id).delete();
	}

	/** The decrypted ZIP of `task`, or a TaskDataError saying why it cannot be given. */
	async read(task: TaskRecord): Promise<Blob> {
		const { id, storage } = task;
		// `wrappedKey` absent: a record from before the storage key (the migration drops them).
		if (storage.kind !== 'kept' || !storage.wrappedKey) {
			throw new TaskDataError('not-kept', MESSAGES['not-kept']);
		}
		const wrapping = await this.#keyring.wrappingKey();
		if (wrapping.kind !== 'ready') {
			const problem = wrapping.kind === 'absent' ? 'key-withheld' : 'key-unavailable';
			throw new TaskDataError(problem, MESSAGES[problem]);
		}
		if (wrapping.keyId !== storage.keyId) {
			throw new TaskDataError('key-rotated', MESSAGES['key-rotated']);
		}
		const dataKey = await unwrapDataKey(wrapping.key, storage.wrappedKey, id);
		const db = this.#db;
		const stored = await db.chunks.where('taskId').equals(id).count();
		if (stored !== storage.chunks) throw new TaskDataError('corrupt', MESSAGES.corrupt);
		// A chunk at a time: the whole ciphertext and the whole ZIP were in memory together.
		const blob = await decryptChunksFrom(dataKey, (index) => db.chunks.get([id, index]), {
			bindTo: id,
			count: storage.chunks
		});
		if (task.size !== null && blob.size !== task.size) {
			throw new TaskDataError('corrupt', MESSAGES.corrupt);
		}
		return blob;
	}

	async hasRoom(bytes: number): Promise<boolean> {
		if (!this.#storage) return true;
		try {
			const { usage, quota } = await this.#storage.estimate();
			if (quota === undefined || usage === undefined) return true;
			return quota - usage >= bytes * STORAGE_MARGIN + STORAGE_SLACK;
		} catch {
			return true; // Unknown: let the write itself decide.
		}
	}

	async #askPersistence(): Promise<void> {
		if (this.#persistAsked || !this.#storage?.persist) return;
		this.#persistAsked = true;
		try {
			// Best effort: a persisted origin is not evicted under storage pressure. Asked only
			// when not granted yet, since some browsers ask the user each time. Not awaited:
			// Firefox answers only once the user has answered its prompt, and the ZIP would wait.
			if (await this.#storage.persisted?.()) return;
			void this.#storage.persist().catch(() => {});
		} catch {
			// Refused or unsupported: the data stays « best effort ».
		}
	}
}
