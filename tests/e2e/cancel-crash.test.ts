/**
 * Cancel in each phase (fetch, writing, zipping), a worker that crashes, and a workstation
 * clock before 1980, in Chromium against the sandbox. The worker is held in a phase or made to
 * crash by serving it wrapped (faults-helpers `wrapWorker`): the app itself has no test hook.
 */
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../helpers/read-extraction';
import {
	FILES,
	IS_CALL,
	PAGE_SIZE,
	cancelAndMeasure,
	clearFaults,
	contentOf,
	countDownloads,
	failureText,
	fillRequest,
	launchAndDownload,
	launchButton,
	noWorkerLeft,
	runOver,
	countZipUrls,
	auditFromNow,
	sandboxCounters,
	setFaults,
	wrapWorker
} from './faults-helpers';
import { launchBrowser, openApp, type OpenAppOptions, type OpenedApp } from './harness';

const NOW = new Date(Date.now() - 60_000);
/** "Ready for a new launch" after Annuler (the issue's bound, measured in the page). */
const READY_MS = 200;

let browser: Browser;
let reference: ReturnType<typeof contentOf>;
const opened: OpenedApp[] = [];

async function open(options: OpenAppOptions = {}): Promise<OpenedApp> {
	const app = await openApp(browser, { now: NOW, config: { pageSize: PAGE_SIZE }, ...options });
	opened.push(app);
	return app;
}

async function openFilled(): Promise<Page> {
	const { page } = await open();
	await fillRequest(page);
	return page;
}

/** Waits until some file shows `phase` (data-phase on its line). */
async function phaseShown(page: Page, phase: 'fetch' | 'write' | 'zip'): Promise<void> {
	await page.locator(`.run .files li[data-phase="${phase}"]`).first().waitFor({ timeout: 60_000 });
}

interface RunWatch {
	downloads: () => number;
	zipUrls: () => Promise<number>;
	audit: Promise<string>;
}

/** What a run leaves behind, watched from before the launch. */
async function watchRun(page: Page): Promise<RunWatch> {
	return {
		downloads: countDownloads(page),
		zipUrls: await countZipUrls(page),
		audit: auditFromNow(page)
	};
}

/**
 * After a cancel: nothing produced, nothing left running. Once every worker is closed and the
 * audit event is in, no request, ZIP or download can come any more (`runOver`).
 */
async function expectCleanCancel(page: Page, watch: RunWatch): Promise<void> {
	expect(await page.getByText("Extraction annulée : aucun fichier n'a été produit.").count()).toBe(
		1
	);
	await runOver(page, watch.audit, 'cancelled');
	expect(await watch.zipUrls()).toBe(0);
	expect(watch.downloads()).toBe(0);
	expect(await page.getByRole('link', { name: /^Télécharger/ }).count()).toBe(0);
	expect(await page.locator('.run [data-phase="done"]').count()).toBe(0);
}

beforeAll(async () => {
	browser = await launchBrowser();
	await clearFaults();
	const page = await openFilled();
	reference = contentOf((await launchAndDownload(page)).workbooks);
}, 180_000);

afterEach(async () => {
	await clearFaults();
	while (opened.length) await opened.pop()!.close();
});

afterAll(async () => {
	await browser?.close();
});

describe('cancel', () => {
	it('during fetch: requests aborted, workers ended, ready at once, no download', async () => {
		const page = await openFilled();
		const watch = await watchRun(page);
		// Slow answers: requests are surely in flight when Annuler is pressed.
		await setFaults({ latencyMs: 800 });
		await launchButton(page).click();
		await phaseShown(page, 'fetch');
		// A page request has reached the sandbox: with 800 ms of latency it is still in flight.
		await expect.poll(async () => (await sandboxCounters()).requests).toBeGreaterThan(0);
		expect(page.workers().length).toBeGreaterThan(0);
		const ms = await cancelAndMeasure(page);
		expect(ms).toBeLessThan(READY_MS);
		await expectCleanCancel(page, watch);
		// The requests in flight were abandoned by the browser, not left to finish.
		expect((await sandboxCounters()).aborted).toBeGreaterThan(0);
	});

	it('during writing: the busy worker is ended, ready at once, no download', async () => {
		const page = await openFilled();
		const watch = await watchRun(page);
		// Each workbook's « write » progress is followed by 10 s of synchronous work.
		await wrapWorker(
			page,
			`${IS_CALL}
			const post = MessagePort.prototype.postMessage;
			MessagePort.prototype.postMessage = function (message, ...rest) {
				post.call(this, message, ...rest);
				if (message?.type === 'APPLY' && message.argumentList?.[0]?.value?.phase === 'write') block(10000);
			};`
		);
		await launchButton(page).click();
		await phaseShown(page, 'write');
		const ms = await cancelAndMeasure(page);
		expect(ms).toBeLessThan(READY_MS);
		await expectCleanCancel(page, watch);
	});

	it('during zipping: ended, ready at once, no download; a new launch then works', async () => {
		const page = await openFilled();
		const watch = await watchRun(page);
		// The ZIP call waits 10 s in the worker before being served.
		const unwrap = await wrapWorker(
			page,
			`${IS_CALL}
			self.addEventListener('message', (event) => {
				if (isCall(event.data, 'zipWorkbooks')) block(10000);
			});`
		);
		await launchButton(page).click();
		await phaseShown(page, 'zip');
		expect(await page.locator('.run .files li[data-phase="zip"]').count()).toBe(FILES.length);
		const ms = await cancelAndMeasure(page);
		expect(ms).toBeLessThan(READY_MS);
		await expectCleanCancel(page, watch);
		// The same page, a normal worker: the next launch runs to the end, with the same files.
		await unwrap();
		const run = await launchAndDownload(page);
		expect(contentOf(run.workbooks)).toEqual(reference);
	});
});

describe('a crashing worker', () => {
	it.each([
		[
			'an uncaught exception',
			`queueMicrotask(() => { throw new Error('panne simulée'); });`,
			'panne simulée'
		],
		[
			'an unhandled promise rejection',
			`queueMicrotask(() => { Promise.reject(new Error('rejet non géré')); });`,
			'rejet non géré'
		]
	])(
		'%s fails its file with a message, stops the others, offers nothing',
		// The crash comes while the file is being built (its first request is still to be made): a
		// worker that has handed its file over and has nothing left to do is ended at once.
		async (_, crash, cause) => {
			const page = await openFilled();
			const watch = await watchRun(page);
			await wrapWorker(
				page,
				`${IS_CALL}
			self.addEventListener('message', (event) => {
				if (isCall(event.data, 'runWorkbookJob', 'hospitalisations')) { ${crash} }
			});`
			);
			await launchButton(page).click();
			const text = await failureText(page);
			expect(text).toMatch(
				/^L'extraction a échoué : aucun fichier n'a été produit\. Le navigateur n'a pas pu faire les calculs de l'extraction\. Réessayez avec une période plus courte ou moins de fichiers ; si cela se reproduit, contactez l'administrateur de la plateforme en lui transmettant ce code : EB-NAVIGATEUR-[0-9A-F]{6}\. Détail technique /
			);
			expect(text).toContain(
				`Hospitalisations : Le processus de calcul de ce fichier s'est arrêté (Uncaught Error: ${cause}).`
			);
			expect(
				await page.locator('.run .files li[data-end="failed"]').getAttribute('data-file')
			).toBe('hospitalisations');
			expect(await noWorkerLeft(page)).toBe(0);
			await runOver(page, watch.audit, 'failed');
			expect(await watch.zipUrls()).toBe(0);
			expect(watch.downloads()).toBe(0);
			expect(await page.getByRole('link', { name: /^Télécharger/ }).count()).toBe(0);
			expect(await page.locator('.run [data-phase="done"]').count()).toBe(0);
			expect(await launchButton(page).isEnabled()).toBe(true);
		}
	);
});

/** Name and DOS date of each entry, from the ZIP's central directory (found by its end record). */
function zipEntryTimes(
	bytes: Uint8Array
): { name: string; year: number; month: number; day: number }[] {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let end = bytes.length - 22;
	while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
	if (end < 0) throw new Error('fin de répertoire ZIP introuvable');
	const count = view.getUint16(end + 10, true);
	let at = view.getUint32(end + 16, true);
	const out = [];
	for (let i = 0; i < count; i++) {
		if (view.getUint32(at, true) !== 0x02014b50) throw new Error('répertoire ZIP illisible');
		const date = view.getUint16(at + 14, true);
		const nameLength = view.getUint16(at + 28, true);
		const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
		const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
		out.push({ name, year: 1980 + (date >> 9), month: (date >> 5) & 15, day: date & 31 });
		at += 46 + skip;
	}
	return out;
}

describe('a workstation clock before 1980', () => {
	it('still gives a ZIP that opens, its entries dated at the earliest ZIP time', async () => {
		const { page } = await open({
			now: '1970-01-01T12:00:00+01:00',
			config: { pageSize: PAGE_SIZE }
		});
		await launchButton(page).waitFor();
		// "Today" is 01/01/1970 for the page: a period before it.
		await page.getByLabel('Date de début').fill('1969-12-01');
		await page.getByLabel('Date de fin').fill('1970-01-01');
		await page
			.getByRole('radiogroup', { name: 'RDV', exact: true })
			.getByRole('radio', { name: 'Oui' })
			.check();
		const run = await launchAndDownload(page);
		expect(run.name).toBe('Generic_extractions_brutes_01121969_01011970.zip');
		const entries = zipEntryTimes(run.bytes);
		expect(entries.map((e) => e.name)).toEqual(['RDV 01121969_01011970.xlsx']);
		expect(entries.map(({ year, month, day }) => [year, month, day])).toEqual([[1980, 1, 1]]);
		// The workbook inside opens, is dated 1980 too, and says when it was made: the page's 1970.
		const wb = readZip(run.bytes).get('RDV 01121969_01011970.xlsx')!;
		const inner = zipEntryTimes(unzipSync(run.bytes)['RDV 01121969_01011970.xlsx']!);
		expect(inner.length).toBeGreaterThan(3);
		expect(inner.every((e) => e.year === 1980 && e.month === 1 && e.day === 1)).toBe(true);
		const info = wb.rows('Informations').map((r) => r.join(' '));
		expect(info.some((line) => line.includes('01/01/1970 12:00'))).toBe(true);
		expect(wb.rows('RDV')).toHaveLength(1);
	});
});
