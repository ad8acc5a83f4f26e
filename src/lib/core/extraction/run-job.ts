/**
 * Builds one workbook: pages fetched from the API (the next one in flight while the current one
 * is written), each item mapped to rows and streamed into the sheets. Framework-free: the
 * extraction worker runs it, and so do Node tests and benchmarks.
 */
import type { RetryNotice, SpicoClient } from '../../api/client';
import { pageLimitOf, type MappingIssues, type RowContext, type RowSink } from '../datasets/index';
import type { Row } from '../table';
import { workbookPseudonymiser, type WorkbookPseudonymiser } from '../pseudonymise/index';
import { createWorkbook, formatCount, type SheetInfo, type Warning } from '../xlsx/index';
import { informationRows, informationsOf } from './informations';
import { datasetOf, type ExtractionContext, type WorkbookJob } from './plan';

export type JobProgress =
	| {
			phase: 'fetch';
			fetched: number;
			total: number | null;
			/** Set while a failed request waits to be sent again: seconds until then, and why. */
			retryInSeconds?: number;
			retryReason?: string;
	  }
	| { phase: 'write' }
	| { phase: 'zip' }
	| { phase: 'done' };

export interface BuiltWorkbook {
	jobId: string;
	fileName: string;
	label: string;
	parts: Uint8Array[];
	size: number;
	/** Data sheets with their row counts (continuations included). */
	sheets: SheetInfo[];
	/** Items read from the API (dossiers, appointments…), which may differ from rows. */
	items: number;
	warnings: Warning[];
	cutCells: number;
	issues: MappingIssues;
	/**
	 * Set when the API's total changed between the first and the last page (rows added or
	 * removed during the extraction): both totals, to report beside `items`.
	 */
	dataChanged: { firstTotal: number; lastTotal: number } | null;
	/**
	 * Set when the items read differ from the total the API announced on its last page (SPEC
	 * §8): the API lied, or the data moved. Shown on the result screen and in Informations.
	 */
	countMismatch: { read: number; announced: number } | null;
	/** Where the job's time went (benchmarks read it; counts and durations only). */
	timings?: JobTimings;
}

/** Milliseconds spent in each step of one job, measured in the thread that runs it. */
export interface JobTimings {
	/** Blocked on the next page: what the prefetch did not hide (network, parsing, validation). */
	waitMs: number;
	/** Items mapped to rows. */
	mapMs: number;
	/** Rows written into the sheets while the pages came in (XML, deflate). */
	writeMs: number;
	/** Closing the workbook: last flushes, Informations, package. */
	finishMs: number;
	totalMs: number;
	pages: number;
	/** Cells handed to the writer (rows × their length). */
	cells: number;
}

export interface RunJobOptions {
	onProgress?: (progress: JobProgress) => void;
	signal?: AbortSignal;
	/** Items per page asked of the API (default: by the width of the rows, up to 5,000). */
	pageLimit?: number;
	/**
	 * The run's pseudonymisation key (key.ts), required when the request says `pseudonymise`:
	 * it never travels inside the context, which the task and the audit see.
	 */
	pseudonymKey?: CryptoKey;
}

/** The request's pseudonymisation, or null; a key without the request's flag is refused too. */
function pseudonymiserOf(
	job: WorkbookJob,
	ctx: ExtractionContext,
	key: CryptoKey | undefined
): WorkbookPseudonymiser | null {
	const wanted = ctx.request.pseudonymise;
	if (!wanted) {
		if (key) throw new Error('Clé de pseudonymisation donnée pour une extraction identifiante.');
		return null;
	}
	if (!key) throw new Error('Clé de pseudonymisation absente : aucun fichier n’a été produit.');
	return workbookPseudonymiser(job, datasetOf(job), {
		key,
		structureId: ctx.structure.id,
		keepFreeText: wanted.keepFreeText,
		periodStart: ctx.request.period.from
	});
}

/** Keeps the next page in flight while the caller works on the current one. */
async function* prefetching<T>(source: AsyncIterator<T>): AsyncGenerator<T> {
	let next = source.next();
	for (;;) {
		const current = await next;
		if (current.done) return;
		next = source.next();
		// A rejection of the prefetched page is handled when it is awaited, not reported early.
		next.catch(() => {});
		yield current.value;
	}
}

/** « L'API a annoncé 3 éléments, 50 ont été lus. »: the result screen and Informations say it. */
export function countMismatchText(m: { read: number; announced: number }): string {
	const n = (x: number) => formatCount(x);
	return `L'API a annoncé ${n(m.announced)} éléments, ${n(m.read)} ont été lus.`;
}

export async function runWorkbookJob(
	job: WorkbookJob,
	ctx: ExtractionContext,
	client: SpicoClient,
	options: RunJobOptions = {}
): Promise<BuiltWorkbook> {
	const { onProgress, signal } = options;
	const dataset = datasetOf(job);
	const { request } = ctx;
	// Before anything is fetched: a bad key or structure id fails the job with nothing produced.
	const pseudo = pseudonymiserOf(job, ctx, options.pseudonymKey);
	// The page's clock, not the worker's: one clock for the extraction (clamped to ZIP's range).
	const entries = informationsOf(job, ctx);
	const workbook = createWorkbook({
		informations: (summary) =>
			pseudo
				? informationRows([...entries, ...pseudo.informations], summary, pseudo.notices)
				: informationRows(entries, summary),
		mtime: ctx.launch.ms
	});
	const sheets = pseudo
		? pseudo.sheets.map((s) => workbook.addSheet(s.spec))
		: dataset.sheets.map((spec) => workbook.addSheet(spec));
	let buffers: Row[][] = sheets.map(() => []);
	const timings: JobTimings = {
		waitMs: 0,
		mapMs: 0,
		writeMs: 0,
		finishMs: 0,
		totalMs: 0,
		pages: 0,
		cells: 0
	};
	const started = performance.now();
	// Every row of every file goes through the same policy on its way to its sheet.
	const through = pseudo?.sheets.map((s) => s.apply);
	const sink = through
		? (sheetIndex: number, row: Row) => {
				const out = through[sheetIndex]!(row);
				timings.cells += out.length;
				buffers[sheetIndex]!.push(out);
			}
		: (sheetIndex: number, row: Row) => {
				timings.cells += row.length;
				buffers[sheetIndex]!.push(row);
			};
	const issues: MappingIssues = { unknownChoiceCodes: 0, mismatchedValues: 0 };
	const rowContext = { period: request.period, today: ctx.launch.today, issues };
	const query = {
		from: request.period.from,
		to: request.period.to,
		archived: request.archived,
		statuses: request.statuses,
		limit: options.pageLimit ?? pageLimitOf(dataset)
	};
	// One source per form for thematics, else the dataset's single list.
	// The list and its mapping are kept in step by the registry; the union just can't say so.
	const writeRows = dataset.writeRows as (item: unknown, c: RowContext, s: RowSink) => void;
	const sources: (string | undefined)[] =
		dataset.list === 'responses' ? [...dataset.formIds] : [undefined];
	const totals: (number | null)[] = sources.map(() => null);
	const firstTotals: (number | null)[] = sources.map(() => null);
	let fetched = 0;
	const total = () =>
		totals.every((t) => t !== null) ? totals.reduce<number>((a, t) => a + (t ?? 0), 0) : null;
	onProgress?.({ phase: 'fetch', fetched: 0, total: null });
	const onRetry = (notice: RetryNotice) =>
		onProgress?.({
			phase: 'fetch',
			fetched,
			total: total(),
			retryInSeconds: notice.delaySeconds,
			retryReason: notice.reason
		});

	for (const [i, formId] of sources.entries()) {
		const pages = client.pages(ctx.structure.id, dataset.list, query, { formId, signal, onRetry });
		let mark = performance.now();
		for await (const page of prefetching(pages)) {
			const t0 = performance.now();
			timings.waitMs += t0 - mark;
			timings.pages++;
			firstTotals[i] ??= page.total;
			totals[i] = page.total;
			if (pseudo) await pseudo.prepare(page.items);
			for (const item of page.items) writeRows(item, rowContext, sink);
			const full = buffers;
			buffers = sheets.map(() => []);
			const t1 = performance.now();
			timings.mapMs += t1 - t0;
			for (const [s, rows] of full.entries()) if (rows.length) await sheets[s]!.writeRows(rows);
			mark = performance.now();
			timings.writeMs += mark - t1;
			fetched += page.items.length;
			onProgress?.({ phase: 'fetch', fetched, total: total() });
		}
	}

	onProgress?.({ phase: 'write' });
	const firstTotal = firstTotals.reduce<number>((a, t) => a + (t ?? 0), 0);
	const lastTotal = total() ?? 0;
	const countMismatch = fetched === lastTotal ? null : { read: fetched, announced: lastTotal };
	const finishing = performance.now();
	const result = await workbook.finish({
		warnings: countMismatch ? [countMismatchText(countMismatch)] : []
	});
	timings.finishMs = performance.now() - finishing;
	timings.totalMs = performance.now() - started;
	return {
		jobId: job.id,
		fileName: job.fileName,
		label: job.label,
		parts: result.parts,
		size: result.size,
		sheets: result.sheets,
		items: fetched,
		warnings: result.warnings,
		cutCells: result.cutCells,
		issues,
		dataChanged: firstTotal === lastTotal ? null : { firstTotal, lastTotal },
		countMismatch,
		timings
	};
}
