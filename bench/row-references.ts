/**
 * `npm run bench:rows`: what `r="…"` on data rows costs. Builds every workbook of the bench's
 * extraction (every file, 2019 → mid-2026, archived included) with the core in Node against the
 * sandbox, then deflates each worksheet as written and with a reference on every `<row>` (what
 * the writer wrote before), alternately, with zlib at its default level (what `CompressionStream`
 * uses). Same XML otherwise, same process: the ratio holds on a busy machine, the times do not.
 *
 * Usage: npm run bench:rows -- [--scale medium] [--repeats 5]
 */
import { unzipSync } from 'fflate';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { createSandboxServer } from '../sandbox/server';
import { createSpicoClient } from '../src/lib/api/client';
import { launchInstant } from '../src/lib/core/calendar';
import { planExtraction, type ExtractionContext } from '../src/lib/core/extraction/plan';
import { runWorkbookJob } from '../src/lib/core/extraction/run-job';
import { everythingRequest } from '../harness/form-driver';

const { values } = parseArgs({
	options: {
		scale: { type: 'string', default: 'medium' },
		repeats: { type: 'string', default: '5' }
	}
});

/** Every `<row>` given its number again (rows are written in order, from 1). */
function withRowReferences(xml: string): string {
	let r = 0;
	return xml.replace(/<row( r="(\d+)")?>/g, (_, __, n: string | undefined) => {
		r = n === undefined ? r + 1 : Number(n);
		return `<row r="${r}">`;
	});
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const sandbox = await createSandboxServer({
	scale: values.scale as 'small' | 'medium' | 'large',
	port: 0
});
try {
	const client = createSpicoClient({ baseUrl: sandbox.url, getToken: () => 'sandbox-alice' });
	const me = await client.me();
	if (me.account.type !== 'structure') throw new Error('compte structure attendu');
	const catalogue = await client.thematics(me.account.structureId);
	const request = everythingRequest(catalogue, {
		from: '2019-01-01',
		to: '2026-06-30',
		archived: true
	});
	const context: ExtractionContext = {
		structure: { id: me.account.structureId, name: me.account.structureName },
		userId: me.user.id,
		request,
		launch: launchInstant(Date.UTC(2026, 5, 30, 8))
	};
	const plan = planExtraction(request, catalogue);
	const sheets: string[] = [];
	for (const job of plan.jobs) {
		const built = await runWorkbookJob(job, context, client);
		const bytes = new Uint8Array(built.parts.reduce((n, p) => n + p.length, 0));
		let o = 0;
		for (const p of built.parts) {
			bytes.set(p, o);
			o += p.length;
		}
		for (const [name, data] of Object.entries(unzipSync(bytes))) {
			if (name.startsWith('xl/worksheets/')) sheets.push(new TextDecoder().decode(data));
		}
	}
	const variants = {
		'as written': sheets.map((s) => Buffer.from(s)),
		'r on every row': sheets.map((s) => Buffer.from(withRowReferences(s)))
	};
	const times: Record<string, number[]> = { 'as written': [], 'r on every row': [] };
	const sizes: Record<string, [number, number]> = {};
	const repeats = Number(values.repeats);
	for (let i = 0; i < repeats; i++) {
		for (const [name, xmls] of Object.entries(i % 2 ? variants : reversed(variants))) {
			const t = performance.now();
			let out = 0;
			for (const xml of xmls) out += deflateRawSync(xml).length;
			times[name]!.push(performance.now() - t);
			sizes[name] = [xmls.reduce((n, x) => n + x.length, 0), out];
		}
	}
	console.log(`${values.scale}: ${sheets.length} worksheets, zlib default level, ${repeats} runs`);
	console.log('variant           XML MB  deflated MB  deflate ms (median)');
	for (const name of Object.keys(variants)) {
		const [xml, deflated] = sizes[name]!;
		console.log(
			name.padEnd(16),
			(xml / 1e6).toFixed(2).padStart(7),
			(deflated / 1e6).toFixed(2).padStart(12),
			median(times[name]!).toFixed(0).padStart(12),
			`  (${times[name]!.map((t) => t.toFixed(0)).join(', ')})`
		);
	}
} finally {
	await sandbox.close();
}

function reversed<T extends object>(o: T): T {
	return Object.fromEntries(Object.entries(o).reverse()) as T;
}
