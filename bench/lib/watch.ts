// Watching a run: Chromium's processes (memory, CPU by type), the heaps, the sandbox, the machine's noise.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type ExtractionPlan } from '../../src/lib/core/extraction/plan';
import {
	collectConsoleErrors,
	launchBrowser,
	launchOnDisk,
	newContext,
	type LaunchedChromium
} from '../../harness/browser';
import { HeapSampler, installProbe } from './page-probe';
import { chromiumType, cpuSeconds, processTree, rssKb, TreeSampler } from './processes';
import { profiling, values } from './e2e-config';
import type { Sandbox } from './sandbox-process';

export async function browserPid(browser: Browser): Promise<number> {
	const session = await browser.newBrowserCDPSession();
	const info = await session.send('SystemInfo.getProcessInfo');
	await session.detach();
	const main = info.processInfo.find((p) => p.type === 'browser');
	if (!main) throw new Error('no browser process');
	return main.id;
}

export interface Env {
	appUrl: string;
	sandbox: Sandbox;
	plan: ExtractionPlan;
	structureId: string;
}

/**
 * The browser of one bench run: a profile on disk, as staff's browsers have (default), or an
 * off-the-record context (`--off-the-record`), whose IndexedDB and Blobs stay in memory.
 */
export async function launchBench(): Promise<LaunchedChromium> {
	if (!values['off-the-record']) return launchOnDisk();
	const browser = await launchBrowser();
	return {
		context: await newContext(browser),
		pid: await browserPid(browser),
		close: () => browser.close()
	};
}

export async function openPage(context: BrowserContext, env: Env) {
	// tsx names functions through a `__name` helper that serialised functions do not carry.
	await context.addInitScript('globalThis.__name ??= (f) => f;');
	await context.addInitScript(installProbe, { holdWorkers: profiling });
	const page = await context.newPage();
	const errors = collectConsoleErrors(page);
	await page.goto(env.appUrl);
	await page.getByRole('button', { name: 'Lancer les extractions' }).waitFor();
	return { page, errors };
}

export interface Watch {
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

/** CPU seconds of each process of Chromium's tree, with its type, from /proc. */
export function cpuByType(pid: number): Map<number, { type: string; cpu: number }> {
	return new Map(processTree(pid).map((p) => [p, { type: chromiumType(p), cpu: cpuSeconds(p) }]));
}

/** Busy CPU seconds of the whole machine (all tenants), from /proc/stat. */
export function machineBusySeconds(): number {
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

export async function watch(page: Page, pid: number, sandboxPid: number): Promise<Watch> {
	const cpuStart = cpuByType(pid);
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
			const cpuEnd = cpuByType(pid);
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
