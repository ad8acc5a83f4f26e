/**
 * `npm run bench`: a full extraction in headless Chromium against the sandbox, at each scale.
 *
 * For each scale: the sandbox in its own process, the built app on a static server, then, in a
 * fresh browser each time, alternately
 *   - the fetch-only floor: the same pages fetched, parsed and validated in a pool of workers
 *     sized like the engine's, nothing written;
 *   - the extraction itself, driven through the UI: every file, every thematic and form, Statuts,
 *     the whole period of the data; timed from the click on « Lancer les extractions » to the
 *     ZIP being handed to the download;
 * and once a cancelled run (Annuler clicked at about half way) for the input delay. Memory is the
 * sampled RSS and PSS of all Chromium processes and the JS heaps of the page and its workers; CPU
 * is read per process from /proc (Chromium's tree by process type, and the sandbox).
 *
 * Usage: npm run bench -- [--scales small,medium,large] [--repeats 3,3,2] [--skip-build]
 *        [--skip-cancel] [--profile] [--out bench/results/e2e.json]
 *        [--browser chromium,firefox,webkit] [--rounds N] [--off-the-record]
 * `--browser` (default chromium): Firefox ESR and WebKitGTK run the same extraction and floor
 * with fewer measures (bench/lib/engines/other-engines.ts); a table with a row per engine follows.
 * `--rounds N` (instead of repeats): N rounds of one run per engine in turn, each engine's
 * « × Chromium » being the median of its ratios to Chromium's run of the same round.
 * Chromium runs on a profile of its own on disk, as staff's browsers do; `--off-the-record` uses
 * an incognito-like context instead, whose IndexedDB (the Tâches copy) and Blobs stay in memory.
 * `--profile` builds the app unminified and saves a CPU profile of each worker of the first
 * extraction run (bench/results/profile-<scale>-*.cpuprofile) with a summary in the JSON.
 * `--floor-only <limit>` (diagnostics) runs only the floor, with pages of that size.
 * The time of the other tenants of the machine is in the JSON (`otherCpuSeconds`): the noise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveApp } from '../harness/serve-app';
import { keepNoResponseBodies } from './lib/devtools-buffers';
import {
	BUILD_DIR,
	FROM,
	MAX_PERIOD_YEARS,
	profiling,
	RESULTS_DIR,
	TO,
	TOKEN,
	values,
	scales,
	repeatList
} from './lib/e2e-config';
import { buildAll } from './lib/build';
import { startSandbox, planFor } from './lib/sandbox-process';
import { cancelRun, extractionRun, floorJobs, floorRun, median } from './lib/runs';
import type { Env } from './lib/watch';
import { STATUS_CODES } from '../src/lib/contract/spico';
import {
	benchEngineScale,
	enginesTable,
	mergeEngineRounds,
	type EngineBenchEnv,
	type EngineScaleResult,
	type OtherEngine
} from './lib/engines/other-engines';

const engines = values.browser.split(',') as ('chromium' | OtherEngine)[];
for (const engine of engines) {
	if (!['chromium', 'firefox', 'webkit'].includes(engine)) throw new Error(`--browser ${engine} ?`);
}
// With --rounds N, each round runs every engine once in turn (Chromium, then the others), so
// that each engine is compared with Chromium's run of its own round.
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${values.rounds} ?`);

// --- Main --------------------------------------------------------------------------------------------

type ExtractionResult = Awaited<ReturnType<typeof extractionRun>>;
type FloorRunResult = Awaited<ReturnType<typeof floorRun>>;

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
type Plan = Awaited<ReturnType<typeof planFor>>;

/** One scale's sandbox and the built app served against it, for `work`; both closed after. */
async function withBenchApp<T>(
	scale: string,
	work: (bench: Plan & { sandbox: Sandbox; appUrl: string }) => Promise<T>
): Promise<T> {
	const sandbox = await startSandbox(scale);
	let app: Server | undefined;
	try {
		const planned = await planFor(sandbox.url);
		app = await serveApp(
			BUILD_DIR,
			{ apiBaseUrl: sandbox.url, token: TOKEN, maxPeriodYears: MAX_PERIOD_YEARS },
			sandbox.origin
		);
		const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
		return await work({ ...planned, sandbox, appUrl });
	} finally {
		if (app) {
			app.closeAllConnections();
			await new Promise<void>((r) => app!.close(() => r()));
		}
		sandbox.stop();
	}
}

function benchScale(scale: (typeof scales)[number], repeats: number, withCancel: boolean) {
	return withBenchApp(scale, async ({ appUrl, sandbox, plan, structureId }) => {
		const env: Env = { appUrl, sandbox, plan, structureId };
		// Warms the sandbox (scope, totals, page cache) so that neither side pays it alone.
		const warm = await floorRun(env);
		console.log(`${scale}: warm-up floor ${(warm.ms / 1000).toFixed(2)} s`);
		if (values['floor-only']) {
			for (let i = 0; i < repeats; i++) {
				const f = await floorRun(env);
				const { results: _r, ...rest } = f;
				console.log(JSON.stringify(rest));
			}
			return null;
		}
		const floors: FloorRunResult[] = [];
		const runs: ExtractionResult[] = [];
		for (let i = 0; i < repeats; i++) {
			const floor = await floorRun(env);
			floors.push(floor);
			const run = await extractionRun(env, scale, i);
			runs.push(run);
			const floorItems = floor.results.reduce((a, r) => a + r.items, 0);
			if (floorItems !== run.items) {
				throw new Error(`floor read ${floorItems} items, the extraction ${run.items}`);
			}
			console.log(
				`${scale} #${i + 1}: extraction ${(run.e2eMs / 1000).toFixed(2)} s, floor ` +
					`${(floor.ms / 1000).toFixed(2)} s (×${(run.e2eMs / floor.ms).toFixed(2)}), ` +
					`${run.chromium.rssMb} MB RSS / ${run.chromium.pssMb} MB PSS, heaps ${run.heaps.totalMb} MB, ` +
					`longest task ${run.longestTaskMs} ms, ZIP ${(run.zipBytes / 1e6).toFixed(1)} MB`
			);
		}
		const cancel = withCancel ? await cancelRun(env, median(runs.map((r) => r.e2eMs))) : undefined;
		if (cancel === null) {
			console.log(`${scale} cancel: the run ended before Annuler was pressed`);
		} else if (cancel) {
			console.log(
				`${scale} cancel at ${cancel.atPercent} %: input delay ${cancel.inputDelayMs} ms, ` +
					`notice after ${cancel.noticeShownMs} ms (painted ${cancel.noticePaintedMs} ms)`
			);
		}
		return summarise(scale, repeats, runs, floors.map(storedFloor), cancel);
	});
}

/** Medians of a scale's runs and floors (all of them, whatever rounds they came from). */
function summarise(
	scale: string,
	repeats: number,
	runs: ExtractionResult[],
	floors: StoredFloor[],
	cancel: Awaited<ReturnType<typeof cancelRun>> | undefined
) {
	const e2eMs = median(runs.map((r) => r.e2eMs));
	const floorMs = median(floors.map((f) => f.ms));
	return {
		scale,
		repeats,
		items: runs[0]!.items,
		cells: runs[0]!.cells,
		median: {
			e2eMs,
			floorMs: Math.round(floorMs),
			ratio: +(e2eMs / floorMs).toFixed(2),
			/** Each run over the floor measured just before it, then the median of those. */
			pairedRatio: +median(runs.map((r, i) => r.e2eMs / floors[i]!.ms)).toFixed(2),
			/** CPU of Chromium and the sandbox, extraction over floor: what 2 cores must share. */
			cpuRatio: +median(runs.map((r, i) => cpuOf(r) / cpuOf(floors[i]!))).toFixed(2),
			/** Peak of the sum of PSS over all Chromium processes, and before the click. */
			pssMb: median(runs.map((r) => r.chromium.pssMb)),
			idlePssMb: median(runs.map((r) => r.chromium.basePssMb)),
			/** Peak PSS of the largest process: the app's renderer (page and workers). */
			rendererMb: median(runs.map(largestProcessMb)),
			floorPssMb: median(floors.map((f) => f.chromium.pssMb)),
			floorRendererMb: median(floors.map(largestProcessMb)),
			/** Sum of RSS: counts the shared pages (the binary) once per process. */
			rssSumMb: median(runs.map((r) => r.chromium.rssMb)),
			heapsMb: median(runs.map((r) => r.heaps.totalMb)),
			heapsCommittedMb: median(runs.map((r) => r.heaps.committedMb)),
			longestTaskMs: Math.max(...runs.map((r) => r.longestTaskMs)),
			cellsPerSecond: median(runs.map((r) => r.cellsPerSecond)),
			writerCellsPerSecond: median(runs.map((r) => r.writerCellsPerSecond)),
			zipMb: +(median(runs.map((r) => r.zipBytes)) / 1e6).toFixed(1),
			cpuSeconds: {
				renderer: median(runs.map((r) => r.chromiumCpuByType['renderer'] ?? 0)),
				mainThread: median(runs.map((r) => r.mainThreadSeconds)),
				chromium: median(runs.map((r) => r.chromium.cpuSeconds)),
				sandbox: median(runs.map((r) => r.sandbox.cpuSeconds)),
				otherTenants: median(runs.map((r) => r.otherCpuSeconds)),
				floorRenderer: median(floors.map((f) => f.chromiumCpuByType['renderer'] ?? 0)),
				floorChromium: median(floors.map((f) => f.chromium.cpuSeconds)),
				floorSandbox: median(floors.map((f) => f.sandbox.cpuSeconds))
			}
		},
		cancel,
		runs,
		floors
	};
}

/** A floor as the JSON keeps it: its jobs' timings, rounded. */
type StoredFloor = Omit<FloorRunResult, 'results'> & { jobs: FloorRunResult['results'] };

function storedFloor({ results, ...floor }: FloorRunResult): StoredFloor {
	return { ...floor, jobs: results.map((r) => ({ ...r, ms: Math.round(r.ms) })) };
}

type ChromiumResult = ReturnType<typeof summarise>;

/** One scale's rounds of one engine, as one result: every run and floor, medians over them. */
function mergeChromium(rounds: ChromiumResult[]): ChromiumResult {
	const first = rounds[0]!;
	if (rounds.length === 1) return first;
	const cancel = rounds.map((r) => r.cancel).find((c) => c !== undefined);
	return summarise(
		first.scale,
		rounds.length,
		rounds.flatMap((r) => r.runs),
		rounds.flatMap((r) => r.floors),
		cancel
	);
}

/** Firefox or WebKit at one scale: the same sandbox, app, floor and extraction. */
function benchOtherScale(engine: OtherEngine, scale: string, repeats: number) {
	return withBenchApp(scale, async ({ appUrl, sandbox, plan, structureId }) => {
		const query = { from: FROM, to: TO, archived: true, statuses: [...STATUS_CODES] };
		const env: EngineBenchEnv = {
			appUrl,
			sandbox,
			floor: {
				base: { apiBaseUrl: sandbox.url, token: TOKEN, structureId, query },
				jobs: floorJobs(plan)
			},
			period: { from: FROM, to: TO, archived: true }
		};
		return benchEngineScale(engine, scale, repeats, env);
	});
}

function cpuOf(r: { chromium: { cpuSeconds: number }; sandbox: { cpuSeconds: number } }): number {
	return r.chromium.cpuSeconds + r.sandbox.cpuSeconds;
}

function largestProcessMb(r: { chromium: { timeline: [number, number, number, number][] } }) {
	return Math.max(0, ...r.chromium.timeline.map((t) => t[2]));
}

function table(results: NonNullable<Awaited<ReturnType<typeof benchScale>>>[]): string {
	const head = [
		'scale',
		'cells',
		'e2e s',
		'floor s',
		'×floor',
		'CPU ×floor',
		'PSS MB (idle)',
		'renderer MB',
		'heaps MB',
		'task ms',
		'main s',
		'cancel ms',
		'Mcells/s',
		'writer Mc/s',
		'ZIP MB'
	];
	const rows = results.map((r) => [
		r.scale,
		`${(r.cells / 1e6).toFixed(2)} M`,
		(r.median.e2eMs / 1000).toFixed(2),
		(r.median.floorMs / 1000).toFixed(2),
		r.median.pairedRatio.toFixed(2),
		r.median.cpuRatio.toFixed(2),
		`${Math.round(r.median.pssMb)} (${Math.round(r.median.idlePssMb)})`,
		String(Math.round(r.median.rendererMb)),
		String(Math.round(r.median.heapsMb)),
		String(r.median.longestTaskMs),
		r.median.cpuSeconds.mainThread.toFixed(2),
		r.cancel
			? `${r.cancel.inputDelayMs} / ${r.cancel.noticePaintedMs}`
			: r.cancel === null
				? 'ended first'
				: '—',
		(r.median.cellsPerSecond / 1e6).toFixed(2),
		(r.median.writerCellsPerSecond / 1e6).toFixed(2),
		r.median.zipMb.toFixed(1)
	]);
	const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
	const line = (cells: string[]) =>
		'| ' +
		cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') +
		' |';
	return [
		line(head),
		'|' +
			widths
				.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':'))
				.join('|') +
			'|',
		...rows.map(line)
	].join('\n');
}

keepNoResponseBodies();
await buildAll();
const results: NonNullable<Awaited<ReturnType<typeof benchScale>>>[] = [];
const engineResults: EngineScaleResult[] = [];
for (const [i, scale] of scales.entries()) {
	const repeats = rounds > 1 ? 1 : (repeatList[i] ?? repeatList[repeatList.length - 1] ?? 1);
	const chromiumRounds: ChromiumResult[] = [];
	const otherRounds = new Map<OtherEngine, EngineScaleResult[]>();
	for (let round = 0; round < rounds; round++) {
		if (rounds > 1) console.log(`${scale}: round ${round + 1} of ${rounds}`);
		for (const engine of engines) {
			if (engine !== 'chromium') {
				const list = otherRounds.get(engine) ?? [];
				list.push(await benchOtherScale(engine, scale, repeats));
				otherRounds.set(engine, list);
				continue;
			}
			const withCancel = !values['skip-cancel'] && round === rounds - 1;
			const result = await benchScale(scale, repeats, withCancel);
			if (result) chromiumRounds.push(result);
		}
	}
	if (chromiumRounds.length) results.push(mergeChromium(chromiumRounds));
	for (const list of otherRounds.values()) {
		const merged = mergeEngineRounds(list);
		if (rounds > 1 && chromiumRounds.length === list.length) {
			const ratios = list.map((r, k) => r.runs[0]!.ms / chromiumRounds[k]!.runs[0]!.e2eMs);
			merged.median.vsChromium = +median(ratios).toFixed(2);
		}
		engineResults.push(merged);
	}
}
if (values['floor-only']) process.exit(0);
const report = {
	date: new Date().toISOString(),
	node: process.version,
	cores: (await import('node:os')).cpus().length,
	period: { from: FROM, to: TO },
	profiled: profiling,
	results,
	engines: engineResults
};
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(values.out, JSON.stringify(report, null, '\t') + '\n');
if (results.length) console.log(`\n${table(results)}`);
if (engineResults.length) {
	const rows = [
		...results.map((r) => ({
			engine: 'chromium',
			scale: r.scale,
			e2eMs: r.median.e2eMs,
			floorMs: r.median.floorMs,
			ratio: r.median.pairedRatio,
			cpuRatio: r.median.cpuRatio,
			pssMb: r.median.pssMb,
			idlePssMb: r.median.idlePssMb,
			zipMb: r.median.zipMb
		})),
		...engineResults.map((r) => ({
			engine: r.engine,
			scale: r.scale,
			...r.median,
			ratio: r.median.pairedRatio
		}))
	];
	console.log(`\n${enginesTable(rows)}`);
}
console.log(`\n→ ${values.out}`);
