// The standalone build served as in production (prerendered pages, a generated config.json, the
// deployment's strict CSP): the e2e tests and the benchmark share it.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { deploymentPolicy } from '../deploy/csp.js';
import { serveFiles, TYPES } from '../examples/host/static-server';

/** Where the app server collects CSP violation reports (`report-uri`), workers' included. */
export const CSP_REPORTS_PATH = '/__csp-reports';
/**
 * A worker script of the app's origin that tries to reach `http://127.0.0.1:9/<its query>`:
 * a violation raised inside a worker, which the page's listener cannot see but the reports do.
 */
export const CSP_PROBE_WORKER_PATH = '/__csp-probe.worker.js';
const PROBE_WORKER = "fetch('http://127.0.0.1:9/' + location.search.slice(1)).catch(() => {});";

/**
 * Serves the standalone build `root` (each route is a prerendered page) with a generated
 * config.json, on a port of its own, under the deployment's strict CSP computed from the build's
 * own hashes (deploy/csp.js, docs/DEPLOYMENT.md): no 'unsafe-inline', the page reaches only
 * itself and the API. Violations are reported to `CSP_REPORTS_PATH` (POST), listed by a GET
 * there and cleared by a DELETE.
 */
export function serveApp(root: string, config: object, apiOrigin: string): Promise<Server> {
	const configBody = JSON.stringify(config);
	const csp = deploymentPolicy({
		buildDir: root,
		apiOrigins: [apiOrigin],
		reportUri: CSP_REPORTS_PATH
	});
	const reports: unknown[] = [];
	return serveFiles([{ prefix: '/', dir: root }], {
		headers: { 'Content-Security-Policy': csp },
		handler(req, res, url) {
			if (url.pathname === CSP_REPORTS_PATH) {
				answerReports(req, res, reports);
				return true;
			}
			if (url.pathname === CSP_PROBE_WORKER_PATH) {
				res
					.writeHead(200, { 'Content-Security-Policy': csp, 'Content-Type': TYPES['.js']! })
					.end(PROBE_WORKER);
				return true;
			}
			if (url.pathname !== '/config.json') return false;
			res
				.writeHead(200, {
					'Cache-Control': 'no-store',
					'Content-Security-Policy': csp,
					'Content-Type': TYPES['.json']!
				})
				.end(configBody);
			return true;
		}
	});
}

function answerReports(req: IncomingMessage, res: ServerResponse, reports: unknown[]): void {
	if (req.method === 'GET') {
		res.writeHead(200, { 'Content-Type': TYPES['.json']! }).end(JSON.stringify(reports));
	} else if (req.method === 'DELETE') {
		reports.length = 0;
		res.writeHead(204).end();
	} else if (req.method === 'POST') {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			try {
				reports.push(JSON.parse(body));
			} catch {
				reports.push({ unreadable: body.slice(0, 200) });
			}
			res.writeHead(204).end();
		});
	} else {
		res.writeHead(405).end();
	}
}
