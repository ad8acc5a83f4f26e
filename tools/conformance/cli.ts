/**
 * `npm run conformance -- --api <base URL> --token <token> [--other-token <token>]
 * [--origin <app origin>] [--from AAAA-MM-JJ --to AAAA-MM-JJ] [--max-requests N]
 * [--timeout-ms N] [--max-seconds N] [--max-response-mb N]`
 *
 * Exit code: 0 when every check passed, 1 when one failed, 2 on bad arguments.
 */
import { parseArgs } from 'node:util';
import { isDay } from '../../src/lib/core/calendar.ts';
import { DEFAULTS, runConformance, type ConformanceOptions } from './run.ts';

const USAGE = `Usage : npm run conformance -- --api <URL de base> --token <jeton>
         [--other-token <jeton d’une autre structure>] [--origin <origine de l’application>]
         [--from AAAA-MM-JJ] [--to AAAA-MM-JJ]
         [--max-requests ${DEFAULTS.maxRequests}] [--timeout-ms ${DEFAULTS.timeoutMs}]
         [--max-seconds ${DEFAULTS.maxSeconds}] [--max-response-mb ${DEFAULTS.maxResponseBytes / 1024 / 1024}]
Voir docs/CONFORMANCE.md.`;

function usage(message: string): never {
	console.error(`${message}\n\n${USAGE}`);
	process.exit(2);
}

function positive(name: string, raw: string | undefined): number | undefined {
	if (raw === undefined) return undefined;
	const n = Number(raw);
	if (!Number.isInteger(n) || n <= 0) usage(`--${name} : entier positif attendu`);
	return n;
}

async function main(): Promise<void> {
	let values;
	try {
		({ values } = parseArgs({
			options: {
				api: { type: 'string' },
				token: { type: 'string' },
				'other-token': { type: 'string' },
				origin: { type: 'string' },
				from: { type: 'string' },
				to: { type: 'string' },
				'max-requests': { type: 'string' },
				'timeout-ms': { type: 'string' },
				'max-seconds': { type: 'string' },
				'max-response-mb': { type: 'string' },
				help: { type: 'boolean', short: 'h' }
			},
			strict: true
		}));
	} catch (error) {
		usage((error as Error).message);
	}
	if (values.help) {
		console.log(USAGE);
		return;
	}
	if (!values.api || !/^https?:\/\//.test(values.api)) usage('--api : URL http(s) attendue');
	if (!values.token) usage('--token requis');
	for (const name of ['from', 'to'] as const) {
		const day = values[name];
		if (day !== undefined && !isDay(day)) usage(`--${name} : AAAA-MM-JJ attendu`);
	}
	if (values.from && values.to && values.from > values.to) usage('--from est après --to');
	if (values.origin !== undefined && !/^https?:\/\/[^/]+$/.test(values.origin)) {
		usage('--origin : une origine http(s)://hôte[:port], sans chemin');
	}
	const mb = positive('max-response-mb', values['max-response-mb']);
	const options: ConformanceOptions = {
		api: values.api,
		token: values.token,
		otherToken: values['other-token'],
		origin: values.origin,
		from: values.from,
		to: values.to,
		maxRequests: positive('max-requests', values['max-requests']),
		timeoutMs: positive('timeout-ms', values['timeout-ms']),
		maxSeconds: positive('max-seconds', values['max-seconds']),
		maxResponseBytes: mb === undefined ? undefined : mb * 1024 * 1024
	};
	const result = await runConformance(options);
	process.exitCode = result.failed > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
	console.error(`Erreur du kit : ${(error as Error).message}`);
	process.exit(1);
});
