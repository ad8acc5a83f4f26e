/**
 * The arithmetic of the progress panel (SPEC §2.7): each file's share of its own work, the
 * overall fraction weighted by rows, and the time left. Framework-free, so that it is tested
 * with hand-worked numbers.
 */

/**
 * Where a file stands. `fetch`: pages read and written into the sheets as they come (the writer
 * streams, so rows read are rows written); `write`: the workbook being closed; `written`: the
 * workbook is ready and waits for the others; `zip`: the archive being assembled.
 */
export type FilePhase = 'waiting' | 'fetch' | 'write' | 'written' | 'zip' | 'done';

export interface FileWork {
	phase: FilePhase;
	/** Items read (and written) so far. */
	fetched: number;
	/** Items the API announces for the file; null until its first page (or the Aperçu). */
	total: number | null;
}

/** Share of a file's work that is reading and writing rows; the rest is closing and zipping. */
export const FETCH_SHARE = 0.9;
const WRITTEN_SHARE = 0.95;

/** How far one file is, from 0 to 1. */
export function fileFraction(f: FileWork): number {
	switch (f.phase) {
		case 'waiting':
			return 0;
		case 'fetch':
			if (f.total === null) return 0;
			return f.total === 0 ? FETCH_SHARE : (FETCH_SHARE * Math.min(f.fetched, f.total)) / f.total;
		case 'write':
			return FETCH_SHARE;
		case 'written':
		case 'zip':
			return WRITTEN_SHARE;
		case 'done':
			return 1;
	}
}

/**
 * Weight of each file in the overall bar: its rows, at least 1 (an empty file still takes a
 * request and a workbook). A file whose total is not known yet weighs the mean of the known ones
 * (1 each when none is known), so that the bar does not jump back when totals arrive one by one.
 */
export function fileWeights(files: readonly FileWork[]): number[] {
	const known = files.filter((f) => f.total !== null).map((f) => Math.max(1, f.total ?? 0));
	const mean = known.length ? known.reduce((a, n) => a + n, 0) / known.length : 1;
	return files.map((f) => (f.total === null ? mean : Math.max(1, f.total)));
}

/** The overall fraction, 0 to 1, each file weighted by its rows. */
export function overallFraction(files: readonly FileWork[]): number {
	if (files.length === 0) return 0;
	const weights = fileWeights(files);
	const sum = weights.reduce((a, w) => a + w, 0);
	return files.reduce((a, f, i) => a + (weights[i] ?? 0) * fileFraction(f), 0) / sum;
}

/** No estimate before this much time or this much work: the first pages say little. */
export const ESTIMATE_MIN_MS = 2000;
export const ESTIMATE_MIN_FRACTION = 0.03;

/**
 * Milliseconds left if the rest goes at the pace so far: elapsed × (1 − f) / f. Null while the
 * run is too young for the pace to mean anything.
 */
export function timeLeftMs(elapsedMs: number, fraction: number): number | null {
	if (fraction >= 1) return 0;
	if (elapsedMs < ESTIMATE_MIN_MS || fraction < ESTIMATE_MIN_FRACTION) return null;
	return (elapsedMs * (1 - fraction)) / fraction;
}

/** « 45 s », « 2 min 05 s », « 1 h 03 min »: whole seconds, rounded up (never « 0 s » too early). */
export function formatDuration(ms: number): string {
	const total = Math.max(0, Math.ceil(ms / 1000));
	const h = Math.floor(total / 3600);
	const m = Math.floor((total % 3600) / 60);
	const s = total % 60;
	if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
	if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
	return `${s} s`;
}
