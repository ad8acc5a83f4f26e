/**
 * Playwright enables the DevTools Network domain on the page and on every worker it attaches to,
 * and DevTools then keeps a copy of each response body in the renderer (up to 200 MB per
 * session): at `large` that is ~550 MB of API responses a real user's tab never holds. This
 * rewrites those `Network.enable` commands on their way to Chromium (Playwright's pipe) so that no
 * body is kept. The benchmark never reads a response body through Playwright.
 */
import { createRequire } from 'node:module';
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';

const require = createRequire(import.meta.url);
const childProcess = require('node:child_process') as typeof import('node:child_process');

const NO_BODIES = { maxTotalBufferSize: 1, maxResourceBufferSize: 1 };
let installed = false;

function rewrite(chunk: unknown): unknown {
	if (typeof chunk !== 'string' || !chunk.includes('"Network.enable"')) return chunk;
	const message = JSON.parse(chunk) as { method?: string; params?: object };
	if (message.method !== 'Network.enable') return chunk;
	message.params = { ...message.params, ...NO_BODIES };
	return JSON.stringify(message);
}

export function keepNoResponseBodies(): void {
	if (installed) return;
	installed = true;
	const spawn = childProcess.spawn;
	childProcess.spawn = function (this: unknown, ...args: unknown[]): ChildProcess {
		const child = (spawn as (...a: unknown[]) => ChildProcess).apply(this, args);
		const command = String(args[0]);
		const pipe = child.stdio[3] as Writable | null | undefined;
		if (/chrom/i.test(command) && pipe) {
			const write = pipe.write.bind(pipe) as (...a: unknown[]) => boolean;
			pipe.write = ((chunk: unknown, ...rest: unknown[]) =>
				write(rewrite(chunk), ...rest)) as Writable['write'];
		}
		return child;
	} as typeof childProcess.spawn;
}
