// Child process of run-job-memory.test.ts: builds the RDV workbook from N pages of 5,000
// appointments served by a fake client, and prints the peak live memory seen after each page
// (after a full GC, so the figure is what the engine keeps, not what it has yet to collect).
import { launchInstant } from '../../src/lib/core/calendar';
import type { SpicoClient } from '../../src/lib/api/client';
import { STATUS_CODES, type Appointment, type Page } from '../../src/lib/contract/spico';
import type { ExtractionContext, WorkbookJob } from '../../src/lib/core/extraction/plan';
import { runWorkbookJob } from '../../src/lib/core/extraction/run-job';

const [pagesArg, keepArg] = process.argv.slice(2);
const pages = Number(pagesArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const PAGE = 5000;
// A client that kept what it served would be caught; this switch lets the test prove it.
const kept: Page<Appointment>[] = [];

function appointment(i: number): Appointment {
	const day = 1 + (i % 28);
	const month = 1 + (i % 12);
	const date = `2023-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
	return {
		id: `RDV-${i}`,
		dossierId: `DOS-${i % 9973}`,
		patient: { nom: `Nom ${i % 977}`, prenom: `Prénom ${i % 131}`, dateNaissance: '2015-06-30' },
		start: `${date}T0${8 + (i % 2)}:${String(i % 60).padStart(2, '0')}:00+01:00`,
		end: i % 7 === 0 ? null : `${date}T10:00:00+01:00`,
		type: ['Consultation', 'Bilan', 'Synthèse'][i % 3]!,
		motif: `motif ${i % 50}`,
		lieu: ['Cabinet', 'Domicile', 'École'][i % 3]!,
		professionnel: `Dr ${i % 40}`,
		statut: 'honore',
		commentaire: `commentaire ${i} `.repeat(1 + (i % 5))
	};
}

const client = {
	baseUrl: 'http://fake.invalid/',
	async *pages() {
		for (let p = 0; p < pages; p++) {
			const items = Array.from({ length: PAGE }, (_, i) => appointment(p * PAGE + i));
			const page = { items, nextCursor: p + 1 < pages ? String(p + 1) : null, total: pages * PAGE };
			if (keepArg === 'keep') kept.push(page);
			yield page;
		}
	}
} as unknown as SpicoClient;

const job: WorkbookJob = { id: 'rdv', kind: 'rdv', label: 'RDV', fileName: 'RDV.xlsx' };
const context: ExtractionContext = {
	structure: { id: 'str', name: 'Structure' },
	userId: 'u',
	request: {
		period: { from: '2023-01-01', to: '2023-12-31' },
		archived: false,
		statuses: [...STATUS_CODES],
		kinds: ['rdv'],
		forms: []
	},
	launch: launchInstant(Date.UTC(2024, 0, 31, 9))
};

let peakHeap = 0;
let peakBuffers = 0;
let measured = 0;
const built = await runWorkbookJob(job, context, client, {
	onProgress(progress) {
		// Called once a page is written: what is still alive then is what the engine holds.
		if (progress.phase !== 'fetch' || progress.fetched === 0) return;
		gc();
		const m = process.memoryUsage();
		peakHeap = Math.max(peakHeap, m.heapUsed);
		peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
		measured++;
	}
});
console.log(
	JSON.stringify({
		peakHeap,
		peakBuffers,
		output: built.size,
		rows: built.sheets[0]?.rows,
		measured
	})
);
