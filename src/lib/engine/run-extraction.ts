/**
 * Runs an extraction in a pool of workers: one workbook per job, the pool sized to the machine
 * (pool-size.ts), the ZIP assembled in a worker. Cancelling (the signal) or any failure
 * terminates every worker at once, which also aborts their requests: nothing half-built is ever
 * returned.
 */
import { proxy, wrap, type Remote } from 'comlink';
import type { ExtractionWorkerApi } from '../../../workers/extraction.worker';

type WorkbookJobOptions = Parameters<ExtractionWorkerApi['runWorkbookJob']>[0];
import type { TokenGetter } from '../api/client';
import type { ExtractionContext, ExtractionPlan, WorkbookJob } from '../core/extraction/plan';
import type { BuiltWorkbook, JobProgress } from '../core/extraction/run-job';
import type { SealedWorkbook } from '../core/extraction/sealed-workbook';
import { JobFailure } from './job-failure';
import { workerPoolSize } from './pool-size';
import { watchWorkerPolicy, workerFailure, type WorkerPolicyWatch } from './worker-failure';

export { JobFailure };

export interface ExtractionOutcome {
	zipName: string;
	blob: Blob;
	size: number;
	workbooks: Omit<BuiltWorkbook, 'parts'>[];
}

export interface RunExtractionOptions {
	plan: ExtractionPlan;
	context: ExtractionContext;
	apiBaseUrl: string;
	getToken: TokenGetter;
	onProgress: (jobId: string, progress: RunProgress) => void;
	signal: AbortSignal;
	/** Items per page asked of the API (default the contract's 5,000). */
	pageSize?: number;
	/**
	 * A pseudonymised request's key, derived once for the run on the page and cloned to each
	 * worker as a non-extractable CryptoKey; never part of the context.
	 */
	pseudonymKey?: CryptoKey;
	/** Injected by tests (a crashing worker); defaults to the extraction worker. */
	createWorker?: () => Worker;
}

/** A job's progress, and `written`: its workbook is built and waits for the archive. */
export type RunProgress = JobProgress | { phase: 'written' };

interface PoolWorker {
	worker: Worker;
	api: Remote<ExtractionWorkerApi>;
	/** Rejects when the worker dies (uncaught error, out of memory, refused by a CSP). */
	died: Promise<never>;
}

function defaultWorker(): Worker {
	return new Worker(new URL('../../../workers/extraction.worker.ts', import.meta.url), {
		type: 'module',
		name: 'extraction'
	});
}

function startWorker(create: () => Worker, policy: WorkerPolicyWatch): PoolWorker {
	const worker = create();
	const died = new Promise<never>((_, reject) => {
		const fail = (event: Event) => {
			// The worker is gone either way: its own handler must not also reach the console.
			event.preventDefault();
			reject(workerFailure(event, policy.refused));
		};
		worker.addEventListener('error', fail);
		worker.addEventListener('messageerror', fail);
	});
	died.catch(() => {});
	return { worker, api: wrap<ExtractionWorkerApi>(worker), died };
}

function abortError(): DOMException {
	return new DOMException('Extraction annulée', 'AbortError');
}

function isAbort(error: unknown): boolean {
	return error instanceof DOMException && error.name === 'AbortError';
}

/**
 * « RDV : Le service SPICO… »: the user must know which file failed. The cause is kept word
 * for word (« Session expirée — reconnectez-vous puis relancez. »). Comlink carries only an
 * Error's message across, so the whole explanation has to be in it.
 */
export function fileError(label: string, error: unknown, jobId: string | null = null): JobFailure {
	const message =
		error instanceof Error && error.message ? error.message : 'Erreur inattendue, sans détail.';
	const name = error instanceof Error ? error.name : 'Error';
	return new JobFailure(`${label} : ${message}`, jobId, name, message);
}

export async function runExtraction(options: RunExtractionOptions): Promise<ExtractionOutcome> {
	const { plan, context, signal } = options;
	if (signal.aborted) throw abortError();
	const create = options.createWorker ?? defaultWorker;
	const size = workerPoolSize(globalThis.navigator?.hardwareConcurrency, plan.jobs.length);
	// A worker refused by the page's CSP must say so (worker-failure.ts).
	const policy = watchWorkerPolicy();
	const pool = Array.from({ length: size }, () => startWorker(create, policy));
	const stopAll = () => {
		policy.stop();
		pool.forEach((w) => w.worker.terminate());
	};

	const aborted = new Promise<never>((_, reject) => {
		signal.addEventListener('abort', () => reject(abortError()), { once: true });
	});
	aborted.catch(() => {});
	// Settles every pending race once the run is over, so no drain waits on a dead worker.
	let stop!: (reason: unknown) => void;
	const stopped = new Promise<never>((_, reject) => (stop = reject));
	stopped.catch(() => {});

	const queue: WorkbookJob[] = [...plan.jobs];
	const built = new Map<string, SealedWorkbook>();
	// Progress still queued from a worker after the end must not repaint a finished run.
	let live = true;

	async function drain(w: PoolWorker): Promise<void> {
		for (let job = queue.shift(); job; job = queue.shift()) {
			const { id, label } = job;
			const page = proxy({
				getToken: options.getToken,
				onProgress: (p: JobProgress) => {
					if (live) options.onProgress(id, p);
				}
			});
			const jobOptions: WorkbookJobOptions = {
				job,
				context,
				apiBaseUrl: options.apiBaseUrl,
				...(options.pageSize === undefined ? {} : { pageLimit: options.pageSize }),
				...(options.pseudonymKey === undefined ? {} : { pseudonymKey: options.pseudonymKey })
			};
			try {
				const result = await Promise.race([
					w.api.runWorkbookJob(jobOptions, page),
					w.died,
					aborted,
					stopped
				]);
				built.set(id, result);
				if (live) options.onProgress(id, { phase: 'written' });
			} catch (error) {
				if (isAbort(error)) throw error;
				throw fileError(label, error, id);
			}
		}
	}

	// A worker whose queue is empty is ended at once (its heap, its isolate), except the last one
	// to finish, which zips.
	let draining = pool.length;
	let zipper: PoolWorker | undefined;
	async function drainThenEnd(w: PoolWorker): Promise<void> {
		await drain(w);
		if (--draining > 0) w.worker.terminate();
		else zipper = w;
	}

	try {
		await Promise.all(pool.map(drainThenEnd));
		const files = plan.jobs.map((job) => {
			const wb = built.get(job.id);
			if (!wb) throw new Error(`Le fichier ${job.fileName} n'a pas été produit.`);
			return { fileName: wb.fileName, size: wb.size, crc: wb.crc, blob: wb.blob };
		});
		for (const job of plan.jobs) options.onProgress(job.id, { phase: 'zip' });
		if (!zipper) throw new Error('Aucun worker pour assembler l’archive.');
		const zipped = await Promise.race([
			zipper.api.zipWorkbooks(files, context.launch.ms),
			zipper.died,
			aborted
		]).catch((error: unknown) => {
			throw isAbort(error) ? error : fileError(`Archive ${plan.zipName}`, error);
		});
		for (const job of plan.jobs) options.onProgress(job.id, { phase: 'done' });
		return {
			zipName: plan.zipName,
			blob: zipped.blob,
			size: zipped.size,
			workbooks: plan.jobs.map((job) => {
				const { blob: _blob, crc: _crc, ...summary } = built.get(job.id)!;
				return summary;
			})
		};
	} finally {
		live = false;
		stopAll();
		stop(abortError());
	}
}
