/**
 * What the pseudonymisation key costs (SPEC §13): PBKDF2-SHA-256 at 600,000 iterations through
 * WebCrypto, as `derivePseudonymKey` does it, in headless Chromium and in Node; with, for the
 * browser, the longest gap of a 10 ms timer on the page while it derives (WebCrypto works off the
 * page's thread: the gap is the machine's load, not the derivation).
 * Usage: npm run bench:pbkdf2 -- [--runs 5] [--iterations 600000]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../harness/browser';
import { PBKDF2_ITERATIONS } from '../src/lib/core/pseudonymise/key';

const { values } = parseArgs({
	options: {
		runs: { type: 'string', default: '5' },
		iterations: { type: 'string', default: String(PBKDF2_ITERATIONS) }
	}
});
const runs = Number(values.runs);
const iterations = Number(values.iterations);

/** One derivation, as key.ts does it; runs in the page or in Node. */
async function derive(iterations: number, i: number): Promise<number> {
	const enc = new TextEncoder();
	const t0 = performance.now();
	const base = await crypto.subtle.importKey(
		'raw',
		enc.encode(`mesure ${i} phrase secrète`),
		'PBKDF2',
		false,
		['deriveKey']
	);
	await crypto.subtle.deriveKey(
		{ name: 'PBKDF2', hash: 'SHA-256', salt: enc.encode('str-tnd-test'), iterations },
		base,
		{ name: 'HMAC', hash: 'SHA-256', length: 256 },
		false,
		['sign']
	);
	return performance.now() - t0;
}

function summary(label: string, ms: number[]): string {
	const sorted = [...ms].sort((a, b) => a - b);
	const median = sorted[Math.floor(sorted.length / 2)]!;
	return `${label}: median ${median.toFixed(0)} ms, min ${sorted[0]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)} (${ms.length} runs)`;
}

// WebCrypto wants a secure context: a page served from 127.0.0.1.
const server = createServer((_, res) => {
	res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>pbkdf2</title>');
});
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const browser = await launchBrowser();
try {
	const page = await browser.newPage();
	await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
	const inPage = await page.evaluate(
		async ({ runs, iterations, source }) => {
			const run = new Function(`return (${source})`)() as (n: number, i: number) => Promise<number>;
			const out: { ms: number; gap: number }[] = [];
			for (let i = 0; i < runs; i++) {
				let last = performance.now();
				let gap = 0;
				const ticker = setInterval(() => {
					const now = performance.now();
					gap = Math.max(gap, now - last);
					last = now;
				}, 10);
				const ms = await run(iterations, i);
				clearInterval(ticker);
				out.push({ ms, gap });
			}
			return out;
		},
		{ runs, iterations, source: derive.toString() }
	);
	const version = browser.version();
	console.log(`PBKDF2-SHA-256, ${iterations.toLocaleString('fr-FR')} iterations`);
	console.log(
		summary(
			`Chromium ${version}`,
			inPage.map((r) => r.ms)
		) + `; longest timer gap on the page ${Math.max(...inPage.map((r) => r.gap)).toFixed(0)} ms`
	);
	const inNode: number[] = [];
	for (let i = 0; i < runs; i++) inNode.push(await derive(iterations, i));
	console.log(summary(`Node ${process.version}`, inNode));
} finally {
	await browser.close();
	server.close();
}
