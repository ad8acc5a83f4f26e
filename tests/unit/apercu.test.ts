/**
 * The Aperçu's logic (src/lib/core/apercu.ts): the latest form only, ~500 ms after the last
 * change, superseded counts aborted; a few counts at a time, a list counted once, a failed
 * count marking its file only; the size estimate worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { STATUS_CODES, type Thematic } from '../../src/lib/contract/spico';
import {
	BYTES_PER_CELL,
	BYTES_PER_SHEET,
	BYTES_PER_WORKBOOK,
	LatestOnly,
	apercuFiles,
	countFiles,
	estimateZipBytes,
	sourceTotalKey,
	type ApercuFile,
	type Clock,
	type CountSource
} from '../../src/lib/core/apercu';
import { planExtraction } from '../../src/lib/core/extraction/plan';
import type { ExtractionRequest } from '../../src/lib/core/request';

/** A clock the test moves by hand. */
function manualClock() {
	let now = 0;
	let nextId = 1;
	const timers = new Map<number, { at: number; fn: () => void }>();
	const clock: Clock = {
		setTimeout: (fn, ms) => {
			const id = nextId++;
			timers.set(id, { at: now + ms, fn });
			return id;
		},
		clearTimeout: (h) => void timers.delete(h as number)
	};
	const advance = (ms: number) => {
		now += ms;
		for (const [id, t] of [...timers]) {
			if (t.at <= now) {
				timers.delete(id);
				t.fn();
			}
		}
	};
	return { clock, advance, pending: () => timers.size };
}

describe('LatestOnly: debounce and supersede', () => {
	it('runs once, 500 ms after the last change, with the last input', () => {
		const { clock, advance } = manualClock();
		const started: string[] = [];
		const latest = new LatestOnly<string>(async (input) => void started.push(input), { clock });
		latest.request('a'); // t = 0
		advance(300);
		latest.request('b'); // t = 300: a's timer dropped
		advance(499); // t = 799: b is due at 800
		expect(started).toEqual([]);
		advance(1); // t = 800
		expect(started).toEqual(['b']);
		advance(5_000);
		expect(started).toEqual(['b']);
	});

	it('aborts the task in flight when a newer input arrives, and on null', () => {
		const { clock, advance, pending } = manualClock();
		const signals: [string, AbortSignal][] = [];
		const latest = new LatestOnly<string>(
			(input, signal) => {
				signals.push([input, signal]);
				return new Promise(() => {}); // a count that never answers
			},
			{ clock }
		);
		latest.request('a');
		advance(500);
		expect(signals.map(([i]) => i)).toEqual(['a']);
		expect(signals[0]![1].aborted).toBe(false);
		latest.request('b');
		expect(signals[0]![1].aborted).toBe(true);
		advance(500);
		expect(signals[1]![1].aborted).toBe(false);
		latest.request(null); // the form became invalid
		expect(signals[1]![1].aborted).toBe(true);
		expect(pending()).toBe(0);
		advance(1_000);
		expect(signals).toHaveLength(2);
	});
});

const REQUEST: ExtractionRequest = {
	period: { from: '2023-01-01', to: '2023-12-31' },
	archived: false,
	statuses: [...STATUS_CODES],
	kinds: ['administratif', 'rdv', 'thematiques', 'statuts'],
	forms: [
		{ thematicId: 't1', formId: 'f1' },
		{ thematicId: 't1', formId: 'f2' }
	]
};

const CATALOGUE: Thematic[] = [
	{
		id: 't1',
		label: 'Plateforme TND',
		forms: [
			{ id: 'f1', label: 'Entrée', fields: [{ id: 'a', label: 'A', type: 'text' }] },
			{ id: 'f2', label: 'Sortie', fields: [{ id: 'b', label: 'B', type: 'text' }] }
		]
	}
] as Thematic[];

const TOTALS: Record<string, number> = {
	dossiers: 120,
	appointments: 900,
	'responses/f1': 30,
	'responses/f2': 12
};
const keyOf = (s: CountSource) => (s.formId ? `${s.list}/${s.formId}` : s.list);

describe('countFiles', () => {
	const files = apercuFiles(planExtraction(REQUEST, CATALOGUE));

	it('sums a thematic’s forms and asks each list once', async () => {
		const asked: string[] = [];
		const counts = await countFiles(files, {
			signal: new AbortController().signal,
			count: async (s) => {
				asked.push(keyOf(s));
				return TOTALS[keyOf(s)]!;
			}
		});
		expect(counts).toEqual([
			{ id: 'administratif', rows: 120 },
			{ id: 'rdv', rows: 900 },
			{ id: 'statuts', rows: 120 },
			{ id: 'thematiques:t1', rows: 42 }
		]);
		// dossiers serves administratif and statuts: 4 requests, not 5.
		expect(asked.sort()).toEqual(['appointments', 'dossiers', 'responses/f1', 'responses/f2']);
	});

	it('keeps at most `concurrency` counts in flight', async () => {
		let inFlight = 0;
		let most = 0;
		await countFiles(files, {
			signal: new AbortController().signal,
			concurrency: 2,
			count: async (s) => {
				inFlight++;
				most = Math.max(most, inFlight);
				await new Promise((r) => setTimeout(r, 5));
				inFlight--;
				return TOTALS[keyOf(s)]!;
			}
		});
		expect(most).toBe(2);
	});

	it('a failed count marks its file only', async () => {
		const seen: string[] = [];
		const counts = await countFiles(files, {
			signal: new AbortController().signal,
			count: async (s) => {
				if (s.formId === 'f2') throw new Error('Le service SPICO est indisponible');
				return TOTALS[keyOf(s)]!;
			},
			onFile: (c) => seen.push(c.id)
		});
		expect(counts.find((c) => c.id === 'thematiques:t1')).toEqual({
			id: 'thematiques:t1',
			rows: null,
			error: 'Le service SPICO est indisponible'
		});
		expect(counts.filter((c) => c.rows !== null)).toHaveLength(3);
		expect(seen.sort()).toEqual(['administratif', 'rdv', 'statuts', 'thematiques:t1']);
	});

	it('an abort rejects and reports nothing more', async () => {
		const controller = new AbortController();
		const seen: string[] = [];
		const running = countFiles(files, {
			signal: controller.signal,
			concurrency: 1,
			count: (s, signal) =>
				new Promise((resolve, reject) => {
					signal.addEventListener('abort', () => reject(signal.reason));
					setTimeout(() => resolve(TOTALS[keyOf(s)]!), 20);
				}),
			onFile: (c) => seen.push(c.id)
		});
		controller.abort();
		await expect(running).rejects.toBeDefined();
		expect(seen).toEqual([]);
	});
});

describe('estimateZipBytes', () => {
	it('is each list’s total × the columns it fills × bytes per cell, plus each workbook’s frame', () => {
		const files: ApercuFile[] = [
			{
				id: 'rdv',
				label: 'RDV',
				fileName: 'RDV.xlsx',
				sources: [{ list: 'appointments', columns: 15 }],
				sheets: 1
			},
			{
				id: 'thematiques:t1',
				label: 'T',
				fileName: 't.xlsx',
				sources: [
					{ list: 'responses', formId: 'f1', columns: 10 },
					{ list: 'responses', formId: 'f2', columns: 40 }
				],
				sheets: 2
			}
		];
		// RDV: 1,000 × 15 × 2.6 + 6,000 + 1 × 2,500 = 47,500.
		// Thematic: 100 × 10 × 2.6 + 10 × 40 × 2.6 + 6,000 + 2 × 2,500 = 2,600 + 1,040 + 11,000
		// = 14,640. Together 62,140.
		expect(BYTES_PER_CELL).toBe(2.6);
		expect(BYTES_PER_WORKBOOK).toBe(6_000);
		expect(BYTES_PER_SHEET).toBe(2_500);
		const totals = new Map([
			[sourceTotalKey({ list: 'appointments' }), 1000],
			[sourceTotalKey({ list: 'responses', formId: 'f1' }), 100],
			[sourceTotalKey({ list: 'responses', formId: 'f2' }), 10]
		]);
		expect(estimateZipBytes(files, totals)).toBe(62_140);
		totals.delete(sourceTotalKey({ list: 'responses', formId: 'f2' }));
		expect(estimateZipBytes(files, totals)).toBeNull();
	});

	it('weighs statuts by both its sheets, and a thematic by each form’s own width', () => {
		const files = apercuFiles(planExtraction(REQUEST, CATALOGUE));
		const statuts = files.find((f) => f.id === 'statuts')!;
		expect(statuts.sources).toHaveLength(1);
		expect(statuts.sources[0]!.columns).toBeGreaterThan(20);
		expect(statuts.sheets).toBe(2);
		const thematic = files.find((f) => f.id === 'thematiques:t1')!;
		expect(thematic.sources.map((s) => s.formId)).toEqual(['f1', 'f2']);
	});
});
