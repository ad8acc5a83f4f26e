/**
 * The extraction worker: it only wires the framework-free core to comlink. Bulk JSON is fetched,
 * validated, mapped and written here, never on the page's main thread.
 */
import { expose } from 'comlink';
import { createSpicoClient, type TokenGetter } from '../src/lib/api/client';
import { runWorkbookJob, type JobProgress } from '../src/lib/core/extraction/run-job';
import type { ExtractionContext, WorkbookJob } from '../src/lib/core/extraction/plan';
import { layoutZip } from '../src/lib/core/zip';
import { sealWorkbook, type SealedWorkbook } from '../src/lib/core/extraction/sealed-workbook';

// Chromium reports an unhandled rejection in a worker to its console only, never to the page:
// rethrown from a listener it becomes an uncaught error, which fires the Worker's `error` event.
self.addEventListener('unhandledrejection', (event) => {
	throw event.reason instanceof Error ? event.reason : new Error(String(event.reason));
});

/** What a workbook job needs: plain data, cloned into the worker. */
export interface WorkbookJobOptions {
	job: WorkbookJob;
	context: ExtractionContext;
	/** Absolute: a relative URL would resolve against the worker's script. */
	apiBaseUrl: string;
	/** Items per page asked of the API; default by the width of the rows. */
	pageLimit?: number;
	/**
	 * A pseudonymised request's key (non-extractable): a CryptoKey is structured-cloneable, so
	 * it travels with the rest; never inside the context, which the task and the audit see.
	 */
	pseudonymKey?: CryptoKey;
}

/**
 * The page's side of a job, one comlink proxy: comlink proxies top-level arguments only, so the
 * functions cannot ride inside the options object.
 */
export interface PageCallbacks {
	getToken: TokenGetter;
	onProgress(progress: JobProgress): void;
}

const api = {
	async runWorkbookJob(options: WorkbookJobOptions, page: PageCallbacks) {
		const { job, context, apiBaseUrl, pageLimit, pseudonymKey } = options;
		const client = createSpicoClient({ baseUrl: apiBaseUrl, getToken: (o) => page.getToken(o) });
		const onProgress = (p: JobProgress) => void page.onProgress(p);
		// A Blob crosses to the page without its bytes being copied; the chunks die here.
		return sealWorkbook(
			await runWorkbookJob(job, context, client, { onProgress, pageLimit, pseudonymKey })
		);
	},
	/** The archive as one Blob around the workbooks' Blobs: nothing is read or copied. */
	async zipWorkbooks(
		files: Pick<SealedWorkbook, 'fileName' | 'size' | 'crc' | 'blob'>[],
		mtime?: number
	) {
		const layout = layoutZip(
			files.map((f) => ({ fileName: f.fileName, size: f.size, crc: f.crc, body: f.blob })),
			mtime === undefined ? {} : { mtime }
		);
		return {
			blob: new Blob(layout.parts as BlobPart[], { type: 'application/zip' }),
			size: layout.size
		};
	}
};

export type ExtractionWorkerApi = typeof api;

expose(api);
