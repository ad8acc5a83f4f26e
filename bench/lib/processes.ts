/**
 * Memory and CPU of a process tree, read from /proc (Linux): Chromium's processes (the browser
 * and everything it started) and the sandbox's. RSS counts shared pages once per process, so the
 * sum over Chromium's processes overstates what they hold together; PSS splits shared pages
 * between their users and adds up. Both are sampled.
 */
import { readFileSync, readdirSync } from 'node:fs';

const PAGE_KB = 4;
const CLOCK_TICKS = 100;

function read(path: string): string | null {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return null;
	}
}

/** Parent pid and CPU seconds (user + system) of a process, from /proc/<pid>/stat. */
function statOf(pid: number): { ppid: number; cpu: number; comm: string } | null {
	const text = read(`/proc/${pid}/stat`);
	if (text === null) return null;
	// The command may hold spaces and parentheses: fields start after the last ')'.
	const close = text.lastIndexOf(')');
	const comm = text.slice(text.indexOf('(') + 1, close);
	const fields = text.slice(close + 2).split(' ');
	return {
		comm,
		ppid: Number(fields[1]),
		cpu: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
	};
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
	const children = new Map<number, number[]>();
	for (const name of readdirSync('/proc')) {
		const pid = Number(name);
		if (!Number.isInteger(pid)) continue;
		const stat = statOf(pid);
		if (!stat) continue;
		const list = children.get(stat.ppid) ?? [];
		list.push(pid);
		children.set(stat.ppid, list);
	}
	const out: number[] = [];
	const stack = [root];
	while (stack.length) {
		const pid = stack.pop()!;
		out.push(pid);
		stack.push(...(children.get(pid) ?? []));
	}
	return out;
}

/** Direct children of `parent` whose command matches. */
export function childrenNamed(parent: number, pattern: RegExp): number[] {
	const out: number[] = [];
	for (const name of readdirSync('/proc')) {
		const pid = Number(name);
		if (!Number.isInteger(pid)) continue;
		const stat = statOf(pid);
		if (stat && stat.ppid === parent && pattern.test(stat.comm)) out.push(pid);
	}
	return out;
}

export function rssKb(pid: number): number {
	const text = read(`/proc/${pid}/statm`);
	if (text === null) return 0;
	return Number(text.split(' ')[1]) * PAGE_KB;
}

export function pssKb(pid: number): number {
	const text = read(`/proc/${pid}/smaps_rollup`);
	const m = text && /^Pss:\s+(\d+) kB/m.exec(text);
	return m ? Number(m[1]) : 0;
}

/** Chromium's process type (`renderer`, `gpu-process`, `utility`…), `browser` for the main one. */
export function chromiumType(pid: number): string {
	const cmd = read(`/proc/${pid}/cmdline`) ?? '';
	const type = /--type=([\w-]+)/.exec(cmd)?.[1];
	const sub = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1];
	return type ? (sub ? `${type}:${sub.replace(/\.mojom\./, '.')}` : type) : 'browser';
}

function rollupMb(pid: number): Record<string, number> {
	const out: Record<string, number> = {};
	const text = read(`/proc/${pid}/smaps_rollup`) ?? '';
	for (const m of text.matchAll(/^(Pss_\w+|Pss|Rss):\s+(\d+) kB/gm)) {
		out[m[1]!] = Math.round(Number(m[2]) / 1024);
	}
	return out;
}

export function cpuSeconds(pid: number): number {
	return statOf(pid)?.cpu ?? 0;
}

export interface MemoryPeaks {
	/** Largest sum of RSS over the tree at one sample, MB. */
	rssMb: number;
	/** Largest sum of PSS over the tree at one sample, MB. */
	pssMb: number;
	/** PSS at the first sample (before the work starts), MB. */
	basePssMb: number;
	samples: number;
}

/**
 * Samples the memory of a process tree every `everyMs` (RSS) and every 2.5 × that (PSS, dearer
 * to read), refreshing the tree every second since Chromium starts processes as it goes.
 */
export class TreeSampler {
	#timer: NodeJS.Timeout | undefined;
	#pids: number[] = [];
	#lastTree = 0;
	#tick = 0;
	peakRssKb = 0;
	peakPssKb = 0;
	basePssKb = -1;
	/** At each PSS sample: ms since start, total, largest process, browser process, MB. */
	readonly timeline: [number, number, number, number][] = [];
	#t0 = performance.now();
	/** PSS of each process at the peak, MB. */
	peakBreakdown: { type: string; pssMb: number }[] = [];
	baseBreakdown: { type: string; pssMb: number }[] = [];
	/** smaps_rollup of the largest process at the peak (anonymous, shared memory, files). */
	peakLargest: Record<string, number> = {};
	samples = 0;
	/** CPU seconds per pid when sampling started (for `cpuSince`). */
	readonly #cpuAtStart = new Map<number, number>();
	readonly #cpuLast = new Map<number, number>();

	constructor(
		readonly root: number,
		readonly everyMs = 100
	) {}

	start(): void {
		this.#t0 = performance.now();
		this.#refresh(true);
		this.sample();
		this.#timer = setInterval(() => this.sample(), this.everyMs);
	}

	#refresh(first = false): void {
		this.#pids = processTree(this.root);
		this.#lastTree = performance.now();
		for (const pid of this.#pids) {
			if (!this.#cpuAtStart.has(pid)) this.#cpuAtStart.set(pid, first ? cpuSeconds(pid) : 0);
		}
	}

	sample(): void {
		if (performance.now() - this.#lastTree > 1000) this.#refresh();
		let rss = 0;
		for (const pid of this.#pids) rss += rssKb(pid);
		this.peakRssKb = Math.max(this.peakRssKb, rss);
		if (this.#tick++ % 3 === 0) {
			let pss = 0;
			const each = this.#pids.map((pid) => [pid, pssKb(pid)] as const);
			for (const [, kb] of each) pss += kb;
			this.timeline.push([
				Math.round(performance.now() - this.#t0),
				Math.round(pss / 1024),
				Math.round(Math.max(0, ...each.map(([, kb]) => kb)) / 1024),
				Math.round((each.find(([pid]) => pid === this.root)?.[1] ?? 0) / 1024)
			]);
			if (pss > this.peakPssKb) {
				this.peakPssKb = pss;
				const largest = each.reduce((a, b) => (b[1] > a[1] ? b : a));
				this.peakLargest = rollupMb(largest[0]);
				this.peakBreakdown = each
					.filter(([, kb]) => kb > 0)
					.map(([pid, kb]) => ({ type: chromiumType(pid), pssMb: Math.round(kb / 1024) }))
					.sort((a, b) => b.pssMb - a.pssMb);
			}
			if (this.basePssKb < 0) {
				this.basePssKb = pss;
				this.baseBreakdown = each
					.filter(([, kb]) => kb > 0)
					.map(([pid, kb]) => ({ type: chromiumType(pid), pssMb: Math.round(kb / 1024) }));
			}
		}
		for (const pid of this.#pids) {
			const cpu = cpuSeconds(pid);
			if (cpu > 0) this.#cpuLast.set(pid, cpu);
		}
		this.samples++;
	}

	/** CPU seconds used by the tree since `start` (processes that ended count up to their last sample). */
	cpuSince(): number {
		let total = 0;
		for (const [pid, last] of this.#cpuLast) total += last - (this.#cpuAtStart.get(pid) ?? 0);
		return total;
	}

	stop(): MemoryPeaks & {
		cpuSeconds: number;
		peakBreakdown: { type: string; pssMb: number }[];
		peakLargest: Record<string, number>;
		baseBreakdown: { type: string; pssMb: number }[];
		timeline: [number, number, number, number][];
	} {
		clearInterval(this.#timer);
		this.sample();
		return {
			rssMb: Math.round(this.peakRssKb / 1024),
			pssMb: Math.round(this.peakPssKb / 1024),
			basePssMb: Math.round(this.basePssKb / 1024),
			samples: this.samples,
			peakBreakdown: this.peakBreakdown,
			peakLargest: this.peakLargest,
			baseBreakdown: this.baseBreakdown,
			timeline: this.timeline,
			cpuSeconds: +this.cpuSince().toFixed(2)
		};
	}
}
