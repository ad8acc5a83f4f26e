/**
 * The extraction worker: it only wires the framework-free core to comlink. Bulk JSON is fetched,
 * validated, mapped and written here, never on the page's main thread.
 */
import { expose, transfer } from 'comlink';
import { createSpicoClient, type TokenGetter } from '../src/lib/api/client';
import { runWorkbookJob, type JobProgress } from '../src/lib/core/extraction/run-job';
import type { ExtractionContext, WorkbookJob } from '../src/lib/core/extraction/plan';
import { buildZip, type ZipFileInput } from '../src/lib/core/zip';

// Parts may be views of one buffer: each buffer is transferred once.
function buffersOf(parts: readonly Uint8Array[]): ArrayBuffer[] {
	return [...new Set(parts.map((p) => p.buffer as ArrayBuffer))];
}

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
		pageLimit?: number
	) {
		const client = createSpicoClient({ baseUrl: apiBaseUrl, getToken });
		const built = await runWorkbookJob(job, context, client, { onProgress, pageLimit });
		return transfer(built, buffersOf(built.parts));
	},
	async zipWorkbooks(files: ZipFileInput[], mtime?: number) {
		const zipped = buildZip(files, mtime === undefined ? {} : { mtime });
		return transfer(zipped, buffersOf(zipped.parts));
	}
};

export type ExtractionWorkerApi = typeof api;

expose(api);
