/**
 * `npm run sandbox -- --scale <small|medium|large> --port <n> [--seed <n>] [--today AAAA-MM-JJ]
 * [fault flags]`: the sandbox API on 127.0.0.1 only.
 */
import { parseArgs } from 'node:util';
import { isIsoDate } from '../src/lib/contract/spico.ts';
import { FAULT_FLAGS, faultsFromFlags } from './faults.ts';
import { DEFAULT_SEED, SANDBOX_ACCOUNTS, SCALES, type Scale } from './generator.ts';
import { createSandboxServer } from './server.ts';

const USAGE = `Usage : npm run sandbox -- [--scale small|medium|large] [--port 8787] [--seed 42]
                         [--today AAAA-MM-JJ] [--no-storage-key]
Pannes : --latency <ms> --error-rate <0..1> --error-status <500|502|503|504>
         --unauthorized-after <n> --throttle-every <n> --throttle-status <429|503>
         --retry-after <s> --drop-every <n> --malformed <liste>:<index>:<champ>
         --mutate <liste>[:<ajouts>[:<suppressions>]]
Voir sandbox/README.md.`;

function fail(message: string): never {
	console.error(`${message}\n\n${USAGE}`);
	process.exit(2);
}

function main(): void {
	let values;
	try {
		({ values } = parseArgs({
			options: {
				scale: { type: 'string', default: 'small' },
				port: { type: 'string', default: '8787' },
				seed: { type: 'string', default: String(DEFAULT_SEED) },
				today: { type: 'string' },
				'no-storage-key': { type: 'boolean' },
				help: { type: 'boolean', short: 'h' },
				...FAULT_FLAGS
			},
			strict: true
		}));
	} catch (error) {
		fail((error as Error).message);
	}
	if (values.help) {
		console.log(USAGE);
		return;
	}
	const scale = values.scale as Scale;
	if (!SCALES.includes(scale)) fail(`--scale : ${SCALES.join(', ')} attendu`);
	const port = Number(values.port);
	if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port : entier 0..65535 attendu');
	const seed = Number(values.seed);
	if (!Number.isInteger(seed)) fail('--seed : entier attendu');
	if (values.today !== undefined && !isIsoDate(values.today)) fail('--today : AAAA-MM-JJ attendu');
	let faults;
	try {
		faults = faultsFromFlags(values);
	} catch (error) {
		fail((error as Error).message);
	}

	const t0 = performance.now();
	let announced = false;
	const onProgress = (done: number) => {
		if (!announced) announced = true;
		process.stdout.write(
			`\rGénération des données ${scale} (graine ${seed})… ${Math.round(done * 100)} %`
		);
	};
	createSandboxServer({
		scale,
		seed,
		port,
		today: values.today,
		faults,
		onProgress,
		storageKey: !values['no-storage-key']
	})
		.then((sandbox) => {
			if (announced) {
				const g = sandbox.handler.generated;
				const mb = g ? (g.bytes / 1e6).toFixed(0) : '?';
				console.log(
					`\nDonnées générées en ${((performance.now() - t0) / 1000).toFixed(1)} s (${mb} Mo, en cache).`
				);
			}
			console.log(`Bac à sable SPICO (${scale}, graine ${seed}) : ${sandbox.url}`);
			console.log(`Contrôle des pannes : ${sandbox.origin}/__sandbox/faults`);
			if (Object.keys(faults).length > 0) console.log(`Pannes actives : ${JSON.stringify(faults)}`);
			if (values['no-storage-key'])
				console.log('Clé de stockage : désactivée (storage-key → 404).');
			console.log('Jetons de démonstration (Authorization: Bearer <jeton>) :');
			for (const a of SANDBOX_ACCOUNTS) {
				const what = a.structureId ? `compte structure ${a.structureId}` : 'compte personnel';
				console.log(`  ${a.token.padEnd(16)} ${a.userName} — ${what}`);
			}
			const stop = () => void sandbox.close().then(() => process.exit(0));
			process.once('SIGINT', stop);
			process.once('SIGTERM', stop);
		})
		.catch((error: unknown) => {
			console.error(`Démarrage impossible : ${(error as Error).message}`);
			process.exit(1);
		});
}

main();
