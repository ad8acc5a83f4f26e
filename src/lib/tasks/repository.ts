/**
 * The tasks of one (user, structure): every read and write goes through a repository bound to
 * that scope, so another user or structure on the same browser never sees them. The ZIP is kept
 * encrypted by zip-store.ts: a task is either « A traiter » with its whole file, or says why it
 * has none. Nothing half-written is offered.
 */
import type { ExtractionRequest } from '../core/request';
import { availabilityOf, type TaskView } from './availability';
import { taskComment } from './comment';
import { TaskDataError } from './crypto';
import type { TasksDatabase } from './db';
import type { StorageKeyring } from './keyring';
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
import { EncryptedZipStore, defaultStorage, isQuotaError, type StorageLike } from './zip-store';

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

const NOT_KEPT_QUOTA =
	"Le fichier n'a pas pu être conservé dans le navigateur : espace de stockage insuffisant. Il a été proposé au téléchargement à la fin de l'extraction.";
const NOT_KEPT_ERROR =
	"Le fichier n'a pas pu être conservé dans le navigateur (échec de l'enregistrement). Il a été proposé au téléchargement à la fin de l'extraction.";
const NOT_KEPT_NO_KEY =
	"Le fichier n'est pas conservé dans le navigateur : l'API SPICO ne fournit pas de clé de stockage pour le chiffrer. Il a été proposé au téléchargement à la fin de l'extraction.";
const NOT_KEPT_KEY_UNAVAILABLE =
	"Le fichier n'a pas pu être conservé dans le navigateur : la clé de stockage n'a pas pu être obtenue de l'API SPICO. Il a été proposé au téléchargement à la fin de l'extraction.";
const GONE = "Cette tâche n'existe plus.";

export class TaskRepository {
	readonly #db: TasksDatabase;
	readonly #scope: TaskScope;
	readonly #now: () => number;
	readonly #keyring: StorageKeyring;
	readonly #zips: EncryptedZipStore;

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
		this.#zips = new EncryptedZipStore(db, keyring, (task) => this.#owns(task), {
			now: this.#now,
			storage: options.storage === undefined ? defaultStorage() : options.storage,
			chunkSize: options.chunkSize
		});
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
		} else if (!(await this.#zips.hasRoom(run.blob.size))) {
			reason = NOT_KEPT_QUOTA;
		} else {
			try {
				const stored = await this.#zips.store(id, run.blob, summary, wrapping);
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
		return { blob: await this.#zips.read(task), zipName: task.zipName };
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
}
