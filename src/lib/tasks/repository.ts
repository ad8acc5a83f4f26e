/**
 * The tasks of one (user, structure): every read and write goes through a repository bound to
 * that scope, so another user or structure on the same browser never sees them. The ZIP is
 * stored encrypted (crypto.ts) under its own data key, kept only wrapped by the key derived from
 * the API's storage key (keyring.ts), chunk by chunk, and announced by the état only once every
 * chunk is in: a task is either « A traiter » with its whole file, or says why it has none.
 * Chunks of a write that failed or was interrupted are removed. Nothing half-written is offered.
 */
import type { ExtractionRequest } from '../core/request';
import { taskComment } from './comment';
import { MESSAGES, TaskDataError, decryptChunksFrom, encryptBlobInto } from './crypto';
import type { TasksDatabase } from './db';
import {
	newDataKey,
	unwrapDataKey,
	wrapDataKey,
	type KeyringState,
	type StorageKeyring,
	type WrappingKey
} from './keyring';
import {
	INTERRUPTED_REASON,
	TASK_DOCUMENT,
	TASK_LABEL,
	TASK_LEVEL,
	nextState,
	type TaskEvent,
	type TaskFile,
	type TaskRecord,
	type TaskScope
} from './model';
import type { TaskOwnership } from './ownership';

/** What `navigator.storage` offers that the repository uses. */
export interface StorageLike {
	estimate(): Promise<{ usage?: number; quota?: number }>;
	persist?(): Promise<boolean>;
	persisted?(): Promise<boolean>;
}

export interface RepositoryOptions {
	now?: () => number;
	/** `navigator.storage` by default; null to skip the checks. */
	storage?: StorageLike | null;
	chunkSize?: number;
}

export interface NewTask {
	/** Chosen by the caller so that its lock is held before the task exists. */
	id: string;
	structureName: string;
	/** Day of the extraction (Paris), for the commentaire. */
	madeOn: string;
	request: ExtractionRequest;
	zipName: string;
	/** The planned workbooks (rows 0 until built). */
	files: TaskFile[];
}

export interface CompletedRun {
	files: TaskFile[];
	blob: Blob;
}

export type StoreResult = { kept: true } | { kept: false; reason: string };

/** Whether a task's file can be downloaded, and if not, why. */
export type TaskAvailability =
	| 'running'
	| 'available'
	| 'not-kept'
	/** The API offers no storage key to this session (404): nothing decrypts. */
	| 'key-withheld'
	/** The storage key could not be fetched (network, 5xx…): a reload asks again. */
	| 'key-unavailable'
	/** Wrapped under a storage key the API has since replaced (another keyId). */
	| 'key-rotated'
	| 'none';

export interface TaskView extends TaskRecord {
	availability: TaskAvailability;
}

const NOT_KEPT_QUOTA =
	"Le fichier n'a pas pu être conservé dans le navigateur : espace de stockage insuffisant. Il a été proposé au téléchargement à la fin de l'extraction.";
const NOT_KEPT_ERROR =
	"Le fichier n'a pas pu être conservé dans le navigateur (échec de l'enregistrement). Il a été proposé au téléchargement à la fin de l'extraction.";
const NOT_KEPT_NO_KEY =
	"Le fichier n'est pas conservé dans le navigateur : l'API SPICO ne fournit pas de clé de stockage pour le chiffrer. Il a été proposé au téléchargement à la fin de l'extraction.";
const NOT_KEPT_KEY_UNAVAILABLE =
	"Le fichier n'a pas pu être conservé dans le navigateur : la clé de stockage n'a pas pu être obtenue de l'API SPICO. Il a été proposé au téléchargement à la fin de l'extraction.";
const GONE = "Cette tâche n'existe plus.";

/** Room asked beyond the ZIP itself: IVs, tags, IndexedDB's own overhead. */
const STORAGE_MARGIN = 1.02;
const STORAGE_SLACK = 256 * 1024;

function isQuotaError(error: unknown): boolean {
	for (let e = error; e && typeof e === 'object'; e = (e as { inner?: unknown }).inner) {
		if ((e as { name?: unknown }).name === 'QuotaExceededError') return true;
	}
	return false;
}

function defaultStorage(): StorageLike | null {
	const storage = (globalThis as { navigator?: { storage?: StorageLike } }).navigator?.storage;
	return storage && typeof storage.estimate === 'function' ? storage : null;
}

export class TaskRepository {
	readonly #db: TasksDatabase;
	readonly #scope: TaskScope;
	readonly #now: () => number;
	readonly #storage: StorageLike | null;
	readonly #chunkSize: number | undefined;
	readonly #keyring: StorageKeyring;
	#persistAsked = false;

	constructor(
		db: TasksDatabase,
		scope: TaskScope,
		keyring: StorageKeyring,
		options: RepositoryOptions = {}
	) {
		this.#db = db;
		this.#keyring = keyring;
		this.#scope = { userId: scope.userId, structureId: scope.structureId };
		this.#now = options.now ?? Date.now;
		this.#storage = options.storage === undefined ? defaultStorage() : options.storage;
		this.#chunkSize = options.chunkSize;
	}

	get scope(): TaskScope {
		return { ...this.#scope };
	}

	#owns(task: TaskScope): boolean {
		return task.userId === this.#scope.userId && task.structureId === this.#scope.structureId;
	}

	get #key(): [string, string] {
		return [this.#scope.userId, this.#scope.structureId];
	}

	/** The task « En cours », created the moment the extraction is launched. */
	async create(input: NewTask): Promise<TaskRecord> {
		const task: TaskRecord = {
			id: input.id,
			...this.#scope,
			structureName: input.structureName,
			label: TASK_LABEL,
			level: TASK_LEVEL,
			document: TASK_DOCUMENT,
			comment: taskComment({
				structureName: input.structureName,
				madeOn: input.madeOn,
				from: input.request.period.from,
				to: input.request.period.to,
				pseudonymised: input.request.pseudonymise !== undefined
			}),
			state: 'En cours',
			interrupted: false,
			reason: null,
			createdAt: this.#now(),
			dueAt: null,
			downloadedAt: null,
			request: input.request,
			zipName: input.zipName,
			files: input.files,
			size: null,
			storage: { kind: 'none' }
		};
		await this.#db.tasks.add(task);
		return task;
	}

	async get(id: string): Promise<TaskRecord | undefined> {
		const task = await this.#db.tasks.get(id);
		return task && this.#owns(task) ? task : undefined;
	}

	/** Newest first, each with whether its file can still be read (for liveQuery). */
	async list(): Promise<TaskView[]> {
		const tasks = await this.#db.tasks.where('[userId+structureId]').equals(this.#key).toArray();
		const keyring = this.#keyring.state;
		return tasks
			.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id))
			.map((task) => ({ ...task, availability: availabilityOf(task, keyring) }));
	}

	/**
	 * The run finished: the encrypted ZIP, then « A traiter » that announces it. When the API
	 * gives no storage key, the browser has no room, or refuses a write, the task still becomes
	 * « A traiter » and says its file could not be kept; the chunks already written are removed.
	 */
	async complete(id: string, run: CompletedRun): Promise<StoreResult> {
		const summary = { files: run.files, size: run.blob.size };
		let reason: string;
		const wrapping = await this.#keyring.wrappingKey();
		if (wrapping.kind === 'absent') {
			reason = NOT_KEPT_NO_KEY;
		} else if (wrapping.kind === 'unavailable') {
			reason = NOT_KEPT_KEY_UNAVAILABLE;
		} else if (!(await this.#hasRoom(run.blob.size))) {
			reason = NOT_KEPT_QUOTA;
		} else {
			try {
				const stored = await this.#storeEncrypted(id, run.blob, summary, wrapping);
				if (stored) return { kept: true };
				return { kept: false, reason: GONE };
			} catch (error) {
				reason = isQuotaError(error) ? NOT_KEPT_QUOTA : NOT_KEPT_ERROR;
			}
		}
		await this.#transition(id, 'done', () => ({
			...summary,
			dueAt: this.#now(),
			storage: { kind: 'not-kept', reason }
		}));
		return { kept: false, reason };
	}

	/**
	 * The write a quota can refuse; false when the task was deleted while it ran. Each chunk is
	 * encrypted and written on its own, so that one chunk at a time is in memory: encrypting the
	 * whole ZIP first, then writing it in one transaction, held it twice more at the end of a run
	 * (~80 MB at `large`). The état announces the file once all its chunks are in; a failure or
	 * a deletion meanwhile removes them.
	 */
	async #storeEncrypted(
		id: string,
		blob: Blob,
		summary: { files: TaskFile[]; size: number },
		wrapping: WrappingKey
	): Promise<boolean> {
		if (!(await this.get(id))) return false;
		await this.#askPersistence();
		const dataKey = await newDataKey();
		const wrappedKey = await wrapDataKey(wrapping.key, dataKey, id);
		const db = this.#db;
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

	async fail(id: string, reason: string): Promise<void> {
		await this.#transition(id, 'failed', () => ({ reason, dueAt: this.#now() }));
	}

	async cancel(id: string): Promise<void> {
		await this.#transition(id, 'cancelled', () => ({ dueAt: this.#now() }));
	}

	/** The user downloaded the ZIP from the Tâches page: « Traité ». */
	async markDownloaded(id: string): Promise<void> {
		await this.#transition(id, 'downloaded', () => ({ downloadedAt: this.#now() }));
	}

	/** The decrypted ZIP, or a TaskDataError saying why it cannot be given. */
	async readZip(id: string): Promise<{ blob: Blob; zipName: string }> {
		const task = await this.get(id);
		if (!task) throw new TaskDataError('not-kept', GONE);
		const { storage } = task;
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
		return { blob, zipName: task.zipName };
	}

	/** Deletes one task and its file. */
	async remove(id: string): Promise<void> {
		const db = this.#db;
		await db.transaction('rw', db.tasks, db.chunks, async () => {
			const task = await db.tasks.get(id);
			if (!task || !this.#owns(task)) return;
			await db.chunks.where('taskId').equals(id).delete();
			await db.tasks.delete(id);
		});
	}

	/** « Tout supprimer »: every task of this user and structure, with their files. */
	async removeAll(): Promise<number> {
		const db = this.#db;
		return db.transaction('rw', db.tasks, db.chunks, async () => {
			const ids = await db.tasks.where('[userId+structureId]').equals(this.#key).primaryKeys();
			if (ids.length > 0) {
				await db.chunks.where('taskId').anyOf(ids).delete();
				await db.tasks.bulkDelete(ids);
			}
			return ids.length;
		});
	}

	/**
	 * Tasks « En cours » whose tab is gone become « Échec — interrompue ». A task still held by a
	 * live tab (this one or another) is left alone. Returns the ids interrupted.
	 */
	async recoverInterrupted(ownership: TaskOwnership): Promise<string[]> {
		const running = (await this.list()).filter((t) => t.state === 'En cours');
		const interrupted: string[] = [];
		for (const task of running) {
			await ownership.ifOrphan(task.id, async () => {
				const db = this.#db;
				await db.transaction('rw', db.tasks, db.chunks, async () => {
					const current = await db.tasks.get(task.id);
					// It may have finished between the list and the lock.
					if (!current || current.state !== 'En cours') return;
					// The tab may have closed while it was writing the file's chunks.
					await db.chunks.where('taskId').equals(task.id).delete();
					await db.tasks.put({
						...current,
						state: nextState(current.state, 'interrupted'),
						interrupted: true,
						reason: INTERRUPTED_REASON
					});
					interrupted.push(task.id);
				});
			});
		}
		return interrupted;
	}

	async #transition(
		id: string,
		event: TaskEvent,
		patch: (task: TaskRecord) => Partial<TaskRecord>
	): Promise<TaskRecord | undefined> {
		const db = this.#db;
		return db.transaction('rw', db.tasks, async () => {
			const task = await db.tasks.get(id);
			// Deleted meanwhile (« Tout supprimer », retention): nothing to update.
			if (!task || !this.#owns(task)) return undefined;
			const updated: TaskRecord = { ...task, ...patch(task), state: nextState(task.state, event) };
			await db.tasks.put(updated);
			return updated;
		});
	}

	async #hasRoom(bytes: number): Promise<boolean> {
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

function keptAvailability(keyId: string, keyring: KeyringState): TaskAvailability {
	switch (keyring.kind) {
		case 'absent':
			return 'key-withheld';
		case 'unavailable':
			return 'key-unavailable';
		case 'ready':
			return keyId === keyring.keyId ? 'available' : 'key-rotated';
		case 'unknown':
			// Not asked yet: the download asks, and says why if it cannot.
			return 'available';
	}
}

/** Without a request: from the storage key as last fetched (a reload asks again). */
export function availabilityOf(task: TaskRecord, keyring: KeyringState): TaskAvailability {
	if (task.state === 'En cours') return 'running';
	switch (task.storage.kind) {
		case 'kept':
			return keptAvailability(task.storage.keyId, keyring);
		case 'not-kept':
			return 'not-kept';
		case 'none':
			return 'none';
	}
}

const AVAILABILITY_NOTES: Partial<Record<TaskAvailability, string>> = {
	'key-withheld': MESSAGES['key-withheld'],
	'key-unavailable': MESSAGES['key-unavailable'],
	'key-rotated': MESSAGES['key-rotated']
};

/** Why a task's file cannot be downloaded, in French; null when it can or has none. */
export function availabilityNote(task: TaskView): string | null {
	if (task.availability === 'not-kept' && task.storage.kind === 'not-kept') {
		return task.storage.reason;
	}
	return AVAILABILITY_NOTES[task.availability] ?? null;
}
