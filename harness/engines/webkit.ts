/**
 * WebKitGTK through its WebDriver (`WebKitWebDriver`, Debian's webkit2gtk-driver), which starts
 * MiniBrowser in automation mode (an ephemeral session: nothing kept on disk) on a virtual X
 * display (`xvfb-run`). WebDriver classic has no downloads: a script put in the page after each
 * load keeps the Blobs handed to `URL.createObjectURL` and the `download` links clicked, and
 * `downloadAfter` reads the bytes of the next one from the page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Builder, type WebDriver, type WebElement } from 'selenium-webdriver';
import {
	DOWNLOAD_CAPTURE,
	fillDateExpression,
	findExpression,
	poll,
	type DriverPage,
	type ElementQuery,
	type EngineBrowser
} from './driver';

export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH || '/usr/bin/WebKitWebDriver';
export const MINIBROWSER_PATH =
	process.env.MINIBROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

function freePort(): Promise<number> {
	return new Promise((done, fail) => {
		const server = createServer();
		server.on('error', fail);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => done(port));
		});
	});
}

/** Ends the driver, MiniBrowser and Xvfb: the process group `xvfb-run` leads. */
function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
	return new Promise((done) => {
		const timer = setTimeout(() => {
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				// already gone
			}
		}, 5000);
		child.once('exit', () => {
			clearTimeout(timer);
			done();
		});
		try {
			process.kill(-child.pid!, 'SIGTERM');
		} catch {
			clearTimeout(timer);
			done();
		}
	});
}

/** The child of `parent` running `comm` (Linux /proc), or null. */
function childNamed(parent: number, comm: string): number | null {
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const close = stat.lastIndexOf(')');
			const name = stat.slice(stat.indexOf('(') + 1, close);
			const ppid = Number(stat.slice(close + 2).split(' ')[1]);
			if (ppid === parent && name === comm) return Number(entry);
		} catch {
			// gone meanwhile
		}
	}
	return null;
}

export async function launchWebKit(): Promise<EngineBrowser> {
	const port = await freePort();
	// MiniBrowser saves downloads (and its caches) under HOME: a temporary one, deleted on close.
	const home = mkdtempSync(join(tmpdir(), 'eb-webkit-'));
	// Its own process group, so that closing ends Xvfb and the browser with the driver.
	const child = spawn(
		'xvfb-run',
		['-a', '-s', '-screen 0 1280x1024x24', WEBKIT_DRIVER_PATH, `--port=${port}`],
		{
			detached: true,
			stdio: ['ignore', 'ignore', 'pipe'],
			env: {
				...process.env,
				HOME: home,
				XDG_CACHE_HOME: join(home, 'cache'),
				XDG_CONFIG_HOME: join(home, 'config'),
				XDG_DATA_HOME: join(home, 'data'),
				TZ: 'Europe/Paris',
				LANG: 'fr_FR.UTF-8',
				LANGUAGE: 'fr_FR:fr',
				// Xvfb has no GPU: composited layers would be drawn by Mesa's software GL (llvmpipe),
				// ~3 s of CPU at `large` taken from the extraction, which Safari leaves to a GPU.
				WEBKIT_DISABLE_COMPOSITING_MODE: '1'
			}
		}
	);
	let log = '';
	child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
	const url = `http://127.0.0.1:${port}`;
	let driver: WebDriver;
	try {
		await poll(
			async () => {
				if (child.exitCode !== null) throw new Error(`WebKitWebDriver s'est arrêté :\n${log}`);
				return fetch(`${url}/status`).then(
					(r) => r.ok,
					() => false
				);
			},
			30_000,
			'WebKitWebDriver'
		);
		driver = await new Builder()
			.usingServer(url)
			.withCapabilities({
				browserName: 'MiniBrowser',
				'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] }
			})
			.build();
		await driver.manage().setTimeouts({ script: 300_000, pageLoad: 60_000 });
		await driver.manage().window().setRect({ width: 1280, height: 900 });
	} catch (error) {
		await stop(child);
		rmSync(home, { recursive: true, force: true });
		throw error;
	}
	const caps = await driver.getCapabilities();
	const driverPid = childNamed(child.pid!, 'WebKitWebDriver');
	let opened = false;
	return {
		engine: 'webkit',
		version: `WebKitGTK ${String(caps.get('browserVersion') ?? '?')}`,
		// The driver's tree: MiniBrowser and its web and network processes, not Xvfb.
		pid: driverPid,
		async newPage() {
			if (opened) throw new Error('WebKit : une seule page par navigateur');
			opened = true;
			return webkitPage(driver);
		},
		async close() {
			await driver.quit().catch(() => {});
			await stop(child);
			rmSync(home, { recursive: true, force: true });
		}
	};
}

async function bytesOfDownload(driver: WebDriver, index: number): Promise<Uint8Array> {
	// Base64 in slices: one string for the whole file would be built twice over.
	const base64 = await driver.executeAsyncScript<string>(
		`const done = arguments[arguments.length - 1];
		const { blobs, clicks } = window.__ebCapture;
		blobs.get(clicks[${index}].url).arrayBuffer().then((buffer) => {
			const bytes = new Uint8Array(buffer);
			let out = '';
			for (let i = 0; i < bytes.length; i += 0x6000) {
				out += btoa(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x6000)));
			}
			done(out);
		}, (e) => done('!' + e));`
	);
	if (base64.startsWith('!')) throw new Error(`lecture du Blob : ${base64.slice(1)}`);
	// Each slice of 0x6000 bytes (a multiple of 3) encodes without padding but the last.
	return new Uint8Array(Buffer.from(base64, 'base64'));
}

function webkitPage(driver: WebDriver): DriverPage {
	const evaluate = async <T>(expression: string): Promise<T> => {
		const out = await driver.executeAsyncScript<{ ok?: T; error?: string }>(
			`const done = arguments[arguments.length - 1];
			Promise.resolve().then(() => (${expression})).then(
				(ok) => done({ ok: ok === undefined ? null : ok }),
				(e) => done({ error: String(e && e.stack || e) })
			);`
		);
		if (out.error !== undefined) throw new Error(out.error);
		return out.ok as T;
	};
	const capture = () => driver.executeScript(`return ${DOWNLOAD_CAPTURE}`);

	return {
		engine: 'webkit',
		// WebDriver classic does not relay the console: nothing to collect.
		consoleErrors: [],
		async goto(url) {
			await driver.get(url);
			await capture();
		},
		async reload() {
			await driver.navigate().refresh();
			await capture();
		},
		evaluate,
		async click(query: ElementQuery, timeoutMs = 30_000) {
			const element = await poll(
				() => driver.executeScript<WebElement | null>(`return ${findExpression(query)}`),
				timeoutMs,
				`élément ${JSON.stringify(query)}`
			);
			await element.click();
		},
		async fillDate(label, value) {
			await poll(() => evaluate<boolean>(fillDateExpression(label, value)), 30_000, label);
		},
		async waitFor(expression, timeoutMs = 30_000, what = expression) {
			await poll(() => evaluate(expression), timeoutMs, what);
		},
		async downloadAfter(action, timeoutMs = 120_000) {
			await capture();
			const index = await evaluate<number>('window.__ebCapture.clicks.length');
			await action();
			await poll(
				() => evaluate<boolean>(`window.__ebCapture.clicks.length > ${index}`),
				timeoutMs,
				'téléchargement'
			);
			const name = await evaluate<string>(`window.__ebCapture.clicks[${index}].name`);
			return { name, bytes: await bytesOfDownload(driver, index) };
		}
	};
}
