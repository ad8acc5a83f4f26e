/**
 * Throughput of the sandbox API: pages through ALL appointments of the `large` scale over HTTP
 * with limit=5000 (wide period, all statuses, archived included), server in its own process.
 * `--generate` also times a fresh generation of each scale (into a temporary directory).
 * Usage: npm run bench:sandbox -- [--scale large] [--list appointments] [--generate]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSpicoClient } from '../src/lib/api/client';
import { STATUS_CODES, listSearchParams, type ListName } from '../src/lib/contract/spico';
import { openSandboxDb } from '../sandbox/db';
import { DEFAULT_SEED, SCALES, type Scale } from '../sandbox/generator';

const { values } = parseArgs({
	options: {
		scale: { type: 'string', default: 'large' },
		list: { type: 'string', default: 'appointments' },
		generate: { type: 'boolean', default: false }
	}
});
const scale = values.scale as Scale;

if (values.generate) {
	const dir = mkdtempSync(join(tmpdir(), 'sandbox-bench-'));
	try {
		for (const s of SCALES) {
			const opened = openSandboxDb({ scale: s, seed: DEFAULT_SEED, cacheDir: dir });
			const g = opened.generated;
			opened.db.close();
			if (g) {
				console.log(
					`generate ${s}: ${(g.ms / 1000).toFixed(1)} s, ${(g.bytes / 1e6).toFixed(0)} MB on disk,`,
					JSON.stringify(g.summary)
				);
			}
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** Starts the CLI in its own process (as in use) and resolves with its API URL. */
function startServer(): Promise<{ url: string; stop: () => void }> {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			['--import', 'tsx', 'sandbox/cli.ts', '--scale', scale, '--port', '0'],
			{ stdio: ['ignore', 'pipe', 'inherit'] }
		);
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const m = /: (http:\/\/127\.0\.0\.1:\d+\/api\/v1)/.exec(out);
			if (m?.[1]) resolve({ url: m[1], stop: () => child.kill('SIGTERM') });
		});
		child.on('exit', (code) => reject(new Error(`sandbox exited (${code})`)));
	});
}

const { url, stop } = await startServer();
try {
	const query = {
		from: '2019-01-01',
		to: '2026-06-30',
		archived: true,
		statuses: STATUS_CODES,
		limit: 5000
	};
	const headers = { Authorization: 'Bearer sandbox-alice' };
	for (const run of ['cold', 'warm']) {
		let cursor: string | null = null;
		let items = 0;
		let pages = 0;
		let bytes = 0;
		let total = 0;
		let firstPageMs = 0;
		const t0 = performance.now();
		do {
			const params = listSearchParams({ ...query, cursor });
			const res = await fetch(`${url}/structures/str-tnd-test/${values.list}?${params}`, {
				headers
			});
			if (!res.ok) throw new Error(`HTTP ${res.status}`);
			const text = await res.text();
			bytes += text.length;
			const page = JSON.parse(text) as {
				items: unknown[];
				nextCursor: string | null;
				total: number;
			};
			if (pages === 0) firstPageMs = performance.now() - t0;
			items += page.items.length;
			total = page.total;
			cursor = page.nextCursor;
			pages++;
		} while (cursor !== null);
		const s = (performance.now() - t0) / 1000;
		if (items !== total) throw new Error(`items ${items} ≠ total ${total}`);
		console.log(
			`${run} ${scale} ${values.list}: ${items} items in ${pages} pages, ${s.toFixed(2)} s → ` +
				`${Math.round(items / s).toLocaleString('en')} items/s, ${(bytes / 1e6).toFixed(0)} MB JSON, ` +
				`first page ${firstPageMs.toFixed(0)} ms`
		);
	}
	// The same pages through the module's client, which validates every item (for comparison).
	const client = createSpicoClient({ baseUrl: url, getToken: () => 'sandbox-alice' });
	let items = 0;
	const t0 = performance.now();
	for await (const page of client.pages('str-tnd-test', values.list as ListName, query)) {
		items += page.items.length;
	}
	const s = (performance.now() - t0) / 1000;
	console.log(
		`client+validation ${scale} ${values.list}: ${items} items in ${s.toFixed(2)} s → ` +
			`${Math.round(items / s).toLocaleString('en')} items/s`
	);
} finally {
	stop();
}
