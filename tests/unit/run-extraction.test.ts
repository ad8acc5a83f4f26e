/**
 * The worker pool (src/lib/engine/run-extraction.ts) with fake workers: comlink over a Node
 * MessageChannel, each job scripted to succeed, fail, crash its worker or hang. What matters:
 * a failure names its file, every worker is terminated, nothing is returned half-built, and
 * cancelling ends the run at once in any phase.
 */
import { launchInstant } from '../../src/lib/core/calendar';
import { expose } from 'comlink';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STATUS_CODES } from '../../src/lib/contract/spico';
import type { ExtractionContext, ExtractionPlan } from '../../src/lib/core/extraction/plan';
import type { JobProgress } from '../../src/lib/core/extraction/run-job';
import { fileError, runExtraction, type RunProgress } from '../../src/lib/engine/run-extraction';
import type { SealedWorkbook } from '../../src/lib/core/extraction/sealed-workbook';

// Node has no ErrorEvent; the pool reads `message` from it as a browser gives it.
class FakeErrorEvent extends Event {
	readonly message: string;
	constructor(type: string, init: { message?: string } = {}) {
		super(type, { cancelable: true });
		this.message = init.message ?? '';
	}
}

type Behaviour = 'ok' | 'reject' | 'crash' | 'reject-in-worker' | 'hang';

interface FakeWorker {
	worker: Worker;
	terminated: boolean;
}

const PLAN: ExtractionPlan = {
	zipName: 'Generic_extractions_brutes_01012023_31122023.zip',
	jobs: [
		{
			id: 'administratif',
			kind: 'administratif',
			label: 'Données administratives',
			fileName: 'a.xlsx'
		},
		{ id: 'rdv', kind: 'rdv', label: 'RDV', fileName: 'RDV.xlsx' },
		{
			id: 'hospitalisations',
			kind: 'hospitalisations',
			label: 'Hospitalisations',
			fileName: 'h.xlsx'
		}
	]
};

const CONTEXT: ExtractionContext = {
	structure: { id: 's', name: 'S' },
	userId: 'u',
	request: {
		period: { from: '2023-01-01', to: '2023-12-31' },
		archived: false,
		statuses: [...STATUS_CODES],
		kinds: ['administratif', 'rdv', 'hospitalisations'],
		forms: []
	},
	launch: launchInstant(Date.UTC(2024, 0, 10, 9))
};

function built(jobId: string): SealedWorkbook {
	return {
		jobId,
		fileName: `${jobId}.xlsx`,
		label: jobId,
		blob: new Blob([new Uint8Array([1, 2, 3])]),
		crc: 0x55bc801d,
		size: 3,
		sheets: [],
		items: 0,
		warnings: [],
		cutCells: 0,
		issues: { unknownChoiceCodes: 0, mismatchedValues: 0 },
		dataChanged: null,
		countMismatch: null
	};
}

let workers: FakeWorker[];

/** Calls received by the fake workers, awaited by the tests instead of polling or sleeping. */
const callWaiters: { method: string; jobId?: string; resolve: () => void }[] = [];
function callReached(method: string, jobId?: string): Promise<void> {
	return new Promise((resolve) => callWaiters.push({ method, jobId, resolve }));
}
function noteCall(method: string, jobId?: string): void {
	for (const w of [...callWaiters]) {
		if (w.method !== method || (w.jobId !== undefined && w.jobId !== jobId)) continue;
		callWaiters.splice(callWaiters.indexOf(w), 1);
		w.resolve();
	}
}
let zipCalls: { mtime: number | undefined; files: unknown[]; terminatedBefore: number }[];

/** A worker whose API runs each job as `script` says; `zip` may hang. */
function fakeWorkers(script: Record<string, Behaviour>, zip: 'ok' | 'hang' = 'ok') {
	return () => {
		const { port1, port2 } = new MessageChannel();
		const fake: FakeWorker = { worker: null as unknown as Worker, terminated: false };
		const never = new Promise<never>(() => {});
		expose(
			{
				async runWorkbookJob(
					{ job }: { job: { id: string } },
					page: { onProgress: (p: JobProgress) => void }
				) {
					noteCall('runWorkbookJob', job.id);
					await page.onProgress({ phase: 'fetch', fetched: 0, total: null });
					// The next turn of the event loop: the jobs interleave as real ones do.
					await new Promise((r) => setImmediate(r));
					switch (script[job.id] ?? 'ok') {
						case 'ok':
							return built(job.id);
						case 'reject':
							throw new Error('Le service SPICO est momentanément indisponible (erreur 503).');
						case 'reject-in-worker':
							throw new RangeError('Array buffer allocation failed');
						case 'crash':
							// What a browser does when the worker's code throws outside comlink.
							port1.dispatchEvent(
								new FakeErrorEvent('error', { message: 'Uncaught Error: panne simulée' })
							);
							return never;
						case 'hang':
							return never;
					}
				},
				async zipWorkbooks(files: unknown[], mtime?: number) {
					const terminatedBefore = workers.filter((w) => w.terminated).length;
					zipCalls.push({ mtime, files, terminatedBefore });
					noteCall('zipWorkbooks');
					if (zip === 'hang') return never;
					return { blob: new Blob([new Uint8Array([80, 75])]), size: 2 };
				}
			},
			port2
		);
		fake.worker = Object.assign(port1, {
			terminate() {
				fake.terminated = true;
				port1.close();
				port2.close();
			}
		}) as unknown as Worker;
		workers.push(fake);
		return fake.worker;
	};
}

function run(
	createWorker: () => Worker,
	signal = new AbortController().signal,
	onProgress = (_id: string, _p: RunProgress) => {}
) {
	return runExtraction({
		plan: PLAN,
		context: CONTEXT,
		apiBaseUrl: 'http://api.test/api/v1',
		getToken: () => 't',
		onProgress,
		signal,
		createWorker
	});
}

beforeEach(() => {
	workers = [];
	zipCalls = [];
	// 6 logical cores reported: 3 workers (one per two cores, pool-size.ts).
	vi.stubGlobal('navigator', { hardwareConcurrency: 6 });
	vi.stubGlobal('ErrorEvent', FakeErrorEvent);
});
afterEach(() => {
	vi.unstubAllGlobals();
	for (const w of workers) if (!w.terminated) w.worker.terminate();
});

describe('runExtraction', () => {
	it('builds every file, zips them with the page clock, then ends every worker', async () => {
		const phases: string[] = [];
		const outcome = await run(fakeWorkers({}), undefined, (id, p) =>
			phases.push(`${id}:${p.phase}`)
		);
		expect(outcome.zipName).toBe(PLAN.zipName);
		expect(outcome.workbooks.map((w) => w.jobId)).toEqual([
			'administratif',
			'rdv',
			'hospitalisations'
		]);
		expect(outcome.size).toBe(2);
		expect(outcome.blob.size).toBe(2);
		expect(zipCalls.map((c) => c.mtime)).toEqual([CONTEXT.launch.ms]);
		expect(phases.filter((p) => p.endsWith(':done'))).toHaveLength(3);
		expect(workers).toHaveLength(3);
		expect(workers.every((w) => w.terminated)).toBe(true);
	});

	it('ends each idle worker at once; the last one zips Blobs, never the bytes themselves', async () => {
		await run(fakeWorkers({}));
		const [call] = zipCalls;
		// The two workers done first were ended before the third zipped.
		expect(call?.terminatedBefore).toBe(2);
		expect(call?.files).toHaveLength(3);
		for (const file of call?.files ?? []) {
			expect(Object.keys(file as object).sort()).toEqual(['blob', 'crc', 'fileName', 'size']);
			expect((file as { blob: unknown }).blob).toBeInstanceOf(Blob);
		}
	});

	it('a failed file fails the run with its name; the others are stopped; nothing is done', async () => {
		const phases: string[] = [];
		const error = await run(
			fakeWorkers({ rdv: 'reject', administratif: 'hang', hospitalisations: 'hang' }),
			undefined,
			(id, p) => phases.push(`${id}:${p.phase}`)
		).catch((e: unknown) => e);
		expect((error as Error).message).toBe(
			'RDV : Le service SPICO est momentanément indisponible (erreur 503).'
		);
		expect(workers.every((w) => w.terminated)).toBe(true);
		expect(zipCalls).toEqual([]);
		expect(phases.some((p) => p.endsWith(':zip') || p.endsWith(':done'))).toBe(false);
	});

	it('a worker that crashes fails its file with a message, and the others are stopped', async () => {
		const error = await run(
			fakeWorkers({ hospitalisations: 'crash', administratif: 'hang', rdv: 'hang' })
		).catch((e: unknown) => e);
		expect((error as Error).message).toBe(
			"Hospitalisations : Le processus de calcul de ce fichier s'est arrêté (Uncaught Error: panne simulée)."
		);
		expect(workers.every((w) => w.terminated)).toBe(true);
		expect(zipCalls).toEqual([]);
	});

	it('an allocation failure inside a worker is that file’s failure too', async () => {
		const error = await run(fakeWorkers({ administratif: 'reject-in-worker' })).catch(
			(e: unknown) => e
		);
		expect((error as Error).message).toBe(
			'Données administratives : Array buffer allocation failed'
		);
		expect(workers.every((w) => w.terminated)).toBe(true);
	});

	it.each(['fetch', 'zip'] as const)(
		'cancelling during %s rejects at once, terminates every worker, returns nothing',
		async (phase) => {
			const controller = new AbortController();
			const script: Record<string, Behaviour> =
				phase === 'fetch' ? { rdv: 'hang' } : { rdv: 'ok', administratif: 'ok' };
			// Cancelled once the worker holds the job that hangs, or the files to zip.
			const reached =
				phase === 'zip' ? callReached('zipWorkbooks') : callReached('runWorkbookJob', 'rdv');
			const pending = run(fakeWorkers(script, 'hang'), controller.signal);
			await reached;
			const t0 = performance.now();
			controller.abort();
			await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
			expect(performance.now() - t0).toBeLessThan(100);
			expect(workers.every((w) => w.terminated)).toBe(true);
			expect(zipCalls).toHaveLength(phase === 'zip' ? 1 : 0);
		}
	);
});

describe('fileError', () => {
	it('names the file and keeps the cause word for word', () => {
		expect(
			fileError('RDV', new Error('Session expirée — reconnectez-vous puis relancez.')).message
		).toBe('RDV : Session expirée — reconnectez-vous puis relancez.');
		expect(fileError('RDV', 'x').message).toBe('RDV : Erreur inattendue, sans détail.');
	});
});
