/**
 * The state of one extraction on the page: per-file progress, the overall bar, cancel, the
 * result. The work itself runs in workers (src/lib/engine); this class only follows it.
 */
import type { Thematic } from '../contract/spico';
import { planExtraction, type ExtractionContext } from '../core/extraction/plan';
import type { JobProgress } from '../core/extraction/run-job';
import type { ExtractionRequest } from '../core/request';
import { runExtraction, type ExtractionOutcome } from '../engine/run-extraction';

export interface FileProgress {
	id: string;
	label: string;
	fileName: string;
	phase: JobProgress['phase'] | 'waiting';
	fetched: number;
	total: number | null;
}

export type RunPhase = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

export interface RunEnvironment {
	apiBaseUrl: string;
	getToken: () => Promise<string | null>;
	structure: { id: string; name: string };
	userId: string;
	today: string;
	/** Paris wall time of "now", `YYYY-MM-DDTHH:mm:ss`. */
	now: () => string;
	/** Called with the finished extraction (the seam for the Tâches issue). */
	onDone?: (outcome: ExtractionOutcome, context: ExtractionContext) => void;
}

/** Share of a file's bar given to fetching and writing; the rest is finishing and zipping. */
const FETCH_SHARE = 0.9;

function fileFraction(f: FileProgress): number {
	switch (f.phase) {
		case 'waiting':
			return 0;
		case 'fetch':
			if (f.total === null) return 0;
			return f.total === 0 ? FETCH_SHARE : (FETCH_SHARE * Math.min(f.fetched, f.total)) / f.total;
		case 'write':
			return FETCH_SHARE;
		case 'zip':
			return 0.95;
		case 'done':
			return 1;
	}
}

export class ExtractionRun {
	phase = $state<RunPhase>('idle');
	files = $state<FileProgress[]>([]);
	error = $state<string | null>(null);
	outcome = $state.raw<ExtractionOutcome | null>(null);
	downloadUrl = $state<string | null>(null);

	readonly percent = $derived(
		this.files.length === 0
			? 0
			: Math.floor((100 * this.files.reduce((a, f) => a + fileFraction(f), 0)) / this.files.length)
	);

	#controller: AbortController | null = null;

	get running(): boolean {
		return this.phase === 'running';
	}

	async start(request: ExtractionRequest, catalogue: readonly Thematic[], env: RunEnvironment) {
		if (this.running) return;
		this.#reset();
		const plan = planExtraction(request, catalogue);
		const context: ExtractionContext = {
			structure: env.structure,
			userId: env.userId,
			request,
			today: env.today,
			launchedAt: env.now()
		};
		this.files = plan.jobs.map((job) => ({
			id: job.id,
			label: job.label,
			fileName: job.fileName,
			phase: 'waiting',
			fetched: 0,
			total: null
		}));
		const controller = new AbortController();
		this.#controller = controller;
		this.phase = 'running';
		try {
			const outcome = await runExtraction({
				plan,
				context,
				apiBaseUrl: env.apiBaseUrl,
				getToken: env.getToken,
				signal: controller.signal,
				onProgress: (id, p) => this.#progress(id, p)
			});
			if (controller.signal.aborted) return;
			this.outcome = outcome;
			this.downloadUrl = URL.createObjectURL(outcome.blob);
			this.phase = 'done';
			env.onDone?.(outcome, context);
		} catch (error) {
			if (controller.signal.aborted) return;
			this.error =
				error instanceof Error && error.message
					? error.message
					: "L'extraction a échoué pour une raison inconnue.";
			this.phase = 'failed';
		} finally {
			if (this.#controller === controller) this.#controller = null;
		}
	}

	cancel() {
		if (!this.#controller) return;
		this.#controller.abort();
		this.#controller = null;
		this.phase = 'cancelled';
	}

	#progress(id: string, p: JobProgress) {
		const file = this.files.find((f) => f.id === id);
		if (!file) return;
		file.phase = p.phase;
		if (p.phase === 'fetch') {
			file.fetched = p.fetched;
			file.total = p.total;
		}
	}

	#reset() {
		if (this.downloadUrl) URL.revokeObjectURL(this.downloadUrl);
		this.downloadUrl = null;
		this.outcome = null;
		this.error = null;
		this.files = [];
	}
}
