import { describe, expect, it } from 'vitest';
import { MAX_WORKERS, MIN_WORKERS, workerPoolSize } from '../../src/lib/engine/pool-size';

describe('workerPoolSize', () => {
	it('starts a worker per two logical cores, never fewer than 2', () => {
		expect(MIN_WORKERS).toBe(2);
		expect(workerPoolSize(1, 12)).toBe(2);
		expect(workerPoolSize(2, 12)).toBe(2);
		expect(workerPoolSize(3, 12)).toBe(2);
		// WebKit's answer on a 2-core machine.
		expect(workerPoolSize(4, 12)).toBe(2);
		expect(workerPoolSize(6, 12)).toBe(3);
		expect(workerPoolSize(7, 12)).toBe(3);
	});

	it('stops at 4 workers, whatever the machine', () => {
		expect(MAX_WORKERS).toBe(4);
		expect(workerPoolSize(8, 12)).toBe(4);
		expect(workerPoolSize(64, 12)).toBe(4);
	});

	it('starts no more workers than there are workbooks, and at least one', () => {
		expect(workerPoolSize(8, 3)).toBe(3);
		expect(workerPoolSize(8, 1)).toBe(1);
		expect(workerPoolSize(2, 1)).toBe(1);
		expect(workerPoolSize(8, 0)).toBe(1);
	});

	it('takes a missing or nonsensical core count as one core', () => {
		expect(workerPoolSize(undefined, 12)).toBe(2);
		expect(workerPoolSize(0, 12)).toBe(2);
		expect(workerPoolSize(-4, 12)).toBe(2);
		expect(workerPoolSize(Number.NaN, 12)).toBe(2);
		expect(workerPoolSize(Infinity, 12)).toBe(2);
		expect(workerPoolSize(6.5, 12)).toBe(3);
	});
});
