/**
 * The extraction worker: it only wires the framework-free core to comlink. Bulk JSON is fetched,
 * validated, mapped and written here, never on the page's main thread.
 */
import { expose } from 'comlink';
import { createSpicoClient, type TokenGetter } from '../src/lib/api/client';
import { runWorkbookJob, type JobProgress } from '../src/lib/core/extraction/run-job';
import type { ExtractionContext, WorkbookJob } from '../src/lib/core/extraction/plan';
import { layoutZip } from '../src/lib/core/zip';
import { sealWorkbook, type SealedWorkbook } from '../src/lib/engine/sealed-workbook';

// Chromium reports an unhandled rejection in a worker to its console only, never to the page:
// rethrown from a listener it becomes an uncaught error, which fires the Worker's `error` event.
self.addEventListener('unhandledrejection', (event) => {
	throw event.reason instanceof Error ? event.reason : new Error(String(event.reason));
});

const api = {
	async runWorkbookJob(
		job: WorkbookJob,
		context: ExtractionContext,
		apiBaseUrl: string,
		getToken: TokenGetter,
		onProgress: (progress: JobProgress) => void,
		pageLimit?: number,
		pseudonymKey?: CryptoKey
	) {
		const client = createSpicoClient({ baseUrl: apiBaseUrl, getToken });
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
