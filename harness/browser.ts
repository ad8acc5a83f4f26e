// Headless Chromium as the e2e tests and the benchmark drive it: a fresh profile, French locale
// and Paris time, console errors collected.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Background networking off: otherwise Chromium's calls home fail noisily at start-up.
export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	// Date inputs follow the UI language when its locale pack is installed (chromium-l10n).
	'--lang=fr-FR'
];

/**
 * Headless Chromium. Playwright gives each launch its own temporary profile (user-data dir),
 * deleted on close; each `openApp` then opens an isolated context (own storage, IndexedDB).
 */
export function launchBrowser(): Promise<Browser> {
	return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A Chromium profile kept in `userDataDir` (what a shared workstation's browser keeps between
 * sessions): closing the context and launching again on the same folder finds the same storage.
 */
export function launchProfile(userDataDir: string): Promise<BrowserContext> {
	return chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM_PATH,
		headless: true,
		args: CHROMIUM_ARGS,
		locale: 'fr-FR',
		timezoneId: 'Europe/Paris',
		viewport: { width: 1280, height: 900 },
		acceptDownloads: true
	});
}

/** A Chromium to drive: the context its pages open in, its main process, how to end it. */
export interface LaunchedChromium {
	context: BrowserContext;
	/** The browser's main process. */
	pid: number;
	close(): Promise<void>;
}

/**
 * Headless Chromium on a profile of its own on disk (a temporary user-data dir, deleted on
 * close), as staff's browsers are. Contexts from `browser.newContext()` are off the record: their
 * IndexedDB and Blobs are held in memory, so the Tâches copy of a `large` ZIP stayed in the
 * browser process (36 MB of IndexedDB, measured with memory-infra). A persistent context has no
 * Browser object: the main process is found by its user-data dir.
 */
export async function launchOnDisk(): Promise<LaunchedChromium> {
	const dir = mkdtempSync(join(tmpdir(), 'eb-chromium-'));
	try {
		const context = await launchProfile(dir);
		const pid = mainProcessOf(dir);
		return {
			context,
			pid,
			async close() {
				await context.close();
				rmSync(dir, { recursive: true, force: true });
			}
		};
	} catch (error) {
		rmSync(dir, { recursive: true, force: true });
		throw error;
	}
}

/** The Chromium process started with `--user-data-dir=<dir>` and no `--type` (the browser). */
function mainProcessOf(dir: string): number {
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		let args: string[];
		try {
			args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
		} catch {
			continue;
		}
		if (args.includes(`--user-data-dir=${dir}`) && !args.some((a) => a.startsWith('--type='))) {
			return Number(name);
		}
	}
	throw new Error(`Aucun processus Chromium pour ${dir}`);
}

/** A new isolated context: fr-FR, Europe/Paris, a desktop viewport. */
export function newContext(browser: Browser, viewport = { width: 1280, height: 900 }) {
	return browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport });
}

/** Collects console errors and uncaught exceptions of a page into a live array. */
export function collectConsoleErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('console', (msg) => {
		if (msg.type() === 'error') errors.push(msg.text());
	});
	page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
	return errors;
}
