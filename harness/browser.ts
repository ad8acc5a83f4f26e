// Headless Chromium as the e2e tests and the benchmark drive it: a fresh profile, French locale
// and Paris time, console errors collected.
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
