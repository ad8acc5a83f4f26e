// The sandbox in its own process (its CPU and memory apart), and the plan of the benchmarked extraction.
import { spawn } from 'node:child_process';
import { createSpicoClient } from '../../src/lib/api/client';
import { everythingRequest } from '../../harness/form-driver';
import { type Thematic } from '../../src/lib/contract/spico';
import { planExtraction, type ExtractionPlan } from '../../src/lib/core/extraction/plan';
import { FROM, ROOT, TO, TOKEN } from './e2e-config';

export interface Sandbox {
	url: string;
	origin: string;
	pid: number;
	stop: () => void;
}

export function startSandbox(scale: string): Promise<Sandbox> {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			['--import', 'tsx', 'sandbox/cli.ts', '--scale', scale, '--port', '0'],
			{ cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }
		);
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const m = /: (http:\/\/127\.0\.0\.1:\d+)(\/api\/v1)/.exec(out);
			if (m?.[1] && m[2]) {
				resolve({
					url: m[1] + m[2],
					origin: m[1],
					pid: child.pid!,
					stop: () => child.kill('SIGTERM')
				});
			}
		});
		child.on('exit', (code) => reject(new Error(`sandbox exited (${code})`)));
	});
}

export async function planFor(apiUrl: string): Promise<{
	plan: ExtractionPlan;
	structureId: string;
	catalogue: Thematic[];
}> {
	const client = createSpicoClient({ baseUrl: apiUrl, getToken: () => TOKEN });
	const me = await client.me();
	if (me.account.type !== 'structure') throw new Error(`${TOKEN}: compte structure attendu`);
	const catalogue = await client.thematics(me.account.structureId);
	const request = everythingRequest(catalogue, { from: FROM, to: TO, archived: true });
	return {
		plan: planExtraction(request, catalogue),
		structureId: me.account.structureId,
		catalogue
	};
}
