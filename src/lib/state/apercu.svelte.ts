/**
 * The Aperçu's state on the page: the latest valid request's files and their counts. The logic
 * (debounce, superseding, concurrency, estimate) is in core/apercu.ts; this class holds results.
 */
import type { Thematic } from '../contract/spico';
import {
	LatestOnly,
	apercuFiles,
	countFiles,
	estimateZipBytes,
	sourceTotalKey,
	type ApercuFile,
	type Clock,
	type CountSource
} from '../core/apercu';
import { planExtraction } from '../core/extraction/plan';
import type { ExtractionRequest } from '../core/request';

export interface ApercuLine {
	id: string;
	label: string;
	fileName: string;
	/** Null while counting, or when the count failed (`error` then says why). */
	rows: number | null;
	error: string | null;
}

export type ApercuCount = (
	request: ExtractionRequest,
	source: CountSource,
	signal: AbortSignal
) => Promise<number>;

interface Input {
	request: ExtractionRequest;
	files: ApercuFile[];
}

export class ApercuState {
	/** Idle: no valid form; counting: the lines wait for their counts; ready: all are in. */
	status = $state<'idle' | 'counting' | 'ready'>('idle');
	lines = $state<ApercuLine[]>([]);
	/** Null until every count is in, or when one failed. */
	estimate = $state<number | null>(null);
	/** When the latest counts all arrived (performance.now()), for measurements. */
	readyAt = $state<number | null>(null);

	#latest: LatestOnly<Input>;
	#key: string | null = null;

	constructor(count: ApercuCount, options: { delayMs?: number; clock?: Clock } = {}) {
		this.#latest = new LatestOnly<Input>(async ({ request, files }, signal) => {
			// A local tally for the estimate, not state: nothing renders from it.
			// eslint-disable-next-line svelte/prefer-svelte-reactivity
			const found = new Map<string, number>();
			await countFiles(files, {
				signal,
				count: (source, s) => count(request, source, s),
				onSource: (source, total) => found.set(sourceTotalKey(source), total),
				onFile: (c) => {
					const line = this.lines.find((l) => l.id === c.id);
					if (!line) return;
					line.rows = c.rows;
					line.error = c.rows === null ? c.error : null;
				}
			});
			this.estimate = estimateZipBytes(files, found);
			this.status = 'ready';
			this.readyAt = performance.now();
		}, options);
	}

	/** The form changed: `request` when it is valid, else null. Same request, nothing to do. */
	update(request: ExtractionRequest | null, catalogue: readonly Thematic[]): void {
		const key = request === null ? null : JSON.stringify(request);
		if (key === this.#key) return;
		this.#key = key;
		if (request === null) {
			this.#latest.request(null);
			this.status = 'idle';
			this.lines = [];
			this.estimate = null;
			return;
		}
		const files = apercuFiles(planExtraction(request, catalogue));
		this.status = 'counting';
		this.estimate = null;
		this.readyAt = null;
		this.lines = files.map((f) => ({
			id: f.id,
			label: f.label,
			fileName: f.fileName,
			rows: null,
			error: null
		}));
		this.#latest.request({ request, files });
	}

	destroy(): void {
		this.#latest.cancel();
	}
}
