/**
 * The progress panel's arithmetic (src/lib/core/extraction/progress.ts), with numbers worked by
 * hand: the overall bar weighs each file by its rows, and the time left follows the pace so far.
 */
import { describe, expect, it } from 'vitest';
import {
	fileFraction,
	fileWeights,
	formatDuration,
	overallFraction,
	timeLeftMs,
	type FileWork
} from '../../src/lib/core/extraction/progress';

const fetching = (fetched: number, total: number | null): FileWork => ({
	phase: 'fetch',
	fetched,
	total
});

describe('overall fraction weighted by rows', () => {
	it('a file of 9,000 rows counts nine times one of 1,000', () => {
		// RDV 9,000 rows, half read: 0.9 × 4,500 / 9,000 = 0.45 of its work.
		// Hospitalisations 1,000 rows, all read and closed (written): 0.95.
		// Overall: (9,000 × 0.45 + 1,000 × 0.95) / 10,000 = (4,050 + 950) / 10,000 = 0.5.
		const files = [fetching(4500, 9000), { phase: 'written', fetched: 1000, total: 1000 } as const];
		expect(overallFraction(files)).toBeCloseTo(0.5, 10);
		// Weighed equally, as before, it would have said (0.45 + 0.95) / 2 = 0.7.
		expect(overallFraction(files)).not.toBeCloseTo(0.7, 2);
	});

	it('a file with no total yet weighs the mean of the known ones', () => {
		// Known: 300 and 100 → mean 200. Unknown file: weight 200, fraction 0.
		// (300 × 0.9 × 150/300 + 100 × 1 + 200 × 0) / 600 = (135 + 100) / 600 = 0.391666…
		const files: FileWork[] = [
			fetching(150, 300),
			{ phase: 'done', fetched: 100, total: 100 },
			{ phase: 'waiting', fetched: 0, total: null }
		];
		expect(fileWeights(files)).toEqual([300, 100, 200]);
		expect(overallFraction(files)).toBeCloseTo(235 / 600, 10);
	});

	it('an empty file weighs 1 and counts as read once its first page says 0', () => {
		expect(fileWeights([fetching(0, 0)])).toEqual([1]);
		expect(fileFraction(fetching(0, 0))).toBe(0.9);
		// Nothing known at all: every file weighs 1.
		expect(fileWeights([fetching(0, null), fetching(0, null)])).toEqual([1, 1]);
		expect(overallFraction([])).toBe(0);
	});

	it('goes through the phases in order and ends at 1', () => {
		const phases = ['waiting', 'fetch', 'write', 'written', 'zip', 'done'] as const;
		const values = phases.map((phase) => fileFraction({ phase, fetched: 10, total: 10 }));
		expect(values).toEqual([0, 0.9, 0.9, 0.95, 0.95, 1]);
		// More rows than announced (data added during the run) never passes the fetch share.
		expect(fileFraction(fetching(12, 10))).toBe(0.9);
	});
});

describe('time left', () => {
	it('is elapsed × (1 − f) / f once the run has some history', () => {
		// 30 s for a quarter: 30 × 0.75 / 0.25 = 90 s left.
		expect(timeLeftMs(30_000, 0.25)).toBe(90_000);
		// 10 s for 80 %: 10 × 0.2 / 0.8 = 2.5 s.
		expect(timeLeftMs(10_000, 0.8)).toBeCloseTo(2_500, 6);
		expect(timeLeftMs(5_000, 1)).toBe(0);
	});

	it('is not guessed in the first seconds or the first percents', () => {
		expect(timeLeftMs(1_999, 0.5)).toBeNull();
		expect(timeLeftMs(60_000, 0.02)).toBeNull();
	});

	it('reads as seconds, minutes or hours, rounded up', () => {
		expect(formatDuration(0)).toBe('0 s');
		expect(formatDuration(44_100)).toBe('45 s');
		expect(formatDuration(125_000)).toBe('2 min 05 s');
		expect(formatDuration(3_780_000)).toBe('1 h 03 min');
	});
});
