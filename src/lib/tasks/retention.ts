/**
 * Retention (SPEC §7): a task, its encrypted ZIP and any audit event still waiting are deleted
 * once older than the configured number of days (default 7), for every user of the browser:
 * expired health data is removed even if its owner never comes back.
 */
import type { TasksDatabase } from './db';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function retentionMs(days: number): number {
	if (!Number.isFinite(days) || days <= 0) throw new RangeError(`Rétention invalide : ${days}`);
	return days * DAY_MS;
}

/** Older than the retention: exactly at the limit it is still kept. */
export function isExpired(createdAt: number, now: number, retention: number): boolean {
	return now - createdAt > retention;
}

/** Deletes what expired; returns the number of tasks removed. */
export async function purgeExpired(
	db: TasksDatabase,
	options: { now: number; retentionMs: number }
): Promise<number> {
	// `isExpired` ⇔ createdAt < now − retention.
	const cutoff = options.now - options.retentionMs;
	return db.transaction('rw', db.tasks, db.chunks, db.audit, async () => {
		const ids = await db.tasks.where('createdAt').below(cutoff).primaryKeys();
		if (ids.length > 0) {
			await db.chunks.where('taskId').anyOf(ids).delete();
			await db.tasks.bulkDelete(ids);
		}
		await db.audit.where('createdAt').below(cutoff).delete();
		return ids.length;
	});
}
