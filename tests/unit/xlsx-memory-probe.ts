// Child process of xlsx-memory.test.ts: writes N rows page by page and prints the peak live
// memory seen between pages (after a full GC, so the figure is what the writer keeps).
import type { Row } from '../../src/lib/core/table';
import { createWorkbook, type DeflateEngine } from '../../src/lib/core/xlsx/index';

const [rowsArg, engineArg, keepArg] = process.argv.slice(2);
const rows = Number(rowsArg);
const engine = engineArg as DeflateEngine;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const PAGE = 5000;
// A writer that kept its input would be caught; this switch lets the test prove it.
const kept: Row[][] = [];

function page(start: number): Row[] {
	const out: Row[] = [];
	for (let i = start; i < start + PAGE; i++) {
		out.push([
			i,
			`Nom ${i % 977}`,
			`Prénom ${i % 131}`,
			`19${String(40 + (i % 60))}-0${1 + (i % 9)}-1${i % 10}`,
			`rdv-${i}`,
			`2023-0${1 + (i % 9)}-2${i % 8}T1${i % 10}:${String(i % 60).padStart(2, '0')}`,
			i % 7 === 0 ? null : `2023-0${1 + (i % 9)}-2${i % 8}T1${i % 10}:59`,
			15 + (i % 8) * 15,
			['Consultation', 'Bilan', 'Synthèse'][i % 3],
			['Cabinet', 'Domicile', 'École'][i % 3],
			(i % 10000) / 100,
			`commentaire ${i} `.repeat(1 + (i % 5))
		]);
	}
	return out;
}

const wb = createWorkbook({ engine });
const sheet = wb.addSheet({
	name: 'RDV',
	columns: Array.from({ length: 12 }, (_, i) => ({
		header: `C${i}`,
		kind:
			i === 0 || i === 7 ? 'integer' : i === 3 ? 'date' : i === 5 || i === 6 ? 'datetime' : 'text',
		description: ''
	}))
});
let peakHeap = 0;
let peakBuffers = 0;
for (let start = 0; start < rows; start += PAGE) {
	const p = page(start);
	await sheet.writeRows(p);
	if (keepArg === 'keep') kept.push(p);
	gc();
	await new Promise((resolve) => setTimeout(resolve, 0));
	gc();
	const m = process.memoryUsage();
	peakHeap = Math.max(peakHeap, m.heapUsed);
	peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
}
const result = await wb.finish();
console.log(JSON.stringify({ peakHeap, peakBuffers, output: result.size, kept: kept.length }));
