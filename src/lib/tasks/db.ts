/**
 * The task database (Dexie over IndexedDB). Embedded, the module shares the host's origin, so
 * its database name always starts with `extractions-brutes:` and never meets the host's own.
 * A schema change is a new `db.version(n)`, never an edit of a published one.
 */
import Dexie, { type EntityTable, type Table } from 'dexie';
import type { ExtractionEvent } from '../contract/spico';
import type { EncryptedChunk } from './crypto';
import { upgradeRequest } from './legacy-request';
import type { TaskRecord, TaskScope } from './model';

export const DB_PREFIX = 'extractions-brutes:';

/** The reason shown on a task whose ZIP was dropped by the move to the API's storage key. */
export const LEGACY_KEY_DROPPED =
	"Le fichier de cette tâche a été supprimé lors du passage au chiffrement par la clé de stockage de l'API SPICO (l'ancienne clé restait sur le disque) : relancez l'extraction.";
export const DEFAULT_DB_NAME = 'taches';

/** One encrypted piece of a task's ZIP: kept apart so that listing tasks never loads a ZIP. */
export interface ChunkRecord extends EncryptedChunk {
	taskId: string;
}

/** An audit event waiting to reach the API (it holds no patient data). */
export interface AuditRecord extends TaskScope {
	id: string;
	event: ExtractionEvent;
	createdAt: number;
	attempts: number;
	lastError: string | null;
}

export type TasksDatabase = Dexie & {
	tasks: EntityTable<TaskRecord, 'id'>;
	chunks: Table<ChunkRecord, [string, number]>;
	audit: EntityTable<AuditRecord, 'id'>;
};

export interface DatabaseDeps {
	/** Injected by tests (fake-indexeddb); defaults to the browser's. */
	indexedDB?: IDBFactory;
	IDBKeyRange?: typeof IDBKeyRange;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `taches` → `extractions-brutes:taches`; the configurable part is a short plain name. */
export function databaseName(name: string = DEFAULT_DB_NAME): string {
	if (!NAME_RE.test(name)) {
		throw new RangeError(
			`Nom de base de tâches invalide : « ${name} » (lettres, chiffres, . _ -, 64 au plus).`
		);
	}
	return DB_PREFIX + name;
}

export function openTasksDatabase(
	name: string = DEFAULT_DB_NAME,
	deps: DatabaseDeps = {}
): TasksDatabase {
	const db = new Dexie(databaseName(name), {
		...(deps.indexedDB ? { indexedDB: deps.indexedDB } : {}),
		...(deps.IDBKeyRange ? { IDBKeyRange: deps.IDBKeyRange } : {})
	}) as TasksDatabase;
	db.version(1).stores({
		tasks: 'id, [userId+structureId], createdAt',
		chunks: '[taskId+index], taskId',
		keys: '[userId+structureId]',
		audit: 'id, [userId+structureId], createdAt'
	});
	// The request now carries `period` and `kinds` (legacy-request.ts).
	db.version(2)
		.stores({})
		.upgrade((tx) =>
			tx
				.table('tasks')
				.toCollection()
				.modify((task: { request: Parameters<typeof upgradeRequest>[0] }) => {
					task.request = upgradeRequest(task.request);
				})
		);
	// Versions 1 and 2 kept one non-extractable AES key per (user, structure) in `keys`: Chromium writes
	// its raw bytes beside the ciphertext, so the disk alone decrypted the ZIPs. Those keys and
	// the ZIPs under them are dropped; the tasks stay, saying their file was not kept.
	db.version(3)
		.stores({ keys: null })
		.upgrade(async (tx) => {
			const tasks = tx.table<TaskRecord, string>('tasks');
			const legacy = await tasks
				.filter((t) => t.storage.kind === 'kept' && !('wrappedKey' in t.storage))
				.primaryKeys();
			if (legacy.length === 0) return;
			await tx.table('chunks').where('taskId').anyOf(legacy).delete();
			await tasks
				.where('id')
				.anyOf(legacy)
				.modify((t) => {
					t.storage = { kind: 'not-kept', reason: LEGACY_KEY_DROPPED };
				});
		});
	return db;
}
