/**
 * The fetch-only floor of the end-to-end benchmark: the same pages as an extraction, fetched,
 * parsed and validated by the module's own client in a worker, with the next page in flight, and
 * nothing mapped or written. Bundled by bench/e2e.ts and started from the app's page.
 */
import { createSpicoClient } from '../src/lib/api/client';
import type { ListName, ListQuery } from '../src/lib/contract/spico';

export interface FloorSource {
	list: ListName;
	formId?: string;
	limit: number;
}

export interface FloorJob {
	id: string;
	sources: FloorSource[];
}

export interface FloorRequest {
	apiBaseUrl: string;
	token: string;
	structureId: string;
	query: Omit<ListQuery, 'cursor' | 'limit'>;
	job: FloorJob;
}

export interface FloorResult {
	id: string;
	items: number;
	pages: number;
	ms: number;
}

async function run(request: FloorRequest): Promise<FloorResult> {
	const client = createSpicoClient({ baseUrl: request.apiBaseUrl, getToken: () => request.token });
	const started = performance.now();
	let items = 0;
	let pages = 0;
	for (const source of request.job.sources) {
		const query = { ...request.query, limit: source.limit };
		const iterator = client.pages(request.structureId, source.list, query, {
			formId: source.formId
		});
		// As runWorkbookJob does: the next page is requested before the current one is used.
		let next = iterator.next();
		for (;;) {
			const current = await next;
			if (current.done) break;
			next = iterator.next();
			next.catch(() => {});
			items += current.value.items.length;
			pages++;
		}
	}
	return { id: request.job.id, items, pages, ms: performance.now() - started };
}

self.addEventListener('message', (event: MessageEvent<FloorRequest>) => {
	run(event.data).then(
		(result) => self.postMessage({ ok: true, result }),
		(error: unknown) => self.postMessage({ ok: false, error: String(error) })
	);
});
