/**
 * How many extraction workers a run starts, from what the browser says of its cores.
 *
 * - One logical core is left to the page, the browser's network and UI processes: on 2 cores
 *   that still gives 2 workers, never fewer, so that one workbook's wait for the API overlaps
 *   another's writing.
 * - At most 4: each worker holds its own heap (40–80 MB at the largest scale) and its own
 *   stream of pages from the API, and past that the largest workbook is the critical path.
 * - WebKit never tells the truth here (4 for any machine under 8 logical cores, 8 above, against
 *   fingerprinting): 4 becomes 3, which measured best on 2 cores (docs/DECISIONS.md).
 */
export const MIN_WORKERS = 2;
export const MAX_WORKERS = 4;

export function workerPoolSize(reportedCores: number | undefined, jobs: number): number {
	const cores =
		typeof reportedCores === 'number' && Number.isFinite(reportedCores) && reportedCores >= 1
			? Math.floor(reportedCores)
			: 1;
	const wanted = Math.min(MAX_WORKERS, Math.max(MIN_WORKERS, cores - 1));
	return Math.max(1, Math.min(wanted, jobs));
}
