/**
 * The audit trail (SPEC §8): every extraction that finishes, fails or is cancelled is reported to
 * `POST /structures/{sid}/extraction-events` — who, which filters, which files with how many
 * rows, the outcome, start and end. Never patient data: ids, counts and the filters only.
 *
 * The event is first written to an outbox in IndexedDB, then sent; a failed call stays in the
 * outbox and is sent again later (backoff in this tab, then at each start-up and hourly), under
 * the same `id`, which the platform uses to record it once. Nothing here waits in the user's way.
 */
import { ContractError, type ExtractionEvent } from '../contract/spico';
import type { ExtractionRequest } from '../core/request';
import { FILE_KIND_INFO } from '../core/file-kinds';
import { shortReason } from './reason';
import type { TasksDatabase } from './db';
import type { TaskScope } from './model';

export interface AuditSender {
	recordExtraction(structureId: string, event: ExtractionEvent): Promise<void>;
}

/** Where a finished run's event goes: the outbox, or straight to the API without one. */
export interface AuditRecorder {
	/** Never rejects: the audit never stands in the user's way. */
	record(event: ExtractionEvent): Promise<void>;
}

/** No IndexedDB (the task list is unavailable): one direct attempt with the client's retries. */
export function directAudit(sender: AuditSender, structureId: string): AuditRecorder {
	return {
		async record(event) {
			try {
				await sender.recordExtraction(structureId, event);
			} catch {
				// Nothing more can be done without storage; the download is not affected.
			}
		}
	};
}

export interface AuditInput {
	id: string;
	userId: string;
	request: ExtractionRequest;
	outcome: ExtractionEvent['outcome'];
	reason?: string;
	files: { name: string; rows: number }[];
	startedAt: number;
	endedAt: number;
}

/** The event as the contract wants it. The request's fields are copied one by one, by name. */
export function buildAuditEvent(input: AuditInput): ExtractionEvent {
	const { request } = input;
	const files = request.kinds.map((k) => FILE_KIND_INFO[k].auditKey);
	return {
		id: input.id,
		userId: input.userId,
		filters: {
			from: request.period.from,
			to: request.period.to,
			archived: request.archived,
			statuses: [...request.statuses],
			files,
			forms: request.kinds.includes('thematiques') ? request.forms.map((f) => f.formId) : []
		},
		files: input.files.map((f) => ({ name: f.name, rows: f.rows })),
		pseudonymised: request.pseudonymise !== undefined,
		outcome: input.outcome,
		...(input.reason === undefined ? {} : { reason: shortReason(input.reason) }),
		startedAt: new Date(input.startedAt).toISOString(),
		endedAt: new Date(input.endedAt).toISOString()
	};
}

/** Refusals that a new attempt cannot change: the event itself is invalid. */
function isPermanent(error: unknown): boolean {
	if (error instanceof ContractError) return true;
	const status = (error as { status?: unknown } | null)?.status;
	return status === 400 || status === 422;
}

export interface AuditOptions {
	now?: () => number;
	/** Waits between attempts in this tab, in ms; the last one repeats until the hourly pass. */
	retryDelays?: readonly number[];
	/** Runs `fn` after `ms`; returns its cancel. Injected by tests; default setTimeout. */
	schedule?: (fn: () => void, ms: number) => () => void;
}

export interface FlushResult {
	sent: number;
	failed: number;
	dropped: number;
}

const DEFAULT_DELAYS = [2_000, 15_000, 60_000, 300_000] as const;

export class AuditTrail implements AuditRecorder {
	readonly #db: TasksDatabase;
	readonly #scope: TaskScope;
	readonly #sender: AuditSender;
	readonly #now: () => number;
	readonly #delays: readonly number[];
	#flushing: Promise<FlushResult> | null = null;
	#again = false;
	#failures = 0;
	readonly #schedule: (fn: () => void, ms: number) => () => void;
	#cancelRetry: (() => void) | null = null;
	#stopped = false;

	constructor(
		db: TasksDatabase,
		scope: TaskScope,
		sender: AuditSender,
		options: AuditOptions = {}
	) {
		this.#db = db;
		this.#scope = { userId: scope.userId, structureId: scope.structureId };
		this.#sender = sender;
		this.#now = options.now ?? Date.now;
		this.#delays = options.retryDelays ?? DEFAULT_DELAYS;
		this.#schedule =
			options.schedule ??
			((fn, ms) => {
				const timer = setTimeout(fn, ms);
				return () => clearTimeout(timer);
			});
	}

	/**
	 * Queues the event and starts sending it; resolves once it is queued (or, when IndexedDB
	 * refuses it, once a direct attempt has been made). Never rejects.
	 */
	async record(event: ExtractionEvent): Promise<void> {
		try {
			await this.#db.audit.put({
				id: event.id ?? crypto.randomUUID(),
				...this.#scope,
				event,
				createdAt: this.#now(),
				attempts: 0,
				lastError: null
			});
		} catch {
			// No outbox (storage refused): one direct attempt, with the client's own retries.
			try {
				await this.#sender.recordExtraction(this.#scope.structureId, event);
			} catch {
				// Nothing more can be done from here; the download is not affected.
			}
			return;
		}
		void this.flush();
	}

	/** Sends what waits in the outbox for this user and structure. Never rejects. */
	flush(): Promise<FlushResult> {
		if (this.#flushing) {
			this.#again = true;
			return this.#flushing;
		}
		const run = (async () => {
			let total: FlushResult = { sent: 0, failed: 0, dropped: 0 };
			do {
				this.#again = false;
				const r = await this.#flushOnce();
				total = {
					sent: total.sent + r.sent,
					failed: r.failed,
					dropped: total.dropped + r.dropped
				};
			} while (this.#again && !this.#stopped);
			return total;
		})();
		this.#flushing = run;
		void run.finally(() => {
			this.#flushing = null;
		});
		return run;
	}

	/** Number of events waiting for this user and structure. */
	pending(): Promise<number> {
		return this.#db.audit
			.where('[userId+structureId]')
			.equals([this.#scope.userId, this.#scope.structureId])
			.count();
	}

	stop(): void {
		this.#stopped = true;
		this.#cancelRetry?.();
		this.#cancelRetry = null;
	}

	async #flushOnce(): Promise<FlushResult> {
		const result: FlushResult = { sent: 0, failed: 0, dropped: 0 };
		let waiting;
		try {
			waiting = await this.#db.audit
				.where('[userId+structureId]')
				.equals([this.#scope.userId, this.#scope.structureId])
				.sortBy('createdAt');
		} catch {
			return result;
		}
		for (const record of waiting) {
			if (this.#stopped) break;
			try {
				await this.#sender.recordExtraction(this.#scope.structureId, record.event);
				await this.#db.audit.delete(record.id).catch(() => {});
				result.sent++;
			} catch (error) {
				if (isPermanent(error)) {
					await this.#db.audit.delete(record.id).catch(() => {});
					result.dropped++;
				} else {
					result.failed++;
					const message = error instanceof Error ? error.message : String(error);
					await this.#db.audit
						.update(record.id, { attempts: record.attempts + 1, lastError: message })
						.catch(() => {});
				}
			}
		}
		this.#retryLater(result.failed > 0);
		return result;
	}

	#retryLater(failed: boolean): void {
		this.#cancelRetry?.();
		this.#cancelRetry = null;
		if (!failed) {
			this.#failures = 0;
			return;
		}
		if (this.#stopped) return;
		const delay = this.#delays[Math.min(this.#failures, this.#delays.length - 1)];
		this.#failures++;
		if (delay === undefined) return;
		this.#cancelRetry = this.#schedule(() => {
			this.#cancelRetry = null;
			void this.flush();
		}, delay);
	}
}
