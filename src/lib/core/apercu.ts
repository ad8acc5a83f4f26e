/**
 * The Aperçu (SPEC §2.6): before launching, how many rows each file will hold and about how big
 * the ZIP will be. Each list is asked once with `limit=1` for its `total`, a few at a time; the
 * latest form wins (`LatestOnly`: a debounce that aborts what a newer form supersedes).
 * Framework-free: the state class (src/lib/state/apercu.svelte.ts) only holds what comes back.
 */
import type { ListName } from '../contract/spico';
import { datasetOf, type ExtractionPlan } from './extraction/plan';

/** One API count: a list, and the form for `responses`. */
export interface CountSource {
	list: ListName;
	formId?: string;
}

/** A count and what one of its items weighs: the columns of the sheets it fills. */
export interface WeighedSource extends CountSource {
	columns: number;
}

export interface ApercuFile {
	/** The plan's job id (`rdv`, `thematique:<id>`). */
	id: string;
	label: string;
	fileName: string;
	sources: WeighedSource[];
	/** Data sheets: each adds its part and its columns to the Informations sheet. */
	sheets: number;
}

/** The files of a plan and the counts each needs (a thematic: one per form). */
export function apercuFiles(plan: ExtractionPlan): ApercuFile[] {
	return plan.jobs.map((job) => {
		const dataset = datasetOf(job);
		const columns = (sheet: number) => dataset.sheets[sheet]?.columns.length ?? 1;
		const sources: WeighedSource[] =
			dataset.list === 'responses'
				? dataset.formIds.map((formId, i) => ({ list: 'responses', formId, columns: columns(i) }))
				: // Every sheet of the file fills from each item (statuts: its history and its summary).
					[
						{
							list: dataset.list,
							columns: dataset.sheets.reduce((a, s) => a + s.columns.length, 0)
						}
					];
		return {
			id: job.id,
			label: job.label,
			fileName: job.fileName,
			sources,
			sheets: dataset.sheets.length
		};
	});
}

export type FileCount = { id: string; rows: number } | { id: string; rows: null; error: string };

export interface CountOptions {
	/** `total` of one list for the request's filters (the caller asks with `limit=1`). */
	count: (source: CountSource, signal: AbortSignal) => Promise<number>;
	signal: AbortSignal;
	/** Requests in flight at most (default 3): the Aperçu must not crowd out the API. */
	concurrency?: number;
	/** Each file as soon as its counts are in. */
	onFile?: (count: FileCount) => void;
	/** Each list's own total, for the estimate (a thematic's forms differ in width). */
	onSource?: (source: CountSource, total: number) => void;
}

export const APERCU_CONCURRENCY = 3;

function sourceKey(s: CountSource): string {
	return JSON.stringify([s.list, s.formId ?? null]);
}

function messageOf(error: unknown): string {
	return error instanceof Error && error.message ? error.message : 'erreur inattendue';
}

/**
 * Counts every file. A list read by two files (dossiers: administratif and statuts) is asked
 * once. A failed count marks its file and stops nothing else; an abort rejects.
 */
export async function countFiles(
	files: readonly ApercuFile[],
	options: CountOptions
): Promise<FileCount[]> {
	const { signal } = options;
	const limit = Math.max(1, options.concurrency ?? APERCU_CONCURRENCY);
	const unique = new Map<string, CountSource>();
	for (const f of files) for (const s of f.sources) unique.set(sourceKey(s), s);

	const results = new Map<string, Promise<number>>();
	const queue = [...unique.entries()];
	let active = 0;
	const waiting: (() => void)[] = [];
	const slot = async () => {
		if (active >= limit) await new Promise<void>((r) => waiting.push(r));
		active++;
	};
	const release = () => {
		active--;
		waiting.shift()?.();
	};
	for (const [key, source] of queue) {
		const result = (async () => {
			await slot();
			try {
				signal.throwIfAborted();
				const total = await options.count(source, signal);
				options.onSource?.(source, total);
				return total;
			} finally {
				release();
			}
		})();
		result.catch(() => {});
		results.set(key, result);
	}

	const perFile = files.map(async (f): Promise<FileCount> => {
		try {
			const totals = await Promise.all(f.sources.map((s) => results.get(sourceKey(s))!));
			const count: FileCount = { id: f.id, rows: totals.reduce((a, n) => a + n, 0) };
			if (!signal.aborted) options.onFile?.(count);
			return count;
		} catch (error) {
			if (signal.aborted) throw signal.reason;
			const count: FileCount = { id: f.id, rows: null, error: messageOf(error) };
			options.onFile?.(count);
			return count;
		}
	});
	const counts = await Promise.all(perFile);
	signal.throwIfAborted();
	return counts;
}

/**
 * Compressed bytes per cell, fitted on the sandbox (every file, whole span, archived): 37.7 MB
 * for `large`; with the frames below, 378 kB estimated for `small`'s 355 kB. Per file it ranges
 * from 1.9 (RDV) to 4 (administratif, long texts).
 */
export const BYTES_PER_CELL = 2.6;
/** A workbook with no rows: its parts and its Informations sheet. */
export const BYTES_PER_WORKBOOK = 6_000;
/** Each data sheet: its part, its header, its columns in the dictionary. */
export const BYTES_PER_SHEET = 2_500;

export function sourceTotalKey(s: CountSource): string {
	return sourceKey(s);
}

/** About how big the ZIP will be, from each list's total; null until every count is in. */
export function estimateZipBytes(
	files: readonly ApercuFile[],
	totals: ReadonlyMap<string, number>
): number | null {
	let bytes = 0;
	for (const f of files) {
		bytes += BYTES_PER_WORKBOOK + f.sheets * BYTES_PER_SHEET;
		for (const s of f.sources) {
			const total = totals.get(sourceKey(s));
			if (total === undefined) return null;
			bytes += total * s.columns * BYTES_PER_CELL;
		}
	}
	return Math.round(bytes);
}

/** Timers, injected by tests. */
export interface Clock {
	setTimeout: (fn: () => void, ms: number) => unknown;
	clearTimeout: (handle: unknown) => void;
}

const realClock: Clock = {
	setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
	clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>)
};

export const APERCU_DELAY_MS = 500;

/**
 * Runs `task` for the latest input only: `delayMs` after the last `request()`, aborting the
 * task a newer input supersedes. `request(null)` cancels everything (form no longer valid).
 */
export class LatestOnly<I> {
	readonly #task: (input: I, signal: AbortSignal) => Promise<void>;
	readonly #delayMs: number;
	readonly #clock: Clock;
	#timer: unknown = null;
	#controller: AbortController | null = null;

	constructor(
		task: (input: I, signal: AbortSignal) => Promise<void>,
		options: { delayMs?: number; clock?: Clock } = {}
	) {
		this.#task = task;
		this.#delayMs = options.delayMs ?? APERCU_DELAY_MS;
		this.#clock = options.clock ?? realClock;
	}

	request(input: I | null): void {
		this.cancel();
		if (input === null) return;
		this.#timer = this.#clock.setTimeout(() => {
			this.#timer = null;
			const controller = new AbortController();
			this.#controller = controller;
			void this.#task(input, controller.signal)
				.catch(() => {})
				.finally(() => {
					if (this.#controller === controller) this.#controller = null;
				});
		}, this.#delayMs);
	}

	/** Drops the pending input and aborts the task in flight. */
	cancel(): void {
		if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
		this.#timer = null;
		this.#controller?.abort();
		this.#controller = null;
	}
}
