/**
 * Which tasks « En cours » still have a live tab behind them. The tab that runs a task holds a
 * Web Lock named after it from before the task is written until its last state is written; the
 * browser frees the lock when that tab closes or crashes. A task « En cours » whose lock is free
 * has lost its tab: it is interrupted. Another live tab's task keeps its lock, so it is never
 * touched.
 */

export interface TaskOwnership {
	/** Holds the task for this tab; resolves once held, with the function that lets it go. */
	hold(taskId: string): Promise<() => void>;
	/**
	 * Runs `fn` while holding the task's lock, only if no tab holds it (its owner is gone);
	 * resolves false without running it otherwise.
	 */
	ifOrphan(taskId: string, fn: () => Promise<void>): Promise<boolean>;
}

/** Web Locks (Chrome 69+, Firefox 96+, Safari 15.4+): every browser with CompressionStream. */
export function webLockOwnership(locks: LockManager, prefix: string): TaskOwnership {
	const name = (taskId: string) => `${prefix}:tache:${taskId}`;
	return {
		hold(taskId) {
			return new Promise((held, fail) => {
				locks
					.request(
						name(taskId),
						{ mode: 'exclusive' },
						() => new Promise<void>((let_go) => held(let_go))
					)
					.catch(fail);
			});
		},
		async ifOrphan(taskId, fn) {
			return locks.request(name(taskId), { mode: 'exclusive', ifAvailable: true }, async (lock) => {
				if (!lock) return false;
				await fn();
				return true;
			});
		}
	};
}

/** The same rules in memory, for one process: Node tests, or a browser without Web Locks. */
export function memoryOwnership(): TaskOwnership {
	const held = new Set<string>();
	return {
		async hold(taskId) {
			while (held.has(taskId)) await new Promise((r) => setTimeout(r, 5));
			held.add(taskId);
			let released = false;
			return () => {
				if (released) return;
				released = true;
				held.delete(taskId);
			};
		},
		async ifOrphan(taskId, fn) {
			if (held.has(taskId)) return false;
			held.add(taskId);
			try {
				await fn();
				return true;
			} finally {
				held.delete(taskId);
			}
		}
	};
}
