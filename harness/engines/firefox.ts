/**
 * Firefox ESR through puppeteer-core over WebDriver BiDi: a fresh profile in a temporary folder
 * (deleted on close), French locale, Paris time, and downloads saved without asking into a
 * folder of that profile, where `downloadAfter` picks them up.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type ElementHandle, type Page } from 'puppeteer-core';
import {
	DOWNLOAD_CAPTURE,
	fillDateExpression,
	findExpression,
	poll,
	type DriverPage,
	type ElementQuery,
	type EngineBrowser
} from './driver';

export const FIREFOX_PATH = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

export async function launchFirefox(): Promise<EngineBrowser> {
	const root = mkdtempSync(join(tmpdir(), 'eb-firefox-'));
	const profile = join(root, 'profile');
	const downloads = join(root, 'downloads');
	mkdirSync(profile);
	mkdirSync(downloads);
	const browser = await puppeteer
		.launch({
			browser: 'firefox',
			executablePath: FIREFOX_PATH,
			headless: true,
			userDataDir: profile,
			defaultViewport: { width: 1280, height: 900 },
			env: { ...process.env, TZ: 'Europe/Paris', LANG: 'fr_FR.UTF-8' },
			extraPrefsFirefox: {
				'browser.download.dir': downloads,
				'browser.download.folderList': 2,
				'browser.download.useDownloadDir': true,
				'browser.download.always_ask_before_handling_new_types': false,
				'browser.download.alwaysOpenPanel': false,
				'browser.download.manager.showWhenStarting': false,
				'browser.helperApps.neverAsk.saveToDisk': 'application/zip,application/octet-stream',
				'intl.accept_languages': 'fr-FR, fr',
				'intl.locale.requested': 'fr-FR',
				// No calls home from the test machine.
				'app.update.enabled': false,
				'browser.shell.checkDefaultBrowser': false,
				'datareporting.policy.dataSubmissionEnabled': false,
				'toolkit.telemetry.enabled': false
			}
		})
		.catch((error: unknown) => {
			rmSync(root, { recursive: true, force: true });
			throw error;
		});
	const version = await browser.version();
	return {
		engine: 'firefox',
		version,
		pid: browser.process()?.pid ?? null,
		async newPage() {
			return firefoxPage(await browser.newPage(), downloads);
		},
		async close() {
			await browser.close().catch(() => {});
			rmSync(root, { recursive: true, force: true });
		}
	};
}

function firefoxPage(page: Page, downloads: string): DriverPage {
	const consoleErrors: string[] = [];
	page.on('console', (msg) => {
		if (msg.type() === 'error') consoleErrors.push(msg.text());
	});
	page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${String(error)}`));

	const self: DriverPage = {
		engine: 'firefox',
		consoleErrors,
		async goto(url) {
			await page.goto(url, { waitUntil: 'load' });
		},
		async reload() {
			await page.reload({ waitUntil: 'load' });
		},
		evaluate<T>(expression: string) {
			return page.evaluate(expression) as Promise<T>;
		},
		async click(query: ElementQuery, timeoutMs = 30_000) {
			const what = JSON.stringify(query);
			const handle = await poll(
				async () => {
					const h = await page.evaluateHandle(findExpression(query));
					const el = h.asElement() as ElementHandle<Element> | null;
					if (el) return el;
					await h.dispose();
					return null;
				},
				timeoutMs,
				`élément ${what}`
			);
			try {
				await handle.click();
			} finally {
				await handle.dispose();
			}
		},
		async fillDate(label, value) {
			await poll(() => page.evaluate(fillDateExpression(label, value)), 30_000, label);
		},
		async waitFor(expression, timeoutMs = 30_000, what = expression) {
			await poll(() => page.evaluate(expression), timeoutMs, what);
		},
		async downloadAfter(action, timeoutMs = 120_000) {
			// The name the page asks for, from the page; the file, from the download folder.
			await page.evaluate(DOWNLOAD_CAPTURE);
			const index = await self.evaluate<number>('window.__ebCapture.clicks.length');
			await action();
			const asked = await poll(
				() => self.evaluate<string | null>(`window.__ebCapture.clicks[${index}]?.name ?? null`),
				timeoutMs,
				'téléchargement'
			);
			// Firefox writes under a temporary name, then renames: done once the asked name is
			// there, no `.part` is left, and its size holds.
			let size = -1;
			const name = await poll(
				async () => {
					const files = readdirSync(downloads);
					if (files.some((f) => f.endsWith('.part'))) return null;
					const found = files.find((f) => f === asked);
					if (!found) return null;
					let now: number;
					try {
						now = statSync(join(downloads, found)).size;
					} catch {
						return null; // being replaced
					}
					const stable = now === size && now > 0;
					size = now;
					return stable ? found : null;
				},
				timeoutMs,
				`téléchargement de ${asked}`
			);
			const path = join(downloads, name);
			const bytes = new Uint8Array(readFileSync(path));
			rmSync(path);
			return { name, bytes };
		}
	};
	return self;
}
