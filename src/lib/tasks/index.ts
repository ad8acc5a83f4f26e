/**
 * The task list of one (user, structure), ready to use: the database, the repository, the tab
 * ownership of running tasks, the audit outbox, and the housekeeping that runs at start-up and
 * every hour (retention purge, interrupted tasks, audit events still waiting).
 */
import { AuditTrail, type AuditSender } from './audit';
import { databaseName, openTasksDatabase, type DatabaseDeps, type TasksDatabase } from './db';
import { apiKeyring, type StorageKeyring, type StorageKeySource } from './keyring';
import type { TaskScope } from './model';
import { memoryOwnership, webLockOwnership, type TaskOwnership } from './ownership';
import { taskRecorder, type RecorderDeps, type RecorderHooks } from './recorder';
import { TaskRepository } from './repository';
import { HOUR_MS, purgeExpired, retentionMs } from './retention';
import type { StorageLike } from './zip-store';

export * from './model';
export { TaskDataError } from './crypto';
export { directAudit, type AuditRecorder } from './audit';
export { taskRecorder, type RecorderHooks } from './recorder';
export type { StoreResult } from './repository';
export { availabilityNote, type TaskView, type TaskAvailability } from './availability';
export type { StorageKeyring, StorageKeySource } from './keyring';
export { DB_PREFIX, DEFAULT_DB_NAME, databaseName } from './db';

export interface TasksOptions extends TaskScope {
	/** The sender of audit events: the API client. */
	audit: AuditSender;
	/** The API's storage key of this (user, structure), null on 404 (SPEC §8); or a keyring. */
	storageKey: StorageKeySource | StorageKeyring;
	/** Days a task and its ZIP are kept (SPEC §7, default 7). */
	retentionDays: number;
	/** The part after `extractions-brutes:` of the database name; default `taches`. */
	dbName?: string;
	now?: () => number;
	/** Injected by tests. */
	database?: DatabaseDeps;
	storage?: StorageLike | null;
	ownership?: TaskOwnership;
	/** Time between housekeeping passes; default one hour. */
	housekeepingMs?: number;
	auditRetryDelays?: readonly number[];
}

export interface TasksService {
	readonly db: TasksDatabase;
	readonly repo: TaskRepository;
	readonly ownership: TaskOwnership;
	readonly audit: AuditTrail;
	/** The storage key, held in memory for this session only. */
	readonly keyring: StorageKeyring;
	readonly retentionDays: number;
	/** Resolves after the first housekeeping pass (purge, interrupted tasks) and key request. */
	readonly ready: Promise<void>;
	/** One pass of housekeeping now. */
	housekeep(): Promise<void>;
	/** The run hooks of one launch. */
	recorder(extra?: Pick<RecorderDeps, 'progress' | 'onTaskCreated' | 'onTaskDone'>): RecorderHooks;
	close(): void;
}

function defaultOwnership(name: string): TaskOwnership {
	const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
	return locks ? webLockOwnership(locks, name) : memoryOwnership();
}

export function openTasks(options: TasksOptions): TasksService {
	const scope: TaskScope = { userId: options.userId, structureId: options.structureId };
	const name = databaseName(options.dbName);
	const now = options.now ?? Date.now;
	const retention = retentionMs(options.retentionDays);
	const db = openTasksDatabase(options.dbName, options.database);
	const keyring =
		typeof options.storageKey === 'function'
			? apiKeyring(scope, options.storageKey)
			: options.storageKey;
	const repo = new TaskRepository(db, scope, keyring, {
		now,
		...(options.storage === undefined ? {} : { storage: options.storage })
	});
	const ownership = options.ownership ?? defaultOwnership(name);
	const audit = new AuditTrail(db, scope, options.audit, {
		now,
		...(options.auditRetryDelays ? { retryDelays: options.auditRetryDelays } : {})
	});

	let closed = false;
	const housekeep = async () => {
		if (closed) return;
		// Each step on its own: a failed purge must not keep interrupted tasks « En cours ».
		await purgeExpired(db, { now: now(), retentionMs: retention }).catch(() => 0);
		await repo.recoverInterrupted(ownership).catch(() => []);
		await audit.flush();
	};
	// The storage key too: the Tâches list, shown after `ready`, says at once which files it reads.
	const ready = Promise.all([housekeep(), keyring.wrappingKey()]).then(() => {});
	const timer = setInterval(() => void housekeep(), options.housekeepingMs ?? HOUR_MS);

	return {
		db,
		repo,
		ownership,
		audit,
		keyring,
		retentionDays: options.retentionDays,
		ready,
		housekeep,
		recorder: (extra = {}) => taskRecorder({ repo, ownership, audit, now, ...extra }),
		close() {
			closed = true;
			clearInterval(timer);
			audit.stop();
			db.close();
		}
	};
}
