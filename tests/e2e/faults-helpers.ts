/**
 * Helpers of the fault tests: the sandbox's fault switches, one small extraction launched the
 * way a user does, its ZIP read back, the extraction worker wrapped to crash or to hold a
 * phase, and the time from « Annuler » to a page ready for a new launch.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { FaultConfig } from '../../sandbox/faults';
import { readZip, type ReadWorkbook } from '../helpers/read-extraction';
import { e2e } from './harness';

export const FROM = '2023-03-15';
export const TO = '2024-02-20';
export const SUFFIX = '15032023_20022024';
/** Small pages, so that every file needs several requests and faults fall between pages. */
export const PAGE_SIZE = 60;
/** The files of these tests, by their job id and label. */
export const FILES = [
	{
		id: 'administratif',
		label: 'Données administratives',
		legend: 'Données administratives patient'
	},
	{ id: 'rdv', label: 'RDV', legend: 'RDV' },
	{ id: 'hospitalisations', label: 'Hospitalisations', legend: 'Hospitalisation' }
] as const;

async function control(path: string, init: RequestInit = {}): Promise<Response> {
	const res = await fetch(`${e2e().sandboxUrl}/__sandbox/${path}`, init);
	if (!res.ok) throw new Error(`/__sandbox/${path}: ${res.status} ${await res.text()}`);
	return res;
}

export async function setFaults(config: FaultConfig): Promise<void> {
	await control('faults', {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(config)
	});
}

export async function clearFaults(): Promise<void> {
	await control('faults', { method: 'DELETE' });
}

/** API requests seen since the faults were last set, and how many the client abandoned. */
export async function sandboxCounters(): Promise<{ requests: number; aborted: number }> {
	return (await (await control('faults')).json()) as { requests: number; aborted: number };
}

/** Back to the generated data after `mutateBetweenPages`. */
export async function restoreData(): Promise<void> {
	await control('data', { method: 'DELETE' });
}

export const launchButton = (page: Page) =>
	page.getByRole('button', { name: 'Lancer les extractions' });

/** Period and the three files of these tests; the form must be on screen. */
export async function fillRequest(page: Page): Promise<void> {
	await launchButton(page).waitFor();
	await page.getByLabel('Date de début').fill(FROM);
	await page.getByLabel('Date de fin').fill(TO);
	for (const { legend } of FILES) {
		await page
			.getByRole('radiogroup', { name: legend, exact: true })
			.getByRole('radio', { name: 'Oui' })
			.check();
	}
}

/** Counts the downloads a page starts, from now on. */
export function countDownloads(page: Page): () => number {
	let n = 0;
	page.on('download', () => n++);
	return () => n;
}

export interface Downloaded {
	name: string;
	bytes: Uint8Array;
	workbooks: Map<string, ReadWorkbook>;
}

/** Clicks « Lancer les extractions » and waits for the ZIP's download. */
export async function launchAndDownload(page: Page, timeout = 120_000): Promise<Downloaded> {
	const downloading = page.waitForEvent('download', { timeout });
	await launchButton(page).click();
	const download = await downloading;
	const bytes = new Uint8Array(await readFile(await download.path()));
	return { name: download.suggestedFilename(), bytes, workbooks: readZip(bytes) };
}

/** Every sheet of every workbook as rows of raw values: what "the same workbooks" compares. */
export function contentOf(
	workbooks: Map<string, ReadWorkbook>
): Record<string, Record<string, unknown[][]>> {
	const out: Record<string, Record<string, unknown[][]>> = {};
	for (const [file, wb] of [...workbooks].sort(([a], [b]) => a.localeCompare(b))) {
		out[file] = Object.fromEntries(wb.book.SheetNames.map((s) => [s, wb.rows(s)]));
	}
	return out;
}

/**
 * The failure shown on the result screen (role alert), once the run has failed: its sentence,
 * its next step, then the technical detail (its disclosure opened).
 */
export async function failureText(page: Page, timeout = 90_000): Promise<string> {
	const alert = page.locator('.run .failure');
	await alert.waitFor({ timeout });
	await alert.locator('summary').click();
	return (await alert.innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * The first file state matching `pattern`, read in the page as soon as it shows (it may last
 * only a second). Safe to start before the run and await later.
 */
export function fileStateMatching(page: Page, pattern: RegExp, timeout = 60_000): Promise<string> {
	const found = page
		.waitForFunction(
			({ source, flags }) => {
				const re = new RegExp(source, flags);
				const states = [...document.querySelectorAll('.run .files .state')];
				return states.map((e) => e.textContent ?? '').find((t) => re.test(t)) ?? false;
			},
			{ source: pattern.source, flags: pattern.flags },
			{ timeout, polling: 'raf' }
		)
		.then(async (handle) => String(await handle.jsonValue()));
	found.catch(() => {});
	return found;
}

/** Waits until the page has no worker left (each terminated). */
export async function noWorkerLeft(page: Page, timeout = 5000): Promise<number> {
	// Each worker's own close event; the timeout only bounds a worker that never goes.
	const closed = page.workers().map((w) => new Promise<void>((r) => w.once('close', () => r())));
	let timer: ReturnType<typeof setTimeout> | undefined;
	const bound = new Promise<void>((r) => (timer = setTimeout(r, timeout)));
	await Promise.race([Promise.all(closed), bound]);
	clearTimeout(timer);
	return page.workers().length;
}

/**
 * Counts, from now on, the ZIP object URLs the page creates: a ZIP is offered (downloaded or
 * linked) only through one. Call it once the app is loaded, before launching.
 */
export async function countZipUrls(page: Page): Promise<() => Promise<number>> {
	await page.evaluate(() => {
		const w = window as unknown as { __zipUrls: number };
		w.__zipUrls = 0;
		const create = URL.createObjectURL.bind(URL);
		URL.createObjectURL = (object: Blob | MediaSource) => {
			if (object instanceof Blob && object.type === 'application/zip') w.__zipUrls++;
			return create(object);
		};
	});
	return () => page.evaluate(() => (window as unknown as { __zipUrls: number }).__zipUrls);
}

/**
 * The outcome of the next audit event the page sends (SPEC §8), the last thing a run does. Seen
 * as the page's own request, so that it counts even when the API refuses it (an expired token).
 */
export function auditFromNow(page: Page): Promise<string> {
	const outcome = page
		.waitForRequest(
			(r) => r.method() === 'POST' && new URL(r.url()).pathname.endsWith('/extraction-events'),
			{ timeout: 60_000 }
		)
		.then((r) => (JSON.parse(r.postData() ?? '{}') as { outcome?: string }).outcome ?? '');
	// Handled here too: a test that fails earlier never awaits it.
	outcome.catch(() => {});
	return outcome;
}

/**
 * Waits until a run is over for good: every worker closed (the workbooks, the ZIP and the page
 * requests all live in workers) and its audit event sent (the last thing a run does). After
 * that nothing can start a download or ask the API for a page: no need to sleep and watch.
 */
export async function runOver(
	page: Page,
	audit: Promise<string>,
	outcome: 'failed' | 'cancelled'
): Promise<void> {
	expect(await noWorkerLeft(page)).toBe(0);
	expect(await audit).toBe(outcome);
}

/**
 * Serves the extraction worker wrapped: `pre` runs first (before comlink's listener exists),
 * then the real worker script. `pre` sees the comlink messages and may throw, reject or block.
 */
export async function wrapWorker(page: Page, pre: string): Promise<() => Promise<void>> {
	const isWorker = (url: URL) => url.pathname.includes('/workers/extraction.worker-');
	// A script served by the test has no network address, so Chromium's Local Network Access
	// treats the worker as public and blocks its requests to the sandbox on 127.0.0.1.
	await page.context().grantPermissions(['local-network-access']);
	await page.route(isWorker, async (route) => {
		const url = new URL(route.request().url());
		if (url.search === '?real') return route.continue();
		if (url.search === '?pre') {
			return route.fulfill({ contentType: 'text/javascript', body: pre });
		}
		const name = url.pathname.split('/').pop();
		return route.fulfill({
			contentType: 'text/javascript',
			body: `import './${name}?pre';\nimport './${name}?real';\n`
		});
	});
	// Back to the real worker for the next launch.
	return () => page.unroute(isWorker);
}

/** `pre` code: is this comlink message the call of `method` (for job `jobId`)? */
export const IS_CALL = `
const isCall = (data, method, jobId) =>
	!!data && data.type === 'APPLY' && Array.isArray(data.path) && data.path[0] === method &&
	(jobId === undefined || data.argumentList?.[0]?.value?.job?.id === jobId);
const block = (ms) => { const end = Date.now() + ms; while (Date.now() < end); };
`;

/**
 * Clicks « Annuler » inside the page and measures, with the page's own clock, the time until
 * the run shows as cancelled and « Lancer les extractions » is enabled again.
 */
export function cancelAndMeasure(page: Page): Promise<number> {
	return page.evaluate(
		() =>
			new Promise<number>((resolve, reject) => {
				const buttons = () => [...document.querySelectorAll('button')];
				const cancel = buttons().find((b) => b.textContent?.trim() === 'Annuler');
				if (!cancel) return reject(new Error('pas de bouton Annuler'));
				const t0 = performance.now();
				cancel.click();
				const ready = () => {
					const launch = buttons().find((b) => b.textContent?.includes('Lancer les extractions'));
					const shown = document.body.textContent?.includes('Extraction annulée');
					if (launch && !launch.disabled && shown) resolve(performance.now() - t0);
					else if (performance.now() - t0 > 5000) reject(new Error('jamais prête'));
					else setTimeout(ready, 1);
				};
				ready();
			})
	);
}
