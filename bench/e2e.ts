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
 * is read per process (Chromium's own accounting, /proc for the sandbox).
 *
 * Usage: npm run bench -- [--scales small,medium,large] [--repeats 3,3,2] [--skip-build]
 *        [--skip-cancel] [--profile] [--out bench/results/e2e.json]
 *        [--browser chromium,firefox,webkit]
 * `--browser` (default chromium): Firefox ESR and WebKitGTK run the same extraction and floor
 * with fewer measures (bench/lib/engines/other-engines.ts); a table with a row per engine follows.
 * `--profile` builds the app unminified and saves a CPU profile of each worker of the first
 * extraction run (bench/results/profile-<scale>-*.cpuprofile) with a summary in the JSON.
 * `--floor-only <limit>` (diagnostics) runs only the floor, with pages of that size.
 * The time of the other tenants of the machine is in the JSON (`otherCpuSeconds`): the noise.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { createSpicoClient } from '../src/lib/api/client';
import { everythingRequest, fillEverything } from '../tests/helpers/form-driver';
import { STATUS_CODES, type Thematic } from '../src/lib/contract/spico';
import { pageLimitOf } from '../src/lib/core/datasets/index';
import { datasetOf, planExtraction, type ExtractionPlan } from '../src/lib/core/extraction/plan';
import { serveApp } from '../tests/e2e/global-setup';
import { collectConsoleErrors, launchBrowser, newContext } from '../tests/e2e/harness';
import type { FloorJob, FloorRequest, FloorResult } from './floor.worker';
import { keepNoResponseBodies } from './lib/devtools-buffers';
import {
	benchEngineScale,
	enginesTable,
	type EngineBenchEnv,
	type EngineScaleResult,
	type OtherEngine
} from './lib/engines/other-engines';
import { HeapSampler, installProbe, readProbe, type ProbeData } from './lib/page-probe';
import { cpuSeconds, rssKb, TreeSampler } from './lib/processes';
import { summariseProfile, type CpuProfile } from './lib/profile';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const BUILD_DIR = join(ROOT, 'build');
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const TOKEN = 'sandbox-alice';
// The whole span of the sandbox's data (2019 → mid-2026), archived dossiers included: the
// largest extraction of a structure; the config allows 10 years.
const FROM = '2019-01-01';
const TO = '2026-06-30';
const MAX_PERIOD_YEARS = 10;

const { values } = parseArgs({
	options: {
		scales: { type: 'string', default: 'small,medium,large' },
		repeats: { type: 'string', default: '3,3,2' },
		'skip-build': { type: 'boolean', default: false },
		'skip-cancel': { type: 'boolean', default: false },
		profile: { type: 'boolean', default: false },
		/** Diagnostics: only the floor, with this page size. */
		'floor-only': { type: 'string' },
		out: { type: 'string', default: join(RESULTS_DIR, 'e2e.json') },
		browser: { type: 'string', default: 'chromium' }
	}
});
const engines = values.browser.split(',') as ('chromium' | OtherEngine)[];
for (const engine of engines) {
	if (!['chromium', 'firefox', 'webkit'].includes(engine)) throw new Error(`--browser ${engine} ?`);
}
const scales = values.scales.split(',') as ('small' | 'medium' | 'large')[];
const repeatList = values.repeats.split(',').map(Number);
const profiling = values.profile;

// --- Building -------------------------------------------------------------------------------------

function run(cmd: string, args: string[]): Promise<void> {
	return new Promise((done, fail) => {
		const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		let log = '';
		child.stdout.on('data', (c: Buffer) => (log += c.toString()));
		child.stderr.on('data', (c: Buffer) => (log += c.toString()));
		child.on('close', (code) =>
			code === 0 ? done() : fail(new Error(`${cmd} ${args.join(' ')}:\n${log.slice(-4000)}`))
		);
	});
}

async function buildAll(): Promise<void> {
	if (!values['skip-build']) {
		const t = performance.now();
		// Unminified when profiling, so that the profile names the functions.
		await run('npx', ['vite', 'build', ...(profiling ? ['--minify', 'false'] : [])]);
		console.log(`vite build: ${((performance.now() - t) / 1000).toFixed(1)} s`);
	}
	await build({
		configFile: false,
		logLevel: 'warn',
		build: {
			outDir: join(BUILD_DIR, '__bench'),
			emptyOutDir: true,
			minify: !profiling,
			target: 'esnext',
			lib: {
				entry: join(ROOT, 'bench', 'floor.worker.ts'),
				formats: ['es'],
				fileName: () => 'floor.js'
			}
		}
	});
}

// --- Sandbox and app --------------------------------------------------------------------------------

interface Sandbox {
	url: string;
	origin: string;
	pid: number;
	stop: () => void;
}

function startSandbox(scale: string): Promise<Sandbox> {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			['--import', 'tsx', 'sandbox/cli.ts', '--scale', scale, '--port', '0'],
			{ cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }
		);
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const m = /: (http:\/\/127\.0\.0\.1:\d+)(\/api\/v1)/.exec(out);
			if (m?.[1] && m[2]) {
				resolve({
					url: m[1] + m[2],
					origin: m[1],
					pid: child.pid!,
					stop: () => child.kill('SIGTERM')
				});
			}
		});
		child.on('exit', (code) => reject(new Error(`sandbox exited (${code})`)));
	});
}

async function planFor(apiUrl: string): Promise<{
	plan: ExtractionPlan;
	structureId: string;
	catalogue: Thematic[];
}> {
	const client = createSpicoClient({ baseUrl: apiUrl, getToken: () => TOKEN });
	const me = await client.me();
	if (me.account.type !== 'structure') throw new Error(`${TOKEN}: compte structure attendu`);
	const catalogue = await client.thematics(me.account.structureId);
	const request = everythingRequest(catalogue, { from: FROM, to: TO, archived: true });
	return {
		plan: planExtraction(request, catalogue),
		structureId: me.account.structureId,
		catalogue
	};
}

// --- Browser runs -------------------------------------------------------------------------------------

async function browserPid(browser: Browser): Promise<number> {
	const session = await browser.newBrowserCDPSession();
	const info = await session.send('SystemInfo.getProcessInfo');
	await session.detach();
	const main = info.processInfo.find((p) => p.type === 'browser');
	if (!main) throw new Error('no browser process');
	return main.id;
}

interface Env {
	appUrl: string;
	sandbox: Sandbox;
	plan: ExtractionPlan;
	structureId: string;
}

async function openPage(browser: Browser, env: Env) {
	const context = await newContext(browser);
	// tsx names functions through a `__name` helper that serialised functions do not carry.
	await context.addInitScript('globalThis.__name ??= (f) => f;');
	await context.addInitScript(installProbe, { holdWorkers: profiling });
	const page = await context.newPage();
	const errors = collectConsoleErrors(page);
	await page.goto(env.appUrl);
	await page.getByRole('button', { name: 'Lancer les extractions' }).waitFor();
	return { page, errors };
}

interface Watch {
	stop(): Promise<{
		chromium: {
			rssMb: number;
			pssMb: number;
			basePssMb: number;
			cpuSeconds: number;
			peakBreakdown: { type: string; pssMb: number }[];
			peakLargest: Record<string, number>;
			baseBreakdown: { type: string; pssMb: number }[];
			timeline: [number, number, number, number][];
		};
		chromiumCpuByType: Record<string, number>;
		heaps: { pageMb: number; totalMb: number; committedMb: number; workerPeaksMb: number[] };
		sandbox: { cpuSeconds: number; rssMb: number };
		otherCpuSeconds: number;
	}>;
	heap: HeapSampler;
}

/** CPU seconds of each Chromium process type, from the browser itself. */
async function cpuByType(browser: Browser): Promise<Map<number, { type: string; cpu: number }>> {
	const session = await browser.newBrowserCDPSession();
	try {
		const info = await session.send('SystemInfo.getProcessInfo');
		return new Map(info.processInfo.map((p) => [p.id, { type: p.type, cpu: p.cpuTime }]));
	} finally {
		await session.detach();
	}
}

/** Busy CPU seconds of the whole machine (all tenants), from /proc/stat. */
function machineBusySeconds(): number {
	const fields = readFileSync('/proc/stat', 'utf8')
		.split('\n')[0]!
		.trim()
		.split(/\s+/)
		.slice(1)
		.map(Number);
	// user nice system idle iowait irq softirq steal
	const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
	return (fields.slice(0, 8).reduce((a, b) => a + b, 0) - idle) / 100;
}

async function watch(page: Page, pid: number, sandboxPid: number): Promise<Watch> {
	const browser = page.context().browser()!;
	const cpuStart = await cpuByType(browser);
	const machineStart = machineBusySeconds();
	const benchStart = process.cpuUsage();
	const heap = await HeapSampler.attach(page, { profile: profiling });
	heap.start();
	const tree = new TreeSampler(pid);
	tree.start();
	const sandboxStartCpu = cpuSeconds(sandboxPid);
	let sandboxRss = 0;
	const rssTimer = setInterval(() => (sandboxRss = Math.max(sandboxRss, rssKb(sandboxPid))), 200);
	return {
		heap,
		async stop() {
			clearInterval(rssTimer);
			const heaps = await heap.stop();
			const chromium = tree.stop();
			const cpuEnd = await cpuByType(browser);
			const byType: Record<string, number> = {};
			for (const [id, end] of cpuEnd) {
				const delta = end.cpu - (cpuStart.get(id)?.cpu ?? 0);
				byType[end.type] = +((byType[end.type] ?? 0) + delta).toFixed(2);
			}
			const bench = process.cpuUsage(benchStart);
			const sandboxCpu = +(cpuSeconds(sandboxPid) - sandboxStartCpu).toFixed(2);
			const machine = machineBusySeconds() - machineStart;
			const mine = chromium.cpuSeconds + sandboxCpu + (bench.user + bench.system) / 1e6;
			return {
				chromium: {
					rssMb: chromium.rssMb,
					pssMb: chromium.pssMb,
					basePssMb: chromium.basePssMb,
					cpuSeconds: chromium.cpuSeconds,
					peakBreakdown: chromium.peakBreakdown,
					peakLargest: chromium.peakLargest,
					baseBreakdown: chromium.baseBreakdown,
					timeline: chromium.timeline
				},
				chromiumCpuByType: byType,
				heaps,
				sandbox: { cpuSeconds: sandboxCpu, rssMb: Math.round(sandboxRss / 1024) },
				/** CPU the rest of the machine (other tenants) used meanwhile: the noise. */
				otherCpuSeconds: +Math.max(0, machine - mine).toFixed(2)
			};
		}
	};
}

/** The pages the engine asks for: same lists, same page sizes. */
function floorJobs(plan: ExtractionPlan): FloorJob[] {
	return plan.jobs.map((job) => {
		const dataset = datasetOf(job);
		const limit = Number(values['floor-only'] ?? 0) || pageLimitOf(dataset);
		const sources =
			dataset.list === 'responses'
				? dataset.formIds.map((formId) => ({ list: dataset.list, formId, limit }))
				: [{ list: dataset.list, limit }];
		return { id: job.id, sources };
	});
}

async function floorRun(env: Env) {
	const browser = await launchBrowser();
	try {
		const pid = await browserPid(browser);
		const { page, errors } = await openPage(browser, env);
		const w = await watch(page, pid, env.sandbox.pid);
		const requests: Omit<FloorRequest, 'job'> = {
			apiBaseUrl: env.sandbox.url,
			token: TOKEN,
			structureId: env.structureId,
			query: {
				from: FROM,
				to: TO,
				archived: true,
				statuses: [...STATUS_CODES]
			}
		};
		const result = await page.evaluate(
			async ({ jobs, base }) => {
				const size = Math.max(1, Math.min(navigator.hardwareConcurrency, jobs.length));
				const queue = [...jobs];
				const results: FloorResult[] = [];
				const t0 = performance.now();
				await Promise.all(
					Array.from({ length: size }, async () => {
						const worker = new Worker('/__bench/floor.js', { type: 'module' });
						try {
							for (let job = queue.shift(); job; job = queue.shift()) {
								const request = { ...base, job };
								results.push(
									await new Promise<FloorResult>((resolve, reject) => {
										worker.onmessage = (e: MessageEvent) =>
											e.data.ok ? resolve(e.data.result) : reject(new Error(e.data.error));
										worker.onerror = (e) => reject(new Error(e.message));
										worker.postMessage(request);
									})
								);
							}
						} finally {
							worker.terminate();
						}
					})
				);
				return { ms: performance.now() - t0, workers: size, results };
			},
			{ jobs: floorJobs(env.plan), base: requests }
		);
		const resources = await w.stop();
		if (errors.length) throw new Error(`floor: console errors: ${errors.join(' | ')}`);
		return { ...result, ...resources };
	} finally {
		await browser.close();
	}
}

function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function fileTimeline(probe: ProbeData, t0: number) {
	return probe.jobs.map((job) => {
		const phases = probe.phases.filter((p) => p.file === job.jobId);
		const first = (phase: string) => phases.find((p) => p.phase === phase)?.at;
		const fetch = first('fetch');
		const write = first('write');
		const zip = first('zip');
		const done = first('done');
		const t = job.timings;
		return {
			file: job.jobId,
			items: job.items,
			cells: t.cells,
			pages: t.pages,
			sizeMb: +(job.size / 1e6).toFixed(2),
			startMs: fetch === undefined ? null : Math.round(fetch - t0),
			/** First page asked → workbook built (fetching, mapping and writing overlap). */
			wallMs: fetch === undefined ? null : Math.round(job.at - fetch),
			/** Blocked on the API: what the prefetch did not hide. */
			fetchWaitMs: Math.round(t.waitMs),
			mapMs: Math.round(t.mapMs),
			writeMs: Math.round(t.writeMs + t.finishMs),
			finishMs: Math.round(t.finishMs),
			/** From « Écriture du classeur » to « Compression » as the UI showed it. */
			uiFinishMs: write !== undefined && zip !== undefined ? Math.round(zip - write) : null,
			zipMs: zip !== undefined && done !== undefined ? Math.round(done - zip) : null
		};
	});
}

async function extractionRun(env: Env, scale: string, index: number) {
	const browser = await launchBrowser();
	const download = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
	try {
		const pid = await browserPid(browser);
		const { page, errors } = await openPage(browser, env);
		await fillEverything(page, { from: FROM, to: TO, archived: true });
		// The page's main thread on its own: the UI and the messages of the workers.
		const cdp = await page.context().newCDPSession(page);
		await cdp.send('Performance.enable');
		const mainTask = async () =>
			(await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')
				?.value ?? 0;
		const mainTaskStart = await mainTask();
		const w = await watch(page, pid, env.sandbox.pid);
		const downloading = page.waitForEvent('download', { timeout: 30 * 60_000 });
		await page.getByRole('button', { name: 'Lancer les extractions' }).click();
		const file = await downloading;
		const path = join(download, 'extraction.zip');
		await file.saveAs(path);
		await page.getByRole('heading', { name: 'Extraction terminée' }).waitFor();
		// The result screen renders after the download starts: its tasks count too.
		await page.waitForTimeout(500);
		const resources = await w.stop();
		const mainThreadSeconds = +((await mainTask()) - mainTaskStart).toFixed(2);
		await cdp.detach();
		const probe = await readProbe(page);
		if (errors.length) throw new Error(`extraction: console errors: ${errors.join(' | ')}`);
		const launch = probe.inputs.find(
			(i) => i.type === 'click' && i.text === 'Lancer les extractions'
		);
		const ready = probe.marks['download'];
		if (!launch || ready === undefined) throw new Error('launch or download not seen');
		const t0 = launch.timeStamp;
		const during = probe.longtasks.filter((l) => l.start + l.duration >= t0);
		const files = fileTimeline(probe, t0);
		const cells = files.reduce((a, f) => a + f.cells, 0);
		const writeMs = files.reduce((a, f) => a + f.writeMs, 0);
		const e2eMs = ready - t0;
		const profile = profiling && index === 0 ? saveProfiles(w.heap, scale) : undefined;
		return {
			...(profile ? { profile } : {}),
			e2eMs: Math.round(e2eMs),
			zipBytes: statSync(path).size,
			suggestedName: file.suggestedFilename(),
			cells,
			items: files.reduce((a, f) => a + f.items, 0),
			cellsPerSecond: Math.round(cells / (e2eMs / 1000)),
			/** Writer only: cells over the time the workers spent writing (XML and deflate). */
			writerCellsPerSecond: Math.round(cells / (writeMs / 1000)),
			longestTaskMs: Math.round(Math.max(0, ...during.map((l) => l.duration))),
			longTasks: during.length,
			launchInputDelayMs: Math.round(launch.delay),
			/** Busy time of the page's main thread, click to result screen (CPU of the UI). */
			mainThreadSeconds,
			files,
			...resources
		};
	} finally {
		await browser.close();
		rmSync(download, { recursive: true, force: true });
	}
}

/** Saves each thread's profile and prints where its time went; returns the workers' total. */
function saveProfiles(heap: HeapSampler, scale: string) {
	mkdirSync(RESULTS_DIR, { recursive: true });
	const workers = new Map<string, number>();
	let busyMs = 0;
	heap.profiles.forEach((p, i) => {
		const name = join(RESULTS_DIR, `profile-${scale}-${i}.cpuprofile`);
		writeFileSync(name, JSON.stringify(p.profile));
		const summary = summariseProfile(p.profile as CpuProfile, 30);
		console.log(`\nprofile ${p.url.split('/').pop()} → ${name}`);
		console.log(`  busy ${summary.busyMs} ms, idle ${summary.idleMs} ms`);
		for (const a of summary.areas) {
			console.log(`  ${a.area.padEnd(32)} ${String(a.ms).padStart(7)} ms`);
			if (p.url !== 'page') workers.set(a.area, (workers.get(a.area) ?? 0) + a.ms);
		}
		if (p.url !== 'page') busyMs += summary.busyMs;
		for (const f of summary.functions) console.log(`    ${String(f.ms).padStart(7)} ms  ${f.name}`);
	});
	const steps = [...workers.entries()]
		.sort((a, b) => b[1] - a[1])
		.map(([step, ms]) => ({ step, ms, share: +(ms / busyMs).toFixed(2) }));
	return { workersBusyMs: busyMs, steps };
}

/** Annuler at about half way: input delay and time until the UI says the run is cancelled. */
async function cancelRun(env: Env, expectedMs: number) {
	const browser = await launchBrowser();
	try {
		const { page, errors } = await openPage(browser, env);
		await fillEverything(page, { from: FROM, to: TO, archived: true });
		let downloads = 0;
		page.on('download', () => downloads++);
		await page.getByRole('button', { name: 'Lancer les extractions' }).click();
		const cancel = page.getByRole('button', { name: 'Annuler' });
		// The run shows below the form: bring Annuler into the viewport before aiming at it.
		await cancel.scrollIntoViewIfNeeded();
		const started = performance.now();
		let percent = 0;
		// Half way by the bar, or by the clock when the bar moves by big steps.
		while (percent < 50 && performance.now() - started < expectedMs / 2) {
			percent = await page.evaluate(
				() => (document.getElementById('eb-run-progress') as HTMLProgressElement | null)?.value ?? 0
			);
			await new Promise((r) => setTimeout(r, 50));
		}
		const box = await cancel.boundingBox();
		if (!box) return null;
		await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
		const outcome = await Promise.race([
			page
				.getByText("Extraction annulée : aucun fichier n'a été produit.")
				.waitFor()
				.then(() => 'cancelled' as const),
			page
				.getByRole('heading', { name: 'Extraction terminée' })
				.waitFor()
				.then(() => 'finished' as const)
		]);
		// A run shorter than the round trips of the driver ends before Annuler is pressed.
		if (outcome === 'finished') return null;
		await page.waitForTimeout(300);
		const probe = await readProbe(page);
		const down = probe.inputs.find((i) => i.type === 'pointerdown' && i.text === 'Annuler');
		const click = probe.inputs.find((i) => i.type === 'click' && i.text === 'Annuler');
		if (!down || !click) throw new Error('click on Annuler not seen');
		const slow = probe.events.filter((e) => e.target === 'Annuler');
		const shown = probe.marks['cancelled'];
		const painted = probe.marks['cancelPaint'];
		if (errors.length) throw new Error(`cancel: console errors: ${errors.join(' | ')}`);
		return {
			atPercent: percent,
			atMs: Math.round(performance.now() - started),
			/** pointerdown: from the input to its handler. */
			inputDelayMs: Math.round(down.delay),
			clickDelayMs: Math.round(click.delay),
			/** Event Timing: longest input → next paint among the click's events (≥ 16 ms only). */
			eventDurationMs: slow.length ? Math.max(...slow.map((e) => e.duration)) : null,
			noticeShownMs: shown === undefined ? null : Math.round(shown - down.timeStamp),
			noticePaintedMs: painted === undefined ? null : Math.round(painted - down.timeStamp),
			downloads
		};
	} finally {
		await browser.close();
	}
}

// --- Main --------------------------------------------------------------------------------------------

type ExtractionResult = Awaited<ReturnType<typeof extractionRun>>;
type FloorRunResult = Awaited<ReturnType<typeof floorRun>>;

async function benchScale(scale: (typeof scales)[number], repeats: number) {
	const sandbox = await startSandbox(scale);
	let app: Server | undefined;
	try {
		const { plan, structureId } = await planFor(sandbox.url);
		app = await serveApp(
			BUILD_DIR,
			{ apiBaseUrl: sandbox.url, token: TOKEN, maxPeriodYears: MAX_PERIOD_YEARS },
			sandbox.origin
		);
		const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
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
		const cancel = values['skip-cancel']
			? undefined
			: await cancelRun(env, median(runs.map((r) => r.e2eMs)));
		if (cancel === null) {
			console.log(`${scale} cancel: the run ended before Annuler was pressed`);
		} else if (cancel) {
			console.log(
				`${scale} cancel at ${cancel.atPercent} %: input delay ${cancel.inputDelayMs} ms, ` +
					`notice after ${cancel.noticeShownMs} ms (painted ${cancel.noticePaintedMs} ms)`
			);
		}
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
			floors: floors.map(({ results, ...f }) => ({
				...f,
				jobs: results.map((r) => ({ ...r, ms: Math.round(r.ms) }))
			}))
		};
	} finally {
		if (app) {
			app.closeAllConnections();
			await new Promise<void>((r) => app!.close(() => r()));
		}
		sandbox.stop();
	}
}

/** Firefox or WebKit at one scale: the same sandbox, app, floor and extraction. */
async function benchOtherScale(engine: OtherEngine, scale: string, repeats: number) {
	const sandbox = await startSandbox(scale);
	let app: Server | undefined;
	try {
		const { plan, structureId } = await planFor(sandbox.url);
		app = await serveApp(
			BUILD_DIR,
			{ apiBaseUrl: sandbox.url, token: TOKEN, maxPeriodYears: MAX_PERIOD_YEARS },
			sandbox.origin
		);
		const query = { from: FROM, to: TO, archived: true, statuses: [...STATUS_CODES] };
		const env: EngineBenchEnv = {
			appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}/`,
			sandbox,
			floor: {
				base: { apiBaseUrl: sandbox.url, token: TOKEN, structureId, query },
				jobs: floorJobs(plan)
			},
			period: { from: FROM, to: TO, archived: true }
		};
		return await benchEngineScale(engine, scale, repeats, env);
	} finally {
		if (app) {
			app.closeAllConnections();
			await new Promise<void>((r) => app!.close(() => r()));
		}
		sandbox.stop();
	}
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
	const repeats = repeatList[i] ?? repeatList[repeatList.length - 1] ?? 1;
	for (const engine of engines) {
		if (engine !== 'chromium') {
			engineResults.push(await benchOtherScale(engine, scale, repeats));
			continue;
		}
		const result = await benchScale(scale, repeats);
		if (result) results.push(result);
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
