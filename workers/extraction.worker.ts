/**
 * The extraction worker: it only wires the framework-free core to comlink. Bulk JSON is fetched,
 * validated, mapped and written here, never on the page's main thread.
 */
import { expose, transfer } from 'comlink';
import { createSpicoClient } from '../src/lib/api/client';
import { runWorkbookJob, type JobProgress } from '../src/lib/core/extraction/run-job';
import type { ExtractionContext, WorkbookJob } from '../src/lib/core/extraction/plan';
import { buildZip, type ZipFileInput } from '../src/lib/core/zip';

// Parts may be views of one buffer: each buffer is transferred once.
function buffersOf(parts: readonly Uint8Array[]): ArrayBuffer[] {
	return [...new Set(parts.map((p) => p.buffer as ArrayBuffer))];
}

const api = {
	async runWorkbookJob(
		job: WorkbookJob,
		context: ExtractionContext,
		apiBaseUrl: string,
		getToken: () => Promise<string | null>,
		onProgress: (progress: JobProgress) => void
	) {
		const client = createSpicoClient({ baseUrl: apiBaseUrl, getToken });
		const built = await runWorkbookJob(job, context, client, { onProgress });
		return transfer(built, buffersOf(built.parts));
	},
	async zipWorkbooks(files: ZipFileInput[]) {
		const zipped = buildZip(files);
		return transfer(zipped, buffersOf(zipped.parts));
	}
};

export type ExtractionWorkerApi = typeof api;

expose(api);
