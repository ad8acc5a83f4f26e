// sha256 of every uncompressed part of every workbook of a full extraction against the sandbox,
// built by the core in Node: a refactor that claims "behaviour unchanged" compares this output
// before and after. The clock is fixed, so the same code and data give the same digests.
// Usage: npx tsx bench/parts-digest.ts [--scale medium] [--fresh]   (--fresh: regenerate data)
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { unzipSync } from 'fflate';
import { createSandboxServer } from '../sandbox/server';
import type { Scale } from '../sandbox/generator';
import { createSpicoClient } from '../src/lib/api/client';
import { STATUS_CODES } from '../src/lib/contract/spico';
import { planExtraction, type ExtractionContext } from '../src/lib/core/extraction/plan';
import { runWorkbookJob } from '../src/lib/core/extraction/run-job';
import type { ExtractionRequest } from '../src/lib/core/request';
import { launchInstant } from '../src/lib/core/calendar';
import { FILE_KINDS } from '../src/lib/core/file-kinds';

const { values } = parseArgs({
	options: { scale: { type: 'string', default: 'medium' }, fresh: { type: 'boolean' } }
});
// 30/06/2026 10:15 in Paris.
const LAUNCHED_AT_MS = Date.UTC(2026, 5, 30, 8, 15, 0);
const TODAY = '2026-06-30';

const cacheDir = values.fresh ? mkdtempSync(join(tmpdir(), 'parts-digest-')) : undefined;
const sandbox = await createSandboxServer({
	scale: values.scale as Scale,
	today: TODAY,
	...(cacheDir ? { cacheDir } : {})
});
try {
	const client = createSpicoClient({ baseUrl: sandbox.url, getToken: () => 'sandbox-alice' });
	const me = await client.me();
	if (me.account.type !== 'structure') throw new Error('alice doit être un compte structure');
	const catalogue = await client.thematics(me.account.structureId);
	const request: ExtractionRequest = {
		period: { from: '2019-01-01', to: '2026-06-30' },
		archived: true,
		statuses: [...STATUS_CODES],
		kinds: [...FILE_KINDS],
		forms: catalogue.flatMap((t) => t.forms.map((f) => ({ thematicId: t.id, formId: f.id })))
	};
	const context: ExtractionContext = {
		structure: { id: me.account.structureId, name: me.account.structureName },
		userId: me.user.id,
		request,
		launch: launchInstant(LAUNCHED_AT_MS)
	};
	const plan = planExtraction(request, catalogue);
	console.log(`# ${plan.zipName}`);
	for (const job of plan.jobs) {
		const built = await runWorkbookJob(job, context, client);
		const bytes = new Uint8Array(built.size);
		let offset = 0;
		for (const p of built.parts) {
			bytes.set(p, offset);
			offset += p.length;
		}
		const entries = unzipSync(bytes);
		for (const name of Object.keys(entries).sort()) {
			const digest = createHash('sha256').update(entries[name]!).digest('hex');
			console.log(`${digest}  ${built.fileName}/${name}`);
		}
	}
} finally {
	await sandbox.close();
	if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
}
