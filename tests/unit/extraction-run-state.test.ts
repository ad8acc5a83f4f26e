/**
 * The run's state on the page (src/lib/state/extraction-run.svelte.ts) with the worker pool
 * replaced by a scripted one: cancel is immediate and calls `onCancelled`, never `onDone`; a
 * failure shows its message; a retry shows on its file; late progress of a cancelled run never
 * paints over the next one.
 */
import { launchInstant } from '../../src/lib/core/calendar';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STATUS_CODES } from '../../src/lib/contract/spico';
import type { JobProgress } from '../../src/lib/core/extraction/run-job';
import type { ExtractionRequest } from '../../src/lib/core/request';
import { JobFailure } from '../../src/lib/engine/job-failure';
import type { ExtractionOutcome, RunExtractionOptions } from '../../src/lib/engine/run-extraction';
import {
	ExtractionRun,
	PROGRESS_INTERVAL_MS,
	type RunHooks
} from '../../src/lib/state/extraction-run.svelte';

/** Each call to runExtraction, kept so the test can drive it. */
const calls: {
	options: RunExtractionOptions;
	resolve: (o: ExtractionOutcome) => void;
	reject: (e: unknown) => void;
}[] = [];

vi.mock('../../src/lib/engine/run-extraction', () => ({
	runExtraction: (options: RunExtractionOptions) =>
		new Promise<ExtractionOutcome>((resolve, reject) => {
			calls.push({ options, resolve, reject });
			// As the real pool does: abort ends the run at once.
			options.signal.addEventListener('abort', () =>
				reject(new DOMException('Extraction annulée', 'AbortError'))
			);
		})
}));

const REQUEST: ExtractionRequest = {
	period: { from: '2023-01-01', to: '2023-12-31' },
	archived: false,
	statuses: [...STATUS_CODES],
	kinds: ['rdv', 'hospitalisations'],
	forms: []
};

function recorder() {
	const seen: string[] = [];
	const hooks: RunHooks = {
		onStart: () => void seen.push('start'),
		onDone: () => void seen.push('done'),
		onFailed: (message) => void seen.push(`failed: ${message}`),
		onCancelled: (context) => void seen.push(`cancelled: ${context.request.period.from}`)
	};
	return { seen, hooks };
}

function env(hooks: RunHooks) {
	return {
		apiBaseUrl: 'http://api.test/api/v1',
		getToken: () => 't',
		structure: { id: 's', name: 'S' },
		userId: 'u',
		launch: launchInstant(1_704_877_200_000),
		pageSize: 250,
		hooks
	};
}

// The fake clock: the coalesced progress reaches the state exactly when its interval is over.
const settle = () => vi.advanceTimersByTimeAsync(0);
const nextTick = () => vi.advanceTimersByTimeAsync(PROGRESS_INTERVAL_MS);

beforeEach(() => {
	calls.length = 0;
	vi.useFakeTimers();
});

afterEach(() => {
	vi.useRealTimers();
});

describe('ExtractionRun, pseudonymised (SPEC §13)', () => {
	const PSEUDO: ExtractionRequest = { ...REQUEST, pseudonymise: { keepFreeText: false } };

	it('derives the key once, shows it is working meanwhile, and hands only the key to the pool', async () => {
		const run = new ExtractionRun();
		const { seen, hooks } = recorder();
		const started = run.start(PSEUDO, [], env(hooks), { passphrase: 'correct horse battery' });
		// The task first, then the derivation: the state says it is working before any worker.
		await vi.waitFor(() => expect(run.deriving).toBe(true));
		expect(seen).toEqual(['start']);
		expect(calls).toHaveLength(0);
		await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 20_000 });
		expect(run.deriving).toBe(false);
		const { options } = calls[0]!;
		expect(options.pseudonymKey).toBeInstanceOf(CryptoKey);
		expect(options.pseudonymKey!.extractable).toBe(false);
		expect(options.context.request).toEqual(PSEUDO);
		expect(JSON.stringify(options.context)).not.toContain('correct horse');
		run.cancel();
		await started;
	}, 30_000);

	it('fails with a message, and launches nothing, without a passphrase', async () => {
		const run = new ExtractionRun();
		const { seen, hooks } = recorder();
		await run.start(PSEUDO, [], env(hooks));
		expect(calls).toHaveLength(0);
		expect(run.phase).toBe('failed');
		expect(seen).toEqual([
			'start',
			'failed: Phrase secrète absente : la pseudonymisation est impossible.'
		]);
	});

	it('cancelled while deriving: no worker is started', async () => {
		const run = new ExtractionRun();
		const { seen, hooks } = recorder();
		const started = run.start(PSEUDO, [], env(hooks), { passphrase: 'correct horse battery' });
		await vi.waitFor(() => expect(run.deriving).toBe(true));
		run.cancel();
		await started;
		expect(calls).toHaveLength(0);
		expect(seen).toEqual(['start', 'cancelled: 2023-01-01']);
	}, 30_000);
});

describe('ExtractionRun', () => {
	it('cancel: phase « cancelled » at once, onCancelled called, no download', async () => {
		const run = new ExtractionRun();
		const { seen, hooks } = recorder();
		const started = run.start(REQUEST, [], env(hooks));
		await settle();
		expect(run.phase).toBe('running');
		expect(calls).toHaveLength(1);
		expect(calls[0]!.options.pageSize).toBe(250);
		expect(calls[0]!.options.context.launch).toEqual({
			ms: 1_704_877_200_000,
			today: '2024-01-10',
			wallTime: '2024-01-10T10:00:00'
		});
		run.cancel();
		// Synchronously: the page is ready for a new launch.
		expect(run.phase).toBe('cancelled');
		expect(run.running).toBe(false);
		await started;
		expect(seen).toEqual(['start', 'cancelled: 2023-01-01']);
		expect(run.downloadUrl).toBeNull();
		expect(run.outcome).toBeNull();
	});

	it('a failure: phase « failed », its message shown and given to onFailed', async () => {
		const run = new ExtractionRun();
		const { seen, hooks } = recorder();
		const started = run.start(REQUEST, [], env(hooks));
		await settle();
		calls[0]!.reject(new Error('RDV : session expirée — reconnectez-vous puis relancez.'));
		await started;
		expect(run.phase).toBe('failed');
		expect(run.error).toBe('RDV : session expirée — reconnectez-vous puis relancez.');
		expect(seen).toEqual([
			'start',
			'failed: RDV : session expirée — reconnectez-vous puis relancez.'
		]);
		expect(run.downloadUrl).toBeNull();
	});

	it('shows a retry on its file until the next progress', async () => {
		const run = new ExtractionRun();
		const started = run.start(REQUEST, [], env({}));
		await settle();
		const progress = calls[0]!.options.onProgress;
		const retry: JobProgress = {
			phase: 'fetch',
			fetched: 250,
			total: 1000,
			retryInSeconds: 2,
			retryReason: 'trop de requêtes (erreur 429)'
		};
		const before = Date.now();
		progress('rdv', retry);
		const file = run.files.find((f) => f.id === 'rdv')!;
		expect(file.retry?.reason).toBe('trop de requêtes (erreur 429)');
		expect(file.retry!.at - before).toBeGreaterThanOrEqual(2000);
		expect(file.retry!.at - before).toBeLessThan(2100);
		progress('rdv', { phase: 'fetch', fetched: 500, total: 1000 });
		await nextTick();
		expect(run.files.find((f) => f.id === 'rdv')!.retry).toBeNull();
		run.cancel();
		await started;
	});

	it('late progress of a cancelled run never reaches the next run', async () => {
		const run = new ExtractionRun();
		const first = run.start(REQUEST, [], env({}));
		await settle();
		const stale = calls[0]!.options.onProgress;
		run.cancel();
		await first;
		const second = run.start(REQUEST, [], env({}));
		await settle();
		stale('rdv', { phase: 'write' });
		await nextTick();
		expect(run.files.find((f) => f.id === 'rdv')!.phase).toBe('waiting');
		calls[1]!.options.onProgress('rdv', { phase: 'write' });
		await nextTick();
		expect(run.files.find((f) => f.id === 'rdv')!.phase).toBe('write');
		run.cancel();
		await second;
	});

	it('paints progress at most once per interval, the latest report of each file, all of it by the end', async () => {
		const run = new ExtractionRun();
		const started = run.start(REQUEST, [], env({}));
		await settle();
		const progress = calls[0]!.options.onProgress;
		const rdv = () => run.files.find((f) => f.id === 'rdv')!;
		const hospit = () => run.files.find((f) => f.id === 'hospitalisations')!;
		progress('rdv', { phase: 'fetch', fetched: 0, total: null });
		// The first report waits for the tick like the others.
		expect(rdv().phase).toBe('waiting');
		for (let page = 1; page <= 20; page++) {
			progress('rdv', { phase: 'fetch', fetched: page * 250, total: 5000 });
		}
		progress('hospitalisations', { phase: 'write' });
		expect(rdv().fetched).toBe(0);
		await nextTick();
		expect(rdv()).toMatchObject({ phase: 'fetch', fetched: 5000, total: 5000 });
		expect(hospit().phase).toBe('write');
		expect(run.percent).toBe(Math.floor((100 * (0.9 + 0.9)) / 2));
		// The last reports come just before the end: the finished screen still shows them.
		progress('rdv', { phase: 'done' });
		progress('hospitalisations', { phase: 'done' });
		calls[0]!.resolve({ zipName: 'x.zip', blob: new Blob([]), size: 0, workbooks: [] });
		await started;
		expect(run.phase).toBe('done');
		expect(run.files.map((f) => f.phase)).toEqual(['done', 'done']);
	});

	it('done: onDone called once with the outcome, a download offered', async () => {
		const run = new ExtractionRun();
		const { seen, hooks } = recorder();
		const started = run.start(REQUEST, [], env(hooks));
		await settle();
		const blob = new Blob([new Uint8Array([80, 75])]);
		calls[0]!.resolve({ zipName: 'x.zip', blob, size: 2, workbooks: [] });
		await started;
		expect(run.phase).toBe('done');
		expect(run.downloadUrl).toMatch(/^blob:/);
		expect(seen).toEqual(['start', 'done']);
		// Cancel after the end changes nothing.
		run.cancel();
		expect(run.phase).toBe('done');
	});

	it('a failed file is marked, every other line says it was interrupted, the failure is explained', async () => {
		const run = new ExtractionRun();
		const started = run.start(REQUEST, [], env({}));
		await settle();
		const progress = calls[0]!.options.onProgress;
		progress('rdv', { phase: 'fetch', fetched: 250, total: 1000 });
		progress('hospitalisations', { phase: 'fetch', fetched: 40, total: 40 });
		progress('hospitalisations', { phase: 'written' });
		const cause =
			'Le service SPICO est momentanément indisponible (erreur 503). Échec après 5 tentatives.';
		calls[0]!.reject(new JobFailure(`RDV : ${cause}`, 'rdv', 'ApiError', cause));
		await started;
		expect(run.phase).toBe('failed');
		expect(run.files.map((f) => [f.id, f.end, f.phase, f.fetched])).toEqual([
			['rdv', 'failed', 'fetch', 250],
			// Its last page's count survives the later « written » of the same tick.
			['hospitalisations', 'stopped', 'written', 40]
		]);
		expect(run.failure).toMatchObject({
			kind: 'transient',
			next: 'Réessayez dans quelques minutes.',
			detail: `RDV : ${cause}`
		});
		expect(run.endedAt).not.toBeNull();
	});

	it('after a cancel every line is stopped, none marked failed', async () => {
		const run = new ExtractionRun();
		const started = run.start(REQUEST, [], env({}));
		await settle();
		run.cancel();
		await started;
		expect(run.files.map((f) => f.end)).toEqual(['stopped', 'stopped']);
		expect(run.failure).toBeNull();
	});

	it('starts with the Aperçu’s counts as the files’ totals, so the bar is weighted at once', async () => {
		const run = new ExtractionRun();
		const started = run.start(
			REQUEST,
			[],
			env({}),
			undefined,
			new Map([
				['rdv', 900],
				['hospitalisations', 100]
			])
		);
		await settle();
		expect(run.files.map((f) => f.total)).toEqual([900, 100]);
		// Hospitalisations done (100 × 1), RDV waiting: 100 / 1,000 = 10 %.
		calls[0]!.options.onProgress('hospitalisations', { phase: 'done' });
		await nextTick();
		expect(run.percent).toBe(10);
		run.cancel();
		await started;
	});
});
