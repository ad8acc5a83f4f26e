/**
 * When and how long to wait before asking the API again (SPEC §11: transient errors retried with
 * backoff, honouring Retry-After). Pure functions and one abortable sleep, so the policy is
 * tested without a network and the client can report each wait to the user.
 */

/** Statuses that say "try again later": the request was not (or not wholly) served. */
export const TRANSIENT_STATUSES: readonly number[] = [408, 429, 500, 502, 503, 504];

export interface RetryPolicy {
	/** Further attempts after the first one; 0 disables retries. */
	retries: number;
	/** Backoff ceiling of the first retry; doubles at each retry. */
	baseDelayMs: number;
	/** Largest backoff ceiling, whatever the attempt. */
	maxDelayMs: number;
	/** A longer Retry-After is shortened to this: one wait never exceeds it. */
	maxRetryAfterSeconds: number;
	/** Source of jitter in [0, 1); injected by tests. */
	random: () => number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
	retries: 4,
	baseDelayMs: 500,
	maxDelayMs: 10_000,
	maxRetryAfterSeconds: 60,
	random: Math.random
};

/** Share added at most to a Retry-After wait, so parallel workers do not come back together. */
export const RETRY_AFTER_JITTER = 0.2;

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
	const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
	return { ...policy, retries: Math.max(0, Math.floor(policy.retries)) };
}

/** What a failed attempt looked like, as far as retrying is concerned. */
export interface AttemptFailure {
	/** HTTP status, or null when no response came (network, timeout, body cut off). */
	status: number | null;
	/** Seconds the server asked to wait, if it said. */
	retryAfterSeconds: number | null;
}

/**
 * A failure worth another attempt: a transient status, or no complete response at all. A
 * request that is not idempotent (the audit POST) is replayed only when the server said it did
 * not serve it (a status), never after a lost connection that may have delivered it.
 */
export function isTransient(failure: AttemptFailure, idempotent = true): boolean {
	if (failure.status === null) return idempotent;
	return TRANSIENT_STATUSES.includes(failure.status);
}

/** Backoff ceiling of retry number `retry` (0 for the first): min(max, base · 2^retry). */
export function backoffCeilingMs(retry: number, policy: RetryPolicy): number {
	return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
}

/**
 * Wait before retry number `retry` (0 for the first). With a Retry-After: never sooner than
 * asked (capped at `maxRetryAfterSeconds`), up to 20 % later, never over the cap. Without:
 * "equal jitter", a uniform wait in [ceiling / 2, ceiling].
 */
export function retryDelayMs(failure: AttemptFailure, retry: number, policy: RetryPolicy): number {
	const asked = failure.retryAfterSeconds;
	if (asked !== null && asked > 0) {
		const capMs = policy.maxRetryAfterSeconds * 1000;
		const askedMs = Math.min(asked * 1000, capMs);
		return Math.round(Math.min(capMs, askedMs * (1 + RETRY_AFTER_JITTER * policy.random())));
	}
	const ceiling = backoffCeilingMs(retry, policy);
	return Math.round(ceiling / 2 + (ceiling / 2) * policy.random());
}

/** The wait before the next attempt, or null when the failure is final. */
export function nextRetryDelayMs(
	failure: AttemptFailure,
	retriesDone: number,
	policy: RetryPolicy,
	idempotent = true
): number | null {
	if (retriesDone >= policy.retries || !isTransient(failure, idempotent)) return null;
	return retryDelayMs(failure, retriesDone, policy);
}

function abortReason(signal: AbortSignal): unknown {
	return signal.reason ?? new DOMException('Requête annulée', 'AbortError');
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(abortReason(signal));
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortReason(signal!));
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
