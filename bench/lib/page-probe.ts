/**
 * What the benchmark watches inside the page: long tasks, input events, the phase of each file
 * line as the UI shows it, the summaries the extraction workers send back, and the JS heaps of the
 * page and of every worker (through the DevTools protocol).
 */
import type { CDPSession, Page } from 'playwright-core';
import type { JobTimings } from '../../src/lib/core/extraction/run-job';

export interface ProbeJob {
	jobId: string;
	fileName: string;
	size: number;
	items: number;
	sheets: { name: string; rows: number }[];
	timings: JobTimings;
	at: number;
}

export interface ProbeData {
	longtasks: { start: number; duration: number }[];
	events: {
		name: string;
		start: number;
		processingStart: number;
		processingEnd: number;
		duration: number;
		target: string;
	}[];
	/** Input events on buttons and links: `delay` is the handler start minus the event's time. */
	inputs: { type: string; text: string; timeStamp: number; delay: number }[];
	phases: { file: string; phase: string; at: number }[];
	jobs: ProbeJob[];
	marks: Record<string, number>;
}

/**
 * Runs in the page before any of its scripts (page.addInitScript). Self-contained: it is
 * serialised into the page, so it may use nothing from this module.
 */
export function installProbe(options: { holdWorkers: boolean }): void {
	const probe: ProbeData & { held: Worker[] } = {
		longtasks: [],
		events: [],
		inputs: [],
		phases: [],
		jobs: [],
		marks: {},
		held: []
	};
	(window as unknown as { __bench: typeof probe }).__bench = probe;
	try {
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) {
				probe.longtasks.push({ start: e.startTime, duration: e.duration });
			}
		}).observe({ type: 'longtask', buffered: true });
	} catch {
		// No Long Tasks API: the table says so (no entries at all is suspicious at large).
	}
	try {
		new PerformanceObserver((list) => {
			for (const e of list.getEntries() as PerformanceEventTiming[]) {
				const target = (e.target as Element | null)?.closest?.('button, a');
				probe.events.push({
					name: e.name,
					start: e.startTime,
					processingStart: e.processingStart,
					processingEnd: e.processingEnd,
					duration: e.duration,
					target: (target?.textContent ?? '').trim().slice(0, 40)
				});
			}
		}).observe({ type: 'event', durationThreshold: 16, buffered: true } as PerformanceObserverInit);
	} catch {
		// No Event Timing API.
	}
	for (const type of ['pointerdown', 'click']) {
		document.addEventListener(
			type,
			(e) => {
				const el = (e.target as Element | null)?.closest?.('button, a');
				if (!el) return;
				probe.inputs.push({
					type,
					text: (el.textContent ?? '').trim().slice(0, 40),
					timeStamp: e.timeStamp,
					delay: performance.now() - e.timeStamp
				});
				if (el.matches('a.download')) probe.marks['download'] ??= performance.now();
			},
			true
		);
	}
	const seen = (text: string, mark: string) => {
		if (probe.marks[mark] === undefined && document.body?.textContent?.includes(text)) {
			probe.marks[mark] = performance.now();
		}
	};
	new MutationObserver((records) => {
		const now = performance.now();
		let added = false;
		for (const r of records) {
			if (r.type === 'attributes') {
				const el = r.target as HTMLElement;
				const file = el.dataset['file'];
				const phase = el.dataset['phase'];
				if (file && phase) probe.phases.push({ file, phase, at: now });
			} else if (r.addedNodes.length) {
				added = true;
				for (const n of r.addedNodes) {
					if (n instanceof HTMLElement) {
						for (const li of n.querySelectorAll<HTMLElement>('[data-file]')) {
							probe.phases.push({
								file: li.dataset['file'] ?? '',
								phase: li.dataset['phase'] ?? '',
								at: now
							});
						}
					}
				}
			}
		}
		if (added) {
			seen('Extraction annulée', 'cancelled');
			seen('Extraction terminée', 'finished');
			if (probe.marks['cancelled'] !== undefined && probe.marks['cancelPaint'] === undefined) {
				// The next frame after the notice is in the DOM: what the user sees.
				probe.marks['cancelPaint'] = -1;
				requestAnimationFrame(() =>
					setTimeout(() => (probe.marks['cancelPaint'] = performance.now()), 0)
				);
			}
		}
	}).observe(document, {
		subtree: true,
		childList: true,
		attributes: true,
		attributeFilter: ['data-phase']
	});

	// The extraction workers answer through comlink ({ id, type: 'RAW', value }); a built
	// workbook carries its counts and timings (never any patient data) beside its bytes.
	const NativeWorker = window.Worker;
	const terminate = NativeWorker.prototype.terminate;
	window.Worker = class extends NativeWorker {
		constructor(url: string | URL, opts?: WorkerOptions) {
			super(url, opts);
			this.addEventListener('message', (e: MessageEvent) => {
				const v = (e.data as { value?: Record<string, unknown> } | null)?.value;
				if (v && typeof v === 'object' && typeof v['jobId'] === 'string' && v['timings']) {
					probe.jobs.push({
						jobId: v['jobId'] as string,
						fileName: v['fileName'] as string,
						size: v['size'] as number,
						items: v['items'] as number,
						sheets: (v['sheets'] as { name: string; rows: number }[]).map((s) => ({
							name: s.name,
							rows: s.rows
						})),
						timings: v['timings'] as ProbeJob['timings'],
						at: performance.now()
					});
				}
			});
		}
		override terminate(): void {
			// Profiling: keep the idle worker alive until its profile has been read.
			if (options.holdWorkers) probe.held.push(this);
			else terminate.call(this);
		}
	};
}

export async function readProbe(page: Page): Promise<ProbeData> {
	return page.evaluate(() => {
		const p = (window as unknown as { __bench: ProbeData }).__bench;
		return {
			longtasks: p.longtasks,
			events: p.events,
			inputs: p.inputs,
			phases: p.phases,
			jobs: p.jobs,
			marks: p.marks
		};
	});
}

interface Pending {
	resolve: (value: unknown) => void;
	reject: (error: Error) => void;
}

/**
 * The page's own heap and each worker's, by the DevTools protocol: the page through its session,
 * the workers through auto-attached child sessions (messages wrapped in Target.sendMessageToTarget,
 * which leaves Playwright's own sessions alone).
 */
export class HeapSampler {
	readonly #session: CDPSession;
	readonly #workers = new Map<
		string,
		{ url: string; peak: number; last: number; committed: number }
	>();
	/** Peaks of the workers that have ended. */
	readonly #ended: number[] = [];
	readonly #pending = new Map<number, Pending>();
	#nextId = 1;
	#timer: NodeJS.Timeout | undefined;
	#busy = false;
	peakPage = 0;
	/** Largest sum of the page's and all live workers' used heaps at one sample. */
	peakTotal = 0;
	/** The same for the heaps' committed sizes (what the isolates hold from the system). */
	peakCommitted = 0;
	readonly profiles: { url: string; profile: unknown }[] = [];

	private constructor(
		session: CDPSession,
		readonly profile: boolean
	) {
		this.#session = session;
	}

	static async attach(page: Page, options: { profile?: boolean } = {}): Promise<HeapSampler> {
		const session = await page.context().newCDPSession(page);
		const sampler = new HeapSampler(session, options.profile ?? false);
		session.on('Target.attachedToTarget', (e) => {
			if (e.targetInfo.type !== 'worker') return;
			sampler.#workers.set(e.sessionId, { url: e.targetInfo.url, peak: 0, last: 0, committed: 0 });
			if (sampler.profile) {
				void sampler
					.#toWorker(e.sessionId, 'Profiler.enable')
					.then(() =>
						sampler.#toWorker(e.sessionId, 'Profiler.setSamplingInterval', { interval: 500 })
					)
					.then(() => sampler.#toWorker(e.sessionId, 'Profiler.start'))
					.catch(() => {});
			}
		});
		session.on('Target.detachedFromTarget', (e) => {
			const w = sampler.#workers.get(e.sessionId);
			if (w) sampler.#ended.push(w.peak);
			sampler.#workers.delete(e.sessionId);
		});
		session.on('Target.receivedMessageFromTarget', (e) => {
			const message = JSON.parse(e.message) as { id?: number; result?: unknown; error?: unknown };
			if (message.id === undefined) return;
			const pending = sampler.#pending.get(message.id);
			if (!pending) return;
			sampler.#pending.delete(message.id);
			if (message.error) pending.reject(new Error(JSON.stringify(message.error)));
			else pending.resolve(message.result);
		});
		await session.send('Target.setAutoAttach', {
			autoAttach: true,
			waitForDebuggerOnStart: false,
			flatten: false
		});
		if (sampler.profile) {
			await session.send('Profiler.enable');
			await session.send('Profiler.setSamplingInterval', { interval: 500 });
			await session.send('Profiler.start');
		}
		return sampler;
	}

	#toWorker(sessionId: string, method: string, params: object = {}): Promise<unknown> {
		const id = this.#nextId++;
		return new Promise((resolve, reject) => {
			this.#pending.set(id, { resolve, reject });
			this.#session
				.send('Target.sendMessageToTarget', {
					sessionId,
					message: JSON.stringify({ id, method, params })
				})
				.catch((error: Error) => {
					this.#pending.delete(id);
					reject(error);
				});
			// A worker that ends never answers.
			setTimeout(() => {
				if (this.#pending.delete(id)) reject(new Error('timeout'));
			}, 5000);
		});
	}

	start(everyMs = 200): void {
		this.#timer = setInterval(() => void this.sample(), everyMs);
	}

	async sample(): Promise<void> {
		if (this.#busy) return;
		this.#busy = true;
		try {
			const usage = await this.#session.send('Runtime.getHeapUsage');
			const page = usage.usedSize;
			this.peakPage = Math.max(this.peakPage, page);
			let total = page;
			let committed = usage.totalSize;
			await Promise.all(
				[...this.#workers.entries()].map(async ([sessionId, w]) => {
					try {
						const r = (await this.#toWorker(sessionId, 'Runtime.getHeapUsage')) as {
							usedSize: number;
							totalSize: number;
						};
						w.last = r.usedSize;
						w.committed = r.totalSize;
						w.peak = Math.max(w.peak, r.usedSize);
					} catch {
						w.last = 0;
						w.committed = 0;
					}
				})
			);
			for (const w of this.#workers.values()) {
				total += w.last;
				committed += w.committed;
			}
			this.peakTotal = Math.max(this.peakTotal, total);
			this.peakCommitted = Math.max(this.peakCommitted, committed);
		} catch {
			// The page is closing.
		} finally {
			this.#busy = false;
		}
	}

	/** Peaks in MB; with `profile`, stops the profilers and keeps their profiles. */
	async stop(): Promise<{
		pageMb: number;
		totalMb: number;
		committedMb: number;
		workerPeaksMb: number[];
	}> {
		clearInterval(this.#timer);
		if (this.profile) {
			for (const [sessionId, w] of this.#workers) {
				try {
					const r = (await this.#toWorker(sessionId, 'Profiler.stop')) as { profile: unknown };
					this.profiles.push({ url: w.url, profile: r.profile });
				} catch {
					// Ended before it could be read.
				}
			}
			const { profile } = await this.#session.send('Profiler.stop');
			this.profiles.push({ url: 'page', profile });
		}
		const mb = (n: number) => Math.round(n / 1048576);
		return {
			pageMb: mb(this.peakPage),
			totalMb: mb(this.peakTotal),
			committedMb: mb(this.peakCommitted),
			workerPeaksMb: [...this.#ended, ...[...this.#workers.values()].map((w) => w.peak)].map(mb)
		};
	}
}
