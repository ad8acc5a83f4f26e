/**
 * The engine's memory is flat in the number of pages: a job of 40 pages holds no more than one
 * of 10 once each page is written (the next page in flight, one page of rows, the writer's
 * buffers), only the compressed output grows. Live memory after a full GC, in child processes:
 * deterministic, unlike timings or RSS. The writer has its own guard (xlsx-memory.test.ts); this
 * one catches the rest of the pipeline keeping pages, rows or items.
 */
import { describe, expect, it } from 'vitest';
import { runMemoryProbe } from '../helpers/memory-probe';

interface Probe {
	peakHeap: number;
	peakBuffers: number;
	output: number;
	rows: number;
	measured: number;
}

function measure(pages: number, keep = false): Promise<Probe> {
	const probe = new URL('./run-job-memory-probe.ts', import.meta.url);
	return runMemoryProbe<Probe>(probe, [String(pages), ...(keep ? ['keep'] : [])]);
}

const MB = 1 << 20;

describe('runWorkbookJob keeps no page once written', () => {
	it('200,000 appointments in 40 pages hold no more than 50,000 in 10', async () => {
		const [small, large] = [await measure(10), await measure(40)];
		expect(small.rows).toBe(50_000);
		expect(large.rows).toBe(200_000);
		expect(large.measured).toBe(40);
		// One page of 5,000 appointments is ~6 MB live: growth would show within a few pages.
		expect(large.peakHeap - small.peakHeap).toBeLessThan(8 * MB);
		expect(large.output).toBeGreaterThan(3 * small.output);
		expect(large.peakBuffers - large.output - (small.peakBuffers - small.output)).toBeLessThan(
			8 * MB
		);
	});

	it('would catch pages kept alive', async () => {
		const [small, large] = [await measure(4, true), await measure(12, true)];
		expect(large.peakHeap - small.peakHeap).toBeGreaterThan(8 * MB);
	});
});
