/**
 * The retry policy (src/lib/api/retry.ts) on its own: which failures are retried, the backoff
 * and its jitter bounds, the Retry-After cap, the abortable wait.
 */
import { describe, expect, it } from 'vitest';
import {
	DEFAULT_RETRY_POLICY,
	TRANSIENT_STATUSES,
	backoffCeilingMs,
	isTransient,
	nextRetryDelayMs,
	retryDelayMs,
	retryPolicy,
	sleep
} from '../../src/lib/api/retry';

const fixed = (r: number) => retryPolicy({ random: () => r });
const failure = (status: number | null, retryAfterSeconds: number | null = null) => ({
	status,
	retryAfterSeconds
});

describe('which failures are transient', () => {
	it('retries 408, 429, 500, 502, 503, 504 and lost connections, nothing else', () => {
		expect([...TRANSIENT_STATUSES].sort()).toEqual([408, 429, 500, 502, 503, 504]);
		for (const status of [408, 429, 500, 502, 503, 504]) {
			expect(isTransient(failure(status)), String(status)).toBe(true);
		}
		for (const status of [400, 401, 403, 404, 409, 410, 418, 422, 501]) {
			expect(isTransient(failure(status)), String(status)).toBe(false);
		}
		expect(isTransient(failure(null))).toBe(true);
	});

	it('never replays a POST whose fate is unknown (connection lost), only refused ones', () => {
		expect(isTransient(failure(null), false)).toBe(false);
		expect(isTransient(failure(503), false)).toBe(true);
		expect(isTransient(failure(429), false)).toBe(true);
	});
});

describe('backoff with jitter', () => {
	it('doubles the ceiling at each retry up to the maximum', () => {
		const p = retryPolicy({ baseDelayMs: 500, maxDelayMs: 10_000 });
		expect([0, 1, 2, 3, 4, 5, 6].map((r) => backoffCeilingMs(r, p))).toEqual([
			500, 1000, 2000, 4000, 8000, 10_000, 10_000
		]);
	});

	it('waits between half the ceiling and the ceiling', () => {
		expect(retryDelayMs(failure(503), 2, fixed(0))).toBe(1000);
		expect(retryDelayMs(failure(503), 2, fixed(0.5))).toBe(1500);
		expect(retryDelayMs(failure(503), 2, fixed(0.999_999))).toBeCloseTo(2000, 0);
		// With the real random source, every draw stays inside the bounds.
		const p = retryPolicy();
		for (let retry = 0; retry < 8; retry++) {
			const ceiling = backoffCeilingMs(retry, p);
			for (let i = 0; i < 200; i++) {
				const d = retryDelayMs(failure(null), retry, p);
				expect(d).toBeGreaterThanOrEqual(ceiling / 2);
				expect(d).toBeLessThanOrEqual(ceiling);
			}
		}
	});

	it('spreads the waits: two clients do not come back at the same instant', () => {
		const draws = new Set(
			Array.from({ length: 50 }, () => retryDelayMs(failure(503), 3, retryPolicy()))
		);
		expect(draws.size).toBeGreaterThan(40);
	});
});

describe('Retry-After', () => {
	it('is honoured: never sooner than asked, at most 20 % later', () => {
		expect(retryDelayMs(failure(429, 2), 0, fixed(0))).toBe(2000);
		expect(retryDelayMs(failure(429, 2), 0, fixed(0.999_999))).toBeCloseTo(2400, 0);
		// It wins over a shorter backoff, and over a longer one too: the server knows best.
		expect(retryDelayMs(failure(503, 1), 6, fixed(0))).toBe(1000);
	});

	it('is capped: a longer wait is shortened to the cap, jitter included', () => {
		const cap = DEFAULT_RETRY_POLICY.maxRetryAfterSeconds * 1000;
		expect(cap).toBe(60_000);
		expect(retryDelayMs(failure(429, 3600), 0, fixed(0))).toBe(cap);
		expect(retryDelayMs(failure(429, 3600), 0, fixed(0.999))).toBe(cap);
		expect(retryDelayMs(failure(503, 55), 0, fixed(0.999))).toBe(cap);
		expect(retryDelayMs(failure(503, 55), 0, fixed(0))).toBe(55_000);
		const shortCap = retryPolicy({ maxRetryAfterSeconds: 5, random: () => 0.5 });
		expect(retryDelayMs(failure(429, 30), 0, shortCap)).toBe(5000);
	});

	it('of zero seconds falls back to the backoff', () => {
		expect(retryDelayMs(failure(503, 0), 1, fixed(0))).toBe(500);
	});
});

describe('the next attempt', () => {
	it('stops after `retries` retries, and at once for a final failure', () => {
		const p = retryPolicy({ retries: 2, random: () => 0 });
		expect(nextRetryDelayMs(failure(503), 0, p)).toBe(250);
		expect(nextRetryDelayMs(failure(503), 1, p)).toBe(500);
		expect(nextRetryDelayMs(failure(503), 2, p)).toBeNull();
		expect(nextRetryDelayMs(failure(403), 0, p)).toBeNull();
		expect(nextRetryDelayMs(failure(null), 0, p, false)).toBeNull();
		expect(nextRetryDelayMs(failure(503), 0, retryPolicy({ retries: 0 }))).toBeNull();
	});
});

describe('sleep', () => {
	it('waits, and stops at once when aborted', async () => {
		const t0 = performance.now();
		await sleep(30);
		expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
		const controller = new AbortController();
		const waiting = sleep(60_000, controller.signal);
		controller.abort();
		await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
		const aborted = AbortSignal.abort();
		await expect(sleep(10, aborted)).rejects.toMatchObject({ name: 'AbortError' });
	});
});
