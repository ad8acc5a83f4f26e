import { describe, expect, it } from 'vitest';
import { hasNativeDeflateRaw } from '../../src/lib/core/xlsx/index';
import { runMemoryProbe } from '../helpers/memory-probe';

interface Probe {
	peakHeap: number;
	peakBuffers: number;
	output: number;
}

/** Live memory after a full GC between pages. */
function measure(rows: number, engine: string, keep = false): Promise<Probe> {
	const probe = new URL('./xlsx-memory-probe.ts', import.meta.url);
	return runMemoryProbe<Probe>(probe, [String(rows), engine, ...(keep ? ['keep'] : [])]);
}

const MB = 1 << 20;
const engines = hasNativeDeflateRaw() ? ['native', 'fflate'] : ['fflate'];

describe('memory stays flat in the number of rows', () => {
	it.each(engines)('%s: 200,000 rows keep no more than 50,000 rows', async (engine) => {
		const [small, large] = await Promise.all([measure(50_000, engine), measure(200_000, engine)]);
		// JS heap: no rows, no XML strings kept.
		expect(large.peakHeap - small.peakHeap).toBeLessThan(6 * MB);
		// Buffers: only the compressed output grows (the XML of 150,000 more rows is ~70 MB).
		expect(large.output).toBeGreaterThan(3 * small.output);
		expect(large.peakBuffers - large.output - (small.peakBuffers - small.output)).toBeLessThan(
			6 * MB
		);
	});

	it('would catch a writer that keeps its rows', async () => {
		const [small, large] = await Promise.all([
			measure(20_000, 'fflate', true),
			measure(60_000, 'fflate', true)
		]);
		expect(large.peakHeap - small.peakHeap).toBeGreaterThan(6 * MB);
	});
});
