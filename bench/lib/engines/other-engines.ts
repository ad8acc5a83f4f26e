/**
 * `npm run bench -- --browser firefox|webkit`: the same extraction and the same fetch-only floor
 * as the Chromium bench, in Firefox ESR or WebKitGTK, driven through harness/engines/.
 * What these engines let us measure from outside: the end-to-end time (click on « Lancer les
 * extractions » → the ZIP's download link clicked, both timed in the page), the floor (the same
 * floor worker in a pool sized like the engine's), the CPU and the peak PSS of the browser's
 * process tree from /proc (Firefox: firefox and its content processes; WebKit: WebKitWebDriver,
 * MiniBrowser and its web and network processes, not Xvfb), and the sandbox's CPU. No heaps,
 * long tasks or per-file timings: those come from the DevTools protocol, Chromium's only.
 *
 * Self-contained: bench/e2e.ts hands it the sandbox, the app and the floor's jobs.
 */
import type { DriverPage, EngineBrowser } from '../../../harness/engines/driver';
import { fillEverythingIn, launchEngine, LAUNCH } from '../../../harness/engines/form';
import type { FloorJob, FloorRequest } from '../../floor.worker';
import { workerPoolSize } from '../../../src/lib/engine/pool-size';
import { cpuSeconds, TreeSampler } from '../processes';

export type OtherEngine = 'firefox' | 'webkit';

export interface EngineBenchEnv {
	appUrl: string;
	sandbox: { url: string; pid: number };
	/** The floor's requests but the job, and the jobs. */
	floor: { base: Omit<FloorRequest, 'job'>; jobs: FloorJob[] };
	period: { from: string; to: string; archived: boolean };
}

export interface EngineRun {
	ms: number;
	browserCpuSeconds: number;
	sandboxCpuSeconds: number;
	pssMb: number;
	idlePssMb: number;
	rssMb: number;
}

/** One workbook's timings as its worker measured them (run-job.ts `JobTimings`). */
export interface EngineJob {
	jobId: string;
	items: number;
	timings: { waitMs: number; mapMs: number; writeMs: number; finishMs: number; totalMs: number };
	/** When the page received it, ms after the click. */
	at: number;
}

export interface EngineExtractionRun extends EngineRun {
	zipBytes: number;
	jobs: EngineJob[];
}

/** In the page, after load: when Lancer was clicked, when the ZIP's link was, the ZIP's size. */
const PROBE = `(() => {
	if (window.__ebBench) return true;
	const b = (window.__ebBench = { launch: null, download: null, zipBytes: null });
	document.addEventListener('click', (e) => {
		const el = e.target instanceof Element ? e.target.closest('button, a') : null;
		if (!el) return;
		if (el.textContent.trim().startsWith('Lancer les extractions')) b.launch ??= performance.now();
		if (el.matches('a[download]')) b.download ??= performance.now();
	}, true);
	// Each built workbook's timings, as comlink carries it back (counts and durations only).
	b.jobs = [];
	const NativeWorker = window.Worker;
	window.Worker = class extends NativeWorker {
		constructor(url, opts) {
			super(url, opts);
			this.addEventListener('message', (e) => {
				const v = e.data && e.data.value;
				if (v && typeof v === 'object' && typeof v.jobId === 'string' && v.timings) {
					b.jobs.push({ jobId: v.jobId, items: v.items, timings: v.timings, at: performance.now() });
				}
			});
		}
	};
	const create = URL.createObjectURL;
	URL.createObjectURL = function (object) {
		if (object instanceof Blob && object.size > (b.zipBytes ?? 0)) b.zipBytes = object.size;
		return create.call(URL, object);
	};
	return true;
})()`;

/** The floor, as bench/e2e.ts runs it in Chromium: a pool of floor workers over the jobs. */
const floorExpression = (
	jobs: FloorJob[],
	base: Omit<FloorRequest, 'job'>,
	size: number
) => `(async () => {
	const jobs = ${JSON.stringify(jobs)};
	const base = ${JSON.stringify(base)};
	const size = ${size};
	const queue = [...jobs];
	let items = 0;
	const t0 = performance.now();
	await Promise.all(Array.from({ length: size }, async () => {
		const worker = new Worker('/__bench/floor.js', { type: 'module' });
		try {
			for (let job = queue.shift(); job; job = queue.shift()) {
				const result = await new Promise((resolve, reject) => {
					worker.onmessage = (e) => (e.data.ok ? resolve(e.data.result) : reject(new Error(e.data.error)));
					worker.onerror = (e) => reject(new Error(e.message));
					worker.postMessage({ ...base, job });
				});
				items += result.items;
			}
		} finally {
			worker.terminate();
		}
	}));
	return { ms: performance.now() - t0, items, workers: size };
})()`;

async function withPage<T>(
	engine: OtherEngine,
	env: EngineBenchEnv,
	work: (page: DriverPage, browser: EngineBrowser) => Promise<T>
): Promise<T> {
	const browser = await launchEngine(engine);
	try {
		const page = await browser.newPage();
		await page.goto(env.appUrl);
		await page.waitFor(`!!document.querySelector('form, button')`, 30_000, 'la page');
		return await work(page, browser);
	} finally {
		await browser.close();
	}
}

/** Samples the browser's tree and the sandbox's CPU around `work`. */
async function measured<T>(
	browser: EngineBrowser,
	env: EngineBenchEnv,
	work: () => Promise<T>
): Promise<{ value: T } & Omit<EngineRun, 'ms'>> {
	if (browser.pid === null) throw new Error(`${browser.engine} : processus inconnu`);
	const tree = new TreeSampler(browser.pid);
	const sandboxCpu = cpuSeconds(env.sandbox.pid);
	tree.start();
	let value: T;
	try {
		value = await work();
	} catch (error) {
		tree.stop();
		throw error;
	}
	const memory = tree.stop();
	return {
		value,
		browserCpuSeconds: memory.cpuSeconds,
		sandboxCpuSeconds: +(cpuSeconds(env.sandbox.pid) - sandboxCpu).toFixed(2),
		pssMb: memory.pssMb,
		idlePssMb: memory.basePssMb,
		rssMb: memory.rssMb
	};
}

export function engineFloorRun(
	engine: OtherEngine,
	env: EngineBenchEnv
): Promise<EngineRun & { items: number }> {
	return withPage(engine, env, async (page, browser) => {
		// The engine's own rule for its pool, from what this browser says of its cores.
		const size = workerPoolSize(
			await page.evaluate<number>('navigator.hardwareConcurrency'),
			env.floor.jobs.length
		);
		const { value, ...resources } = await measured(browser, env, () =>
			page.evaluate<{ ms: number; items: number }>(
				floorExpression(env.floor.jobs, env.floor.base, size)
			)
		);
		return { ms: Math.round(value.ms), items: value.items, ...resources };
	});
}

export function engineExtractionRun(
	engine: OtherEngine,
	env: EngineBenchEnv
): Promise<EngineExtractionRun> {
	return withPage(engine, env, async (page, browser) => {
		await fillEverythingIn(page, env.period);
		await page.evaluate(PROBE);
		const { value, ...resources } = await measured(browser, env, async () => {
			await page.click(LAUNCH);
			await page.waitFor('window.__ebBench.download !== null', 30 * 60_000, 'le ZIP');
			return page.evaluate<{
				launch: number;
				download: number;
				zipBytes: number;
				jobs: EngineJob[];
			}>('window.__ebBench');
		});
		if (page.consoleErrors.length) {
			throw new Error(`${engine} : erreurs de console : ${page.consoleErrors.join(' | ')}`);
		}
		return {
			ms: Math.round(value.download - value.launch),
			zipBytes: value.zipBytes,
			jobs: value.jobs.map((j) => ({ ...j, at: Math.round(j.at - value.launch) })),
			...resources
		};
	});
}

export interface EngineScaleResult {
	engine: OtherEngine;
	version: string;
	scale: string;
	repeats: number;
	median: {
		e2eMs: number;
		floorMs: number;
		/** Each run over the floor measured just before it, then the median. */
		pairedRatio: number;
		/** CPU of the browser and the sandbox, extraction over floor. */
		cpuRatio: number;
		pssMb: number;
		idlePssMb: number;
		zipMb: number;
		/**
		 * With `--rounds`: the median over the rounds of this engine's e2e over Chromium's in the
		 * same round (runs minutes apart compare badly on a machine whose speed drifts).
		 */
		vsChromium?: number;
	};
	runs: EngineExtractionRun[];
	floors: (EngineRun & { items: number })[];
}

const median = (xs: number[]): number => {
	const s = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const cpuOf = (r: EngineRun) => r.browserCpuSeconds + r.sandboxCpuSeconds;

/** Floor then extraction, `repeats` times, each in a fresh browser. */
export async function benchEngineScale(
	engine: OtherEngine,
	scale: string,
	repeats: number,
	env: EngineBenchEnv
): Promise<EngineScaleResult> {
	const probe = await launchEngine(engine);
	const version = probe.version;
	await probe.close();
	// Warms the sandbox (scope, totals, page cache), and says how many items every floor reads.
	const warm = await engineFloorRun(engine, env);
	const expectedItems = warm.items;
	console.log(`${engine} ${scale}: ${version}, warm-up floor ${(warm.ms / 1000).toFixed(2)} s`);
	const floors: EngineScaleResult['floors'] = [];
	const runs: EngineExtractionRun[] = [];
	for (let i = 0; i < repeats; i++) {
		const floor = await engineFloorRun(engine, env);
		if (floor.items !== expectedItems) {
			throw new Error(`${engine} floor read ${floor.items} items, ${expectedItems} expected`);
		}
		floors.push(floor);
		const run = await engineExtractionRun(engine, env);
		runs.push(run);
		const sum = (k: keyof EngineJob['timings']) =>
			(run.jobs.reduce((a, j) => a + j.timings[k], 0) / 1000).toFixed(2);
		console.log(
			`${engine} ${scale} #${i + 1}: workers' time in s: waiting for pages ${sum('waitMs')}, ` +
				`mapping ${sum('mapMs')}, writing ${sum('writeMs')}, closing ${sum('finishMs')}`
		);
		console.log(
			`${engine} ${scale} #${i + 1}: extraction ${(run.ms / 1000).toFixed(2)} s, floor ` +
				`${(floor.ms / 1000).toFixed(2)} s (×${(run.ms / floor.ms).toFixed(2)}), ` +
				`${run.pssMb} MB PSS (idle ${run.idlePssMb}), ZIP ${(run.zipBytes / 1e6).toFixed(1)} MB`
		);
	}
	return summariseEngine(engine, version, scale, runs, floors);
}

/** Medians over an engine's runs and floors at one scale, whatever rounds they came from. */
function summariseEngine(
	engine: OtherEngine,
	version: string,
	scale: string,
	runs: EngineExtractionRun[],
	floors: EngineScaleResult['floors']
): EngineScaleResult {
	return {
		engine,
		version,
		scale,
		repeats: runs.length,
		median: {
			e2eMs: median(runs.map((r) => r.ms)),
			floorMs: median(floors.map((f) => f.ms)),
			pairedRatio: +median(runs.map((r, i) => r.ms / floors[i]!.ms)).toFixed(2),
			cpuRatio: +median(runs.map((r, i) => cpuOf(r) / cpuOf(floors[i]!))).toFixed(2),
			pssMb: median(runs.map((r) => r.pssMb)),
			idlePssMb: median(runs.map((r) => r.idlePssMb)),
			zipMb: +(median(runs.map((r) => r.zipBytes)) / 1e6).toFixed(1)
		},
		runs,
		floors
	};
}

/** One row per engine and scale: `e2e vs Chromium` when Chromium ran at that scale. */
/** One engine's rounds at one scale, as one result. */
export function mergeEngineRounds(rounds: EngineScaleResult[]): EngineScaleResult {
	const first = rounds[0]!;
	if (rounds.length === 1) return first;
	return summariseEngine(
		first.engine,
		first.version,
		first.scale,
		rounds.flatMap((r) => r.runs),
		rounds.flatMap((r) => r.floors)
	);
}

export function enginesTable(
	rows: {
		engine: string;
		scale: string;
		e2eMs: number;
		floorMs: number;
		ratio: number;
		cpuRatio: number;
		pssMb: number;
		idlePssMb: number;
		zipMb: number;
		vsChromium?: number;
	}[]
): string {
	const chromium = new Map(rows.filter((r) => r.engine === 'chromium').map((r) => [r.scale, r]));
	const head = [
		'engine',
		'scale',
		'e2e s',
		'floor s',
		'×floor',
		'CPU ×floor',
		'PSS MB (idle)',
		'× Chromium e2e',
		'ZIP MB'
	];
	const body = rows.map((r) => {
		const c = chromium.get(r.scale);
		return [
			r.engine,
			r.scale,
			(r.e2eMs / 1000).toFixed(2),
			(r.floorMs / 1000).toFixed(2),
			r.ratio.toFixed(2),
			r.cpuRatio.toFixed(2),
			`${Math.round(r.pssMb)} (${Math.round(r.idlePssMb)})`,
			r.vsChromium !== undefined
				? r.vsChromium.toFixed(2)
				: c
					? (r.e2eMs / c.e2eMs).toFixed(2)
					: '—',
			r.zipMb.toFixed(1)
		];
	});
	const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
	const line = (cells: string[]) =>
		'| ' +
		cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') +
		' |';
	const rule =
		'|' +
		widths.map((w, i) => (i < 2 ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') +
		'|';
	return [line(head), rule, ...body.map(line)].join('\n');
}
