// The standalone build served as in production (prerendered pages, a generated config.json, a
// CSP that lets the page reach only itself and the API): the e2e tests and the benchmark share it.
import type { Server } from 'node:http';
import { serveFiles, TYPES } from '../examples/host/static-server';

/**
 * Serves the standalone build `root` (each route is a prerendered page) with a generated
 * config.json, on a port of its own. The CSP lets the page reach only itself and the API: any
 * other request shows up as a console error.
 */
export function serveApp(root: string, config: object, apiOrigin: string): Promise<Server> {
	const configBody = JSON.stringify(config);
	const csp = [
		"default-src 'self'",
		`connect-src 'self' ${apiOrigin}`,
		// SvelteKit's prerendered pages boot with an inline script.
		"script-src 'self' 'unsafe-inline'",
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"object-src 'none'",
		"base-uri 'self'"
	].join('; ');
	return serveFiles([{ prefix: '/', dir: root }], {
		headers: { 'Content-Security-Policy': csp },
		handler(_req, res, url) {
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
