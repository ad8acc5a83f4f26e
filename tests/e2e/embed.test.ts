/**
 * The embedded module (SPEC §10) on the example host (examples/host/), served on its own origin
 * with the CSP the README asks hosts for, the sandbox API on another: a full extraction over
 * CORS whose workbooks equal the standalone app's, nothing contacted but the host and the API,
 * styles isolated both ways, unmount and a second instance, a CSP that forbids the workers.
 * The standalone build is served by a plain static server with a real config.json.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Download, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, serveFiles } from '../../examples/host/static-server';
import { EMBED_DIR, hostCsp, serveHost } from '../../examples/host/server';
import { FILE_LEGENDS, fillEverything, launchButton, yesNo } from '../../harness/form-driver';
import { readZip } from '../helpers/read-extraction';
import { DEFAULT_TOKEN } from './global-setup';
import { collectConsoleErrors, e2e, launchBrowser, newContext } from './harness';

const FROM = '2023-03-15';
const TO = '2024-02-20';
const ZIP = 'Generic_extractions_brutes_15032023_20022024.zip';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const originOf = (url: string) => new URL(url).origin;

let browser: Browser;
let host: Server;
let hostUrl: string;
let standalone: Server;
let standaloneUrl: string;
let standaloneDir: string;
/** Both runs see the same clock, so that the Informations sheets agree to the minute. */
const NOW = new Date();
const servers: Server[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
	const { apiUrl } = e2e();
	await readFile(join(EMBED_DIR, 'extractions-brutes.js')).catch(() => {
		throw new Error('[e2e] build/embed/ is missing (E2E_SKIP_BUILD=1?): run `npm run build`.');
	});
	browser = await launchBrowser();
	host = await serveHost({ apiBaseUrl: apiUrl, token: DEFAULT_TOKEN });
	hostUrl = urlOf(host);
	// The standalone build as a deployment has it: the files, and a config.json beside them.
	standaloneDir = await mkdtemp(join(tmpdir(), 'eb-standalone-'));
	await cp(join(ROOT, 'build'), standaloneDir, { recursive: true });
	await writeFile(
		join(standaloneDir, 'config.json'),
		JSON.stringify({ apiBaseUrl: apiUrl, token: DEFAULT_TOKEN })
	);
	standalone = await serveFiles([{ prefix: '/', dir: standaloneDir }]);
	standaloneUrl = urlOf(standalone);
}, 60_000);

afterAll(async () => {
	for (const context of contexts) await context.close().catch(() => {});
	await browser?.close();
	for (const server of [host, standalone, ...servers]) if (server) await closeServer(server);
	if (standaloneDir) await rm(standaloneDir, { recursive: true, force: true });
});

/** Every request of a context, from any page or worker, and every download. */
interface Recorded {
	page: Page;
	context: BrowserContext;
	requests: string[];
	downloads: string[];
	workers: string[];
	consoleErrors: string[];
}

async function open(url: string, options: { now?: Date } = {}): Promise<Recorded> {
	const context = await newContext(browser);
	contexts.push(context);
	const requests: string[] = [];
	const downloads: string[] = [];
	const workers: string[] = [];
	context.on('request', (request) => requests.push(request.url()));
	const page = await context.newPage();
	const consoleErrors = collectConsoleErrors(page);
	page.on('download', (download) => downloads.push(download.url()));
	page.on('worker', (worker) => workers.push(worker.url()));
	page.on('websocket', (socket) => requests.push(socket.url()));
	if (options.now) await page.clock.setFixedTime(options.now);
	await page.goto(url);
	return { page, context, requests, downloads, workers, consoleErrors };
}

/** RDV only: quick. */
async function fillSmall(scope: Page | Locator) {
	await launchButton(scope).waitFor({ timeout: 30_000 });
	await scope.getByLabel('Date de début').fill(FROM);
	await scope.getByLabel('Date de fin').fill(TO);
	for (const legend of [...FILE_LEGENDS, 'Statuts'])
		await yesNo(scope, legend, legend === 'RDV' ? 'Oui' : 'Non').check();
}

async function bytesOf(download: Download): Promise<Uint8Array> {
	return new Uint8Array(await readFile(await download.path()));
}

/** Launches and waits for the ZIP's automatic download. */
async function extract(page: Page, scope: Page | Locator = page): Promise<Download> {
	const downloading = page.waitForEvent('download', { timeout: 120_000 });
	await launchButton(scope).click();
	return downloading;
}

/** Every sheet of every workbook as rows of values, by file and sheet name. */
function cellsOf(zip: Uint8Array): Record<string, Record<string, unknown[][]>> {
	const out: Record<string, Record<string, unknown[][]>> = {};
	for (const [name, wb] of readZip(zip)) {
		out[name] = Object.fromEntries(wb.book.SheetNames.map((s) => [s, wb.rows(s)]));
	}
	return out;
}

/** The origin a request really goes to (`blob:http://h/…` belongs to `http://h`). */
function requestOrigin(url: string): string {
	return originOf(url.startsWith('blob:') ? url.slice('blob:'.length) : url);
}

const moduleRoot = (page: Page) => page.locator('#module [data-extractions-brutes]');

describe('a host on another origin, with the CSP of the README', () => {
	let embedded: Recorded;
	let standaloneRun: Recorded;
	let embeddedZip: Uint8Array;
	let standaloneZip: Uint8Array;
	let embeddedName: string;
	let standaloneName: string;
	let hostPolicy: string | undefined;

	beforeAll(async () => {
		embedded = await open(hostUrl, { now: NOW });
		hostPolicy = (await embedded.page.request.get(hostUrl)).headers()['content-security-policy'];
		await fillEverything(embedded.page, { from: FROM, to: TO });
		const a = await extract(embedded.page);
		embeddedName = a.suggestedFilename();
		embeddedZip = await bytesOf(a);
		await embedded.page.getByRole('heading', { name: 'Extraction terminée' }).waitFor();

		standaloneRun = await open(standaloneUrl, { now: NOW });
		await fillEverything(standaloneRun.page, { from: FROM, to: TO });
		const b = await extract(standaloneRun.page);
		standaloneName = b.suggestedFilename();
		standaloneZip = await bytesOf(b);
	}, 240_000);

	it('serves the host page with exactly default-src self, connect-src the API, worker-src self', () => {
		expect(hostPolicy).toBe(
			`default-src 'self'; connect-src ${e2e().sandboxUrl}; worker-src 'self'`
		);
		expect(hostPolicy).toBe(hostCsp(e2e().apiUrl));
	});

	it('completes a full extraction from the host page, over CORS, with no console error', async () => {
		expect(originOf(hostUrl)).not.toBe(e2e().sandboxUrl);
		expect(embeddedName).toBe(ZIP);
		const books = readZip(embeddedZip);
		expect(books.size).toBeGreaterThan(6);
		expect(embedded.consoleErrors).toEqual([]);
		// The host heard of the task twice: created, then done with the rows of each file.
		const events = embedded.page.locator('#events li');
		await expect.poll(() => events.count()).toBe(2);
		const [created, done] = await events.allInnerTexts();
		expect(created).toContain(`tâche créée — ${ZIP} — En cours`);
		const rows = [...books.values()].reduce(
			(sum, wb) =>
				sum +
				wb.book.SheetNames.filter((s) => s !== 'Informations').reduce(
					(n, s) => n + wb.rows(s).length - 1,
					0
				),
			0
		);
		expect(done).toBe(
			`tâche terminée — ${ZIP} — A traiter — ${books.size} fichier(s), ${rows} ligne(s)`
		);
	});

	it('gives a ZIP whose every workbook, sheet and cell equals the standalone app’s', () => {
		expect(standaloneName).toBe(embeddedName);
		expect(standaloneRun.consoleErrors).toEqual([]);
		const a = cellsOf(embeddedZip);
		const b = cellsOf(standaloneZip);
		expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
		expect(a['RDV 15032023_20022024.xlsx']?.['RDV']?.length).toBeGreaterThan(10);
		expect(a).toEqual(b);
	});

	it('contacts only the host’s origin and the API: page, module, workers, downloads', () => {
		const allowed = new Set([originOf(hostUrl), e2e().sandboxUrl]);
		const seen = [...embedded.requests, ...embedded.downloads, ...embedded.workers];
		expect(seen.filter((url) => !allowed.has(requestOrigin(url)))).toEqual([]);
		// What was recorded covers each kind: the module, its workers (from beside the module, not
		// the host's root), the bulk lists only the workers fetch, the blob: download.
		expect(embedded.requests).toContain(
			new URL('extractions-brutes/extractions-brutes.js', hostUrl).href
		);
		expect(embedded.workers.length).toBeGreaterThan(0);
		for (const worker of embedded.workers) {
			expect(worker.startsWith(new URL('extractions-brutes/assets/', hostUrl).href)).toBe(true);
		}
		expect(embedded.requests.some((u) => /\/structures\/[^/]+\/appointments\?/.test(u))).toBe(true);
		expect(embedded.downloads).toHaveLength(1);
		expect(embedded.downloads[0]!.startsWith(`blob:${originOf(hostUrl)}/`)).toBe(true);
		expect(embedded.context.serviceWorkers()).toEqual([]);

		const standaloneAllowed = new Set([originOf(standaloneUrl), e2e().sandboxUrl]);
		const standaloneSeen = [...standaloneRun.requests, ...standaloneRun.downloads];
		expect(standaloneSeen.filter((u) => !standaloneAllowed.has(requestOrigin(u)))).toEqual([]);
		expect(standaloneRun.requests).toContain(new URL('config.json', standaloneUrl).href);
	});

	it('keeps its IndexedDB under the extractions-brutes: prefix', async () => {
		const names = await embedded.page.evaluate(async () =>
			(await indexedDB.databases()).map((d) => d.name ?? '')
		);
		expect(names).toContain('extractions-brutes:taches');
		expect(names.filter((n) => !n.startsWith('extractions-brutes:'))).toEqual([]);
	});

	it('shows its Tâches in a view of its own, leaving the host’s URL alone', async () => {
		const { page } = embedded;
		const before = page.url();
		const nav = moduleRoot(page).getByRole('navigation', { name: 'Extractions brutes' });
		await nav.getByRole('button', { name: 'Tâches' }).click();
		const row = moduleRoot(page).locator('tr[data-task][data-state="A traiter"]');
		await row.waitFor();
		expect(await row.innerText()).toContain('Extraction brute des données');
		expect(await nav.getByRole('button', { name: 'Tâches' }).getAttribute('aria-current')).toBe(
			'page'
		);
		expect(page.url()).toBe(before);
		// The shared button and table styles reach the shadow root; narrow, rows become cards.
		const styleOf = (selector: string, prop: string) =>
			moduleRoot(page)
				.locator(selector)
				.first()
				.evaluate((e, p) => getComputedStyle(e).getPropertyValue(p), prop);
		expect(await styleOf('tr[data-task] button.eb-button', 'background-color')).toBe(
			'rgb(0, 0, 145)'
		);
		expect(await styleOf('table.eb-table', 'border-collapse')).toBe('collapse');
		expect(await styleOf('tr[data-task]', 'display')).toBe('table-row');
		const viewport = page.viewportSize()!;
		await page.setViewportSize({ width: 390, height: 844 });
		await expect.poll(() => styleOf('tr[data-task]', 'display')).toBe('block');
		await page.setViewportSize(viewport);
		// « Relancer » switches to the form, filled, without touching the host's URL.
		await row.getByRole('button', { name: /^Relancer/ }).click();
		await launchButton(moduleRoot(page)).waitFor();
		expect(await moduleRoot(page).getByLabel('Date de début').inputValue()).not.toBe('');
		expect(page.url()).toBe(before);
		await nav.getByRole('button', { name: 'Nouvelle extraction' }).click();
		await launchButton(moduleRoot(page)).waitFor();
		expect(page.url()).toBe(before);
	});
});

/** Computed styles of elements in the module's shadow root, by selector. */
function moduleStyles(page: Page): Promise<Record<string, Record<string, string>>> {
	return page.evaluate(() => {
		const root = document.querySelector('#module [data-extractions-brutes]')?.shadowRoot;
		if (!root) throw new Error('module absent');
		const props = [
			'display',
			'visibility',
			'color',
			'background-color',
			'font-family',
			'font-size',
			'line-height',
			'letter-spacing',
			'text-transform',
			'padding-top',
			'border-top-width'
		];
		const selectors = [
			'h1',
			'nav button[aria-current]',
			'form button[type="submit"]',
			'input[type="date"]',
			'label',
			'legend',
			'input[type="radio"]',
			'p'
		];
		const out: Record<string, Record<string, string>> = {};
		for (const selector of selectors) {
			const el = root.querySelector(selector);
			if (!el) throw new Error(`absent : ${selector}`);
			const style = getComputedStyle(el);
			out[selector] = Object.fromEntries(props.map((p) => [p, style.getPropertyValue(p)]));
		}
		return out;
	});
}

/** Computed styles of the host's own elements, and the host's style sheets. */
function hostStyles(page: Page) {
	return page.evaluate(() => {
		const props = [
			'display',
			'color',
			'background-color',
			'font-family',
			'font-size',
			'margin-top'
		];
		const selectors = [
			'html',
			'body',
			'.host-brand',
			'.host-intro',
			'.host-button',
			'#events-title'
		];
		const styles = Object.fromEntries(
			selectors.map((s) => {
				const el = document.querySelector(s);
				if (!el) throw new Error(`absent : ${s}`);
				const style = getComputedStyle(el);
				return [s, Object.fromEntries(props.map((p) => [p, style.getPropertyValue(p)]))];
			})
		);
		return {
			styles,
			sheets: [...document.styleSheets].map((s) => s.href ?? 'inline'),
			adopted: document.adoptedStyleSheets.length,
			styleElements: document.querySelectorAll('style').length
		};
	});
}

describe('styles, isolated both ways', () => {
	it('is untouched by a host’s aggressive global CSS, and still extracts', async () => {
		const plain = await open(hostUrl);
		await launchButton(plain.page).waitFor({ timeout: 30_000 });
		const expected = await moduleStyles(plain.page);

		const hostile = await open(`${hostUrl}?styles=hostile`);
		await launchButton(hostile.page).waitFor({ timeout: 30_000 });
		// The host's rules are in force on the host's own elements…
		await expect.poll(() => hostile.page.locator('#toggle').isVisible()).toBe(false);
		expect(await plain.page.locator('#toggle').isVisible()).toBe(true);
		// …and reach nothing inside the module.
		expect(await moduleStyles(hostile.page)).toEqual(expected);
		expect(expected['form button[type="submit"]']?.['background-color']).toBe('rgb(0, 0, 145)');

		await fillSmall(hostile.page);
		const download = await extract(hostile.page);
		expect(download.suggestedFilename()).toBe(ZIP);
		expect(await hostile.page.locator('#module').getByRole('table').isVisible()).toBe(true);
		expect(hostile.consoleErrors).toEqual([]);
	}, 120_000);

	it('does not change a host element, nor add a style sheet to the host’s document', async () => {
		const { page } = await open(`${hostUrl}?mount=manual`);
		await page.locator('#toggle').waitFor();
		const before = await hostStyles(page);
		await page.getByRole('button', { name: 'Monter le module' }).click();
		await launchButton(page).waitFor({ timeout: 30_000 });
		const after = await hostStyles(page);
		expect(after).toEqual(before);
		// The module has its own look: the comparison above is not between two equal pages.
		const inside = await moduleStyles(page);
		expect(inside['h1']?.['font-family']).toMatch(/^system-ui/);
		expect(before.styles['body']?.['font-family']).toMatch(/^Georgia/);
	});
});

/**
 * Event listeners on window and on the whole document tree (shadow roots included) whose handler
 * comes from the page's own scripts (the host's, the module's): Playwright's injected helpers,
 * which add listeners of their own while acting, have no URL.
 */
async function listeners(page: Page): Promise<string[]> {
	const cdp = await page.context().newCDPSession(page);
	const scripts = new Map<string, string>();
	cdp.on('Debugger.scriptParsed', (e) => scripts.set(e.scriptId, e.url));
	try {
		await cdp.send('Debugger.enable');
		const out: string[] = [];
		for (const expression of ['window', 'document']) {
			const { result } = await cdp.send('Runtime.evaluate', { expression });
			const { listeners } = await cdp.send('DOMDebugger.getEventListeners', {
				objectId: result.objectId!,
				depth: -1,
				pierce: true
			});
			for (const l of listeners) {
				const url = scripts.get(l.scriptId) ?? '';
				if (!url.startsWith('http')) continue;
				const file = new URL(url).pathname;
				const capture = l.useCapture ? ' capture' : '';
				out.push(`${expression} ${l.type}${capture} node:${l.backendNodeId ?? '-'} ${file}`);
			}
		}
		return out.sort();
	} finally {
		await cdp.send('Debugger.disable').catch(() => {});
		await cdp.detach();
	}
}

/** Holds every bulk list request of a page `ms` before letting it go: a run stays « En cours ». */
async function slowLists(page: Page, ms: number) {
	await page.route(`${e2e().apiUrl}/structures/**`, async (route) => {
		const url = route.request().url();
		if (route.request().method() === 'GET' && !url.endsWith('/thematics')) {
			await new Promise((r) => setTimeout(r, ms));
		}
		await route.continue().catch(() => {});
	});
}

describe('unmount and a second instance', () => {
	it('unmount() cancels the run, terminates the workers and leaves no listener behind', async () => {
		const { page, consoleErrors } = await open(`${hostUrl}?mount=manual`);
		const toggle = page.locator('#toggle');
		await toggle.waitFor();
		const baseline = await listeners(page);

		const created = page.locator('#events li[data-event="tâche créée"]');
		let runs = 0;
		/** Mounts, launches, unmounts mid-run; returns the listeners left after. */
		const cycle = async () => {
			await toggle.click();
			await fillSmall(page);
			await launchButton(page).click();
			// Mid-run: the task exists, the workers run, their first list request is held.
			await expect.poll(() => page.workers().length, { timeout: 30_000 }).toBeGreaterThan(0);
			await expect.poll(() => created.count(), { timeout: 30_000 }).toBe(++runs);
			await toggle.click();
			await expect.poll(() => toggle.innerText()).toBe('Monter le module');
			await expect.poll(() => page.workers().length).toBe(0);
			expect(await page.locator('#module').evaluate((el) => el.childElementCount)).toBe(0);
			return listeners(page);
		};

		await slowLists(page, 10_000);
		const first = await cycle();
		// Svelte's runtime adds one capture `reset` listener on the document the first time a
		// bound form field exists, for the page's life (once per page, not per mount).
		const svelteReset = first.filter((l) => !baseline.includes(l));
		expect(svelteReset).toEqual([
			expect.stringMatching(
				/^document reset capture node:\d+ \/extractions-brutes\/extractions-brutes\.js$/
			)
		]);
		expect(first.filter((l) => l !== svelteReset[0])).toEqual(baseline);
		// A second mount and unmount adds nothing at all.
		expect(await cycle()).toEqual(first);

		// Each run was cancelled, not left « En cours »: the host heard it end.
		const done = page.locator('#events li[data-event="tâche terminée"]');
		await expect.poll(() => done.count()).toBe(2);
		for (const text of await done.allInnerTexts()) expect(text).toContain('— Annulée —');
		expect(consoleErrors).toEqual([]);
	}, 120_000);

	it('runs two instances on one page: mount() and the <extractions-brutes> element', async () => {
		const { page, consoleErrors } = await open(hostUrl);
		const first = moduleRoot(page);
		await launchButton(first).waitFor({ timeout: 30_000 });
		const { apiUrl } = e2e();
		await page.evaluate(
			async ({ apiUrl, token }) => {
				await customElements.whenDefined('extractions-brutes');
				const el = document.createElement('extractions-brutes');
				el.id = 'second';
				el.setAttribute('api-base-url', apiUrl);
				el.getToken = async () => token;
				const events: unknown[] = [];
				(window as unknown as { elementEvents: unknown[] }).elementEvents = events;
				el.addEventListener('task-created', (e) => events.push(['created', e.detail]));
				el.addEventListener('task-done', (e) => events.push(['done', e.detail]));
				document.body.append(el);
			},
			{ apiUrl, token: DEFAULT_TOKEN }
		);
		const second = page.locator('#second');
		await launchButton(second).waitFor({ timeout: 30_000 });
		expect(await launchButton(page).count()).toBe(2);

		await fillSmall(second);
		const download = await extract(page, second);
		expect(download.suggestedFilename()).toBe(ZIP);
		const rdv = readZip(await bytesOf(download)).get('RDV 15032023_20022024.xlsx');
		const rows = rdv!.rows('RDV').length - 1;
		expect(rows).toBeGreaterThan(0);
		// The first instance sat still, and sees the second's task in its Tâches view (same user).
		expect(await first.locator('.run').count()).toBe(0);
		await first.getByRole('button', { name: 'Tâches' }).click();
		await first.locator('tr[data-task][data-state="A traiter"]').waitFor();

		const events = await page.evaluate(
			() => (window as unknown as { elementEvents: unknown[] }).elementEvents
		);
		expect(events).toHaveLength(2);
		const [[createdKind, created], [doneKind, done]] = events as [
			[string, Record<string, unknown>],
			[string, Record<string, unknown>]
		];
		expect([createdKind, doneKind]).toEqual(['created', 'done']);
		expect(created).toMatchObject({ state: 'En cours', outcome: null, zipName: ZIP, dueAt: null });
		expect(done).toEqual({
			id: created!['id'],
			state: 'A traiter',
			outcome: 'done',
			zipName: ZIP,
			files: [{ fileName: 'RDV 15032023_20022024.xlsx', rows }],
			createdAt: created!['createdAt'],
			dueAt: expect.any(Number)
		});

		// Removing the element unmounts it; the first instance goes on.
		await page.evaluate(() => document.getElementById('second')?.remove());
		await expect.poll(() => launchButton(page).count()).toBe(0);
		await first.getByRole('button', { name: 'Nouvelle extraction' }).click();
		await launchButton(first).waitFor();
		expect(consoleErrors).toEqual([]);
	}, 120_000);

	it('the element says what is wrong when its api-base-url is missing', async () => {
		const { page } = await open(`${hostUrl}?mount=manual`);
		await page.locator('#toggle').waitFor();
		await page.evaluate(async () => {
			await customElements.whenDefined('extractions-brutes');
			document.body.append(document.createElement('extractions-brutes'));
		});
		const alert = page.locator('extractions-brutes').getByRole('alert');
		await alert.waitFor();
		expect(await alert.innerText()).toContain(
			'Configuration invalide (options du module), champ « apiBaseUrl »'
		);
	});
});

describe('a host whose CSP forbids workers', () => {
	it('says that the page’s security policy forbids the module’s workers, without hanging', async () => {
		const { apiUrl, sandboxUrl } = e2e();
		const strict = await serveHost({
			apiBaseUrl: apiUrl,
			token: DEFAULT_TOKEN,
			csp: `default-src 'self'; connect-src ${sandboxUrl}; worker-src 'none'`
		});
		servers.push(strict);
		const { page } = await open(urlOf(strict));
		await fillSmall(page);
		await launchButton(page).click();
		const alert = page.locator('#module .failure[role="alert"]');
		await alert.waitFor({ timeout: 20_000 });
		// A plain sentence and what to do; the policy's details behind the disclosure.
		expect(await alert.innerText()).toContain(
			"Le navigateur n'a pas pu faire les calculs de l'extraction."
		);
		await alert.getByText('Détail technique').click();
		const text = await alert.innerText();
		expect(text).toContain(
			'La politique de sécurité (Content-Security-Policy) de la page interdit'
		);
		expect(text).toContain("worker-src 'self'");
		const done = page.locator('#events li[data-event="tâche terminée"]');
		await done.waitFor();
		expect(await done.innerText()).toContain('— Échec —');
	}, 60_000);
});

describe('the published files', () => {
	it('has the bundle, its worker and its declarations where package.json’s exports say', async () => {
		const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
			exports: Record<string, { types: string; default: string }>;
		};
		const embed = pkg.exports['./embed']!;
		const bundle = await readFile(join(ROOT, embed.default), 'utf8');
		expect(await readFile(join(ROOT, embed.types), 'utf8')).toBe(
			await readFile(join(ROOT, 'src/embed/public.d.ts'), 'utf8')
		);
		expect(join(ROOT, embed.default)).toBe(join(EMBED_DIR, 'extractions-brutes.js'));
		// The worker is a file beside the bundle, found from the module's own URL.
		const worker =
			/new URL\(\s*[`'"](assets\/extraction\.worker-[\w-]+\.js)[`'"],\s*import\.meta\.url\)/.exec(
				bundle
			);
		expect(worker).not.toBeNull();
		expect((await readFile(join(EMBED_DIR, worker![1]!))).length).toBeGreaterThan(1000);
		expect(bundle).not.toContain('__EXTRACTIONS_BRUTES_CSS__');
	});
});
