/**
 * How many extraction workers a run starts, from what the browser says of its cores.
 *
 * - Half the logical cores: most office CPUs run two threads per core, and a worker keeps its
 *   core busy (XML, deflate), while the page, the browser's network process and the API's
 *   responses need CPU too. Measured on 2 cores, a third worker was no faster in Chromium and
 *   slower in WebKit, and each one costs memory.
 * - At least 2, so that one workbook's wait for the API overlaps another's writing.
 * - At most 4: each worker holds its own heap (40–80 MB at the largest scale) and its own stream
 *   of pages from the API, and one workbook is built by one worker whatever their number (the
 *   appointments took 6.7 s of a 10.7 s run at `large` on 2 cores).
 * - WebKit does not tell the count, against fingerprinting: 4 under 8 logical cores, 8 from
 *   there (a random 1–64 where it applies script telemetry). Its 4 gives 2 workers, which
 *   measured best on our 2-core machine (docs/DECISIONS.md, The run); a random 64 still gives 4.
 */
export const MIN_WORKERS = 2;
export const MAX_WORKERS = 4;

export function workerPoolSize(reportedCores: number | undefined, jobs: number): number {
	const cores =
		typeof reportedCores === 'number' && Number.isFinite(reportedCores) && reportedCores >= 1
			? Math.floor(reportedCores)
			: 1;
	const wanted = Math.min(MAX_WORKERS, Math.max(MIN_WORKERS, Math.floor(cores / 2)));
	return Math.max(1, Math.min(wanted, jobs));
}
