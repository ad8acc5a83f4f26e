// The benchmark's three kinds of run: the fetch-only floor, the extraction, the cancelled run.
import { STATUS_CODES } from '../../src/lib/contract/spico';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fillEverything } from '../../harness/form-driver';
import { pageLimitOf } from '../../src/lib/core/datasets/index';
import { datasetOf, type ExtractionPlan } from '../../src/lib/core/extraction/plan';
import { workerPoolSize } from '../../src/lib/engine/pool-size';
import type { FloorJob, FloorRequest, FloorResult } from '../floor.worker';
import { HeapSampler, readProbe, type ProbeData } from './page-probe';
import { summariseProfile, type CpuProfile } from './profile';
import { FROM, profiling, RESULTS_DIR, TO, TOKEN, values } from './e2e-config';
import { launchBench, openPage, watch, type Env } from './watch';

/** The pages the engine asks for: same lists, same page sizes. */
export function floorJobs(plan: ExtractionPlan): FloorJob[] {
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

export async function floorRun(env: Env) {
	const bench = await launchBench();
	try {
		const { pid } = bench;
		const { page, errors } = await openPage(bench.context, env);
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
		// The engine's own rule for its pool, from what this browser says of its cores.
		const jobs = floorJobs(env.plan);
		const size = workerPoolSize(
			await page.evaluate(() => navigator.hardwareConcurrency),
			jobs.length
		);
		const result = await page.evaluate(
			async ({ jobs, base, size }) => {
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
			{ jobs, base: requests, size }
		);
		const resources = await w.stop();
		if (errors.length) throw new Error(`floor: console errors: ${errors.join(' | ')}`);
		return { ...result, ...resources };
	} finally {
		await bench.close();
	}
}

export function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function fileTimeline(probe: ProbeData, t0: number) {
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

export async function extractionRun(env: Env, scale: string, index: number) {
	const bench = await launchBench();
	const download = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
	try {
		const { pid } = bench;
		const { page, errors } = await openPage(bench.context, env);
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
		await bench.close();
		rmSync(download, { recursive: true, force: true });
	}
}

/** Saves each thread's profile and prints where its time went; returns the workers' total. */
export function saveProfiles(heap: HeapSampler, scale: string) {
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
export async function cancelRun(env: Env, expectedMs: number) {
	const bench = await launchBench();
	try {
		const { page, errors } = await openPage(bench.context, env);
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
		await bench.close();
	}
}
