/**
 * The state of one extraction on the page: per-file progress, the overall bar, cancel, the
 * result. The work itself runs in workers (src/lib/engine); this class only follows it.
 */
import type { LaunchInstant } from '../core/calendar';
import type { TokenGetter } from '../api/client';
import type { Thematic } from '../contract/spico';
import {
	planExtraction,
	type ExtractionContext,
	type ExtractionPlan
} from '../core/extraction/plan';
import { overallFraction, timeLeftMs, type FilePhase } from '../core/extraction/progress';
import { derivePseudonymKey } from '../core/pseudonymise/key';
import type { ExtractionRequest } from '../core/request';
import { explainFailure, type FailureText } from '../engine/failure-text';
import { JobFailure } from '../engine/job-failure';
import { runExtraction, type ExtractionOutcome, type RunProgress } from '../engine/run-extraction';
import { ExpiringObjectUrl } from './expiring-url';

export interface FileProgress {
	id: string;
	label: string;
	fileName: string;
	phase: FilePhase;
	fetched: number;
	total: number | null;
	/** While a failed request waits to be sent again: when (ms, page clock) and why. */
	retry: { at: number; reason: string } | null;
	/**
	 * How the file ended when the run did not: `failed` is the file that stopped it; `stopped`
	 * the others (cancelled, or interrupted by another file's failure). Null otherwise.
	 */
	end: 'failed' | 'stopped' | null;
}

export type RunPhase = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

export interface RunEnvironment {
	apiBaseUrl: string;
	getToken: TokenGetter;
	structure: { id: string; name: string };
	userId: string;
	/** When the user launched it, read once (the instant the form was validated against). */
	launch: LaunchInstant;
	/** Items per API page (config.json `pageSize`); default: sized by each file's row width. */
	pageSize?: number;
	/** What else happens around a run: the task list, the audit trail. */
	hooks?: RunHooks;
}

/**
 * The seams around a run. Each is awaited where it matters (a task must exist before the work
 * starts) and a failing hook never turns a finished extraction into a failed one.
 */
export interface RunHooks {
	/** Before any request: e.g. create the task "En cours". */
	onStart?(context: ExtractionContext, plan: ExtractionPlan): Promise<void> | void;
	/** The ZIP is ready (its download is offered at the same time). */
	onDone?(outcome: ExtractionOutcome, context: ExtractionContext): Promise<void> | void;
	/** The run failed; `message` is what the user is shown. */
	onFailed?(message: string, context: ExtractionContext): Promise<void> | void;
	onCancelled?(context: ExtractionContext): Promise<void> | void;
}

/** Runs a hook without letting its failure change the run's outcome. */
async function safely(hook: (() => Promise<void> | void) | undefined): Promise<void> {
	try {
		await hook?.();
	} catch {
		// The hook owns its error reporting (a task that could not be kept says so itself).
	}
}

/**
 * Progress reaches the screen at most this often: the workers report every page (dozens a
 * second), and each repaint of the list cost the page's thread more than the numbers are worth.
 */
export const PROGRESS_INTERVAL_MS = 250;

export class ExtractionRun {
	phase = $state<RunPhase>('idle');
	files = $state<FileProgress[]>([]);
	error = $state<string | null>(null);
	outcome = $state.raw<ExtractionOutcome | null>(null);
	/** The ZIP's last `blob:` URL, for the link; revoked soon after use (`takeDownloadUrl`). */
	downloadUrl = $state<string | null>(null);
	/** The failure explained: one sentence, the next step, the detail (failure-text.ts). */
	failure = $state.raw<FailureText | null>(null);
	/** The request of the run shown (the form's read-only summary while it runs). */
	request = $state.raw<ExtractionRequest | null>(null);
	/** Page clock (ms) at launch and at the end; elapsed time and time left come from them. */
	startedAt = $state<number | null>(null);
	endedAt = $state<number | null>(null);
	/** The pseudonymisation key is being derived (PBKDF2, under a second): shown as working. */
	deriving = $state(false);
	#download: ExpiringObjectUrl | null = null;

	/** Overall fraction, each file weighted by its rows (core/extraction/progress.ts). */
	readonly fraction = $derived(overallFraction(this.files));
	readonly percent = $derived(Math.floor(100 * this.fraction));

	/** Elapsed ms at `now` (the caller's ticking clock), frozen at the end. */
	elapsedMs(now: number): number {
		if (this.startedAt === null) return 0;
		return Math.max(0, (this.endedAt ?? now) - this.startedAt);
	}

	/** Ms left at `now` at the pace so far; null while too early to say. */
	timeLeftMs(now: number): number | null {
		return this.running ? timeLeftMs(this.elapsedMs(now), this.fraction) : null;
	}

	#controller: AbortController | null = null;
	/** The latest report of each file, not yet on screen: not state, on purpose. */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- nothing renders from it
	#pending = new Map<string, RunProgress>();
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- nothing renders from it
	#pendingCounts = new Map<string, RunProgress & { phase: 'fetch' }>();
	#pendingTimer: ReturnType<typeof setTimeout> | undefined;

	get running(): boolean {
		return this.phase === 'running';
	}

	/**
	 * `secret` is needed when the request says `pseudonymise`: the passphrase is turned into the
	 * run's key here, once, and is kept nowhere (not in the request, the context or the task).
	 *
	 * `expectedRows`: the Aperçu's count of each file (by job id), when it has them: the bar is
	 * weighted by rows from the first second instead of when each file's first page comes.
	 */
	async start(
		request: ExtractionRequest,
		catalogue: readonly Thematic[],
		env: RunEnvironment,
		secret?: { passphrase: string },
		expectedRows?: ReadonlyMap<string, number>
	) {
		if (this.running) return;
		this.#reset();
		this.request = request;
		this.startedAt = Date.now();
		const plan = planExtraction(request, catalogue);
		const context: ExtractionContext = {
			structure: env.structure,
			userId: env.userId,
			request,
			launch: env.launch
		};
		this.files = plan.jobs.map((job) => ({
			id: job.id,
			label: job.label,
			fileName: job.fileName,
			phase: 'waiting',
			fetched: 0,
			total: expectedRows?.get(job.id) ?? null,
			retry: null,
			end: null
		}));
		const controller = new AbortController();
		this.#controller = controller;
		this.phase = 'running';
		const hooks = env.hooks ?? {};
		await safely(() => hooks.onStart?.(context, plan));

		let outcome: ExtractionOutcome | null = null;
		let failure = "L'extraction a échoué pour une raison inconnue.";
		let failed: unknown = null;
		try {
			let pseudonymKey: CryptoKey | undefined;
			if (request.pseudonymise && !controller.signal.aborted) {
				if (!secret)
					throw new Error('Phrase secrète absente : la pseudonymisation est impossible.');
				this.deriving = true;
				try {
					pseudonymKey = await derivePseudonymKey(secret.passphrase, env.structure.id);
				} finally {
					this.deriving = false;
				}
			}
			if (!controller.signal.aborted) {
				outcome = await runExtraction({
					plan,
					context,
					apiBaseUrl: env.apiBaseUrl,
					getToken: env.getToken,
					signal: controller.signal,
					...(env.pageSize === undefined ? {} : { pageSize: env.pageSize }),
					...(pseudonymKey ? { pseudonymKey } : {}),
					// A cancelled run's last messages must not paint over the next run's files.
					onProgress: (id, p) => {
						if (this.#controller === controller) this.#queueProgress(id, p);
					}
				});
			}
		} catch (error) {
			failed = error;
			if (error instanceof Error && error.message) failure = error.message;
		} finally {
			if (this.#controller === controller) {
				this.#controller = null;
				this.#flushProgress();
			}
		}

		if (controller.signal.aborted) {
			await safely(() => hooks.onCancelled?.(context));
		} else if (outcome) {
			this.outcome = outcome;
			this.#download = new ExpiringObjectUrl(outcome.blob);
			this.downloadUrl = this.#download.take();
			this.endedAt = Date.now();
			this.phase = 'done';
			const done = outcome;
			await safely(() => hooks.onDone?.(done, context));
		} else {
			this.error = failure;
			this.failure =
				failed instanceof JobFailure
					? explainFailure({
							name: failed.causeName,
							message: failed.causeMessage,
							detail: failure
						})
					: explainFailure({
							name: failed instanceof Error ? failed.name : 'Error',
							message: failure
						});
			this.#endLines(failed instanceof JobFailure ? failed.jobId : null);
			this.endedAt = Date.now();
			this.phase = 'failed';
			await safely(() => hooks.onFailed?.(failure, context));
		}
	}

	/** A URL of the ZIP that works now, for a download starting now (a new one after expiry). */
	takeDownloadUrl(): string | null {
		if (!this.#download) return null;
		this.downloadUrl = this.#download.take();
		return this.downloadUrl;
	}

	/** Revokes the ZIP's URL at once (the view ends). */
	releaseDownload(): void {
		this.#download?.revoke();
	}

	cancel() {
		if (!this.#controller) return;
		this.#controller.abort();
		this.#controller = null;
		this.#dropProgress();
		this.#endLines(null);
		this.endedAt = Date.now();
		this.phase = 'cancelled';
	}

	/** Every line of a run that did not finish says what became of its file. */
	#endLines(failedId: string | null) {
		for (const f of this.files) {
			f.retry = null;
			f.end = f.id === failedId ? 'failed' : 'stopped';
		}
	}

	#queueProgress(id: string, p: RunProgress) {
		// The last page's counts must not be lost under a later phase of the same tick.
		if (p.phase === 'fetch') this.#pendingCounts.set(id, p);
		this.#pending.set(id, p);
		// A new retry countdown shows at once; the rest waits for the next tick.
		if (p.phase === 'fetch' && p.retryInSeconds !== undefined) this.#flushProgress();
		else this.#pendingTimer ??= setTimeout(() => this.#flushProgress(), PROGRESS_INTERVAL_MS);
	}

	#flushProgress() {
		clearTimeout(this.#pendingTimer);
		this.#pendingTimer = undefined;
		for (const [id, p] of this.#pendingCounts) this.#progress(id, p);
		for (const [id, p] of this.#pending)
			if (p !== this.#pendingCounts.get(id)) this.#progress(id, p);
		this.#pending.clear();
		this.#pendingCounts.clear();
	}

	#dropProgress() {
		clearTimeout(this.#pendingTimer);
		this.#pendingTimer = undefined;
		this.#pending.clear();
		this.#pendingCounts.clear();
	}

	#progress(id: string, p: RunProgress) {
		const file = this.files.find((f) => f.id === id);
		if (!file) return;
		file.phase = p.phase;
		file.retry = null;
		if (p.phase === 'fetch') {
			file.fetched = p.fetched;
			// Null until the file's first page: the Aperçu's count stands until then.
			file.total = p.total ?? file.total;
			if (p.retryInSeconds !== undefined) {
				file.retry = { at: Date.now() + p.retryInSeconds * 1000, reason: p.retryReason ?? '' };
			}
		}
	}

	#reset() {
		this.#dropProgress();
		this.#download?.revoke();
		this.#download = null;
		this.downloadUrl = null;
		this.outcome = null;
		this.error = null;
		this.failure = null;
		this.endedAt = null;
		this.files = [];
	}
}
