/**
 * The example host: an application of its own that embeds the module, on its own origin.
 *
 *   npm run build && npm run sandbox              # the module, and the API on :8787
 *   npm run example:host                          # http://127.0.0.1:8790/
 *
 * It serves this folder at `/`, the host bundle (build/embed/) at `/extractions-brutes/`, and
 * `/host-config.js` (the API's address and the token the host's own sign-in would give). Every
 * response carries the CSP the module needs, and no more: `default-src 'self'; connect-src
 * <API origin>; worker-src 'self'`.
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serveFiles } from './static-server.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const EMBED_DIR = fileURLToPath(new URL('../../build/embed/', import.meta.url));

export interface HostOptions {
	/** The API base URL handed to the module, e.g. `http://127.0.0.1:8787/api/v1`. */
	apiBaseUrl: string;
	/** What the host's getToken returns (a sandbox demo token). */
	token: string;
	port?: number;
	/** Replaces the default CSP (tests of a stricter host). */
	csp?: string;
	/** Where the built module is; default build/embed/. */
	embedDir?: string;
}

/** The policy the module needs on a host: itself, its API, its own workers. */
export function hostCsp(apiBaseUrl: string): string {
	return `default-src 'self'; connect-src ${new URL(apiBaseUrl).origin}; worker-src 'self'`;
}

export function serveHost(options: HostOptions): Promise<Server> {
	const config = `export default ${JSON.stringify({
		apiBaseUrl: options.apiBaseUrl,
		token: options.token
	})};\n`;
	return serveFiles(
		[
			{ prefix: '/', dir: HERE },
			{ prefix: '/extractions-brutes/', dir: options.embedDir ?? EMBED_DIR }
		],
		{
			port: options.port ?? 0,
			headers: {
				'Content-Security-Policy': options.csp ?? hostCsp(options.apiBaseUrl),
				'X-Content-Type-Options': 'nosniff'
			},
			handler(_req, res, url) {
				// The server's own code is not for the browser.
				if (url.pathname.endsWith('.ts')) {
					res.writeHead(404).end();
					return true;
				}
				if (url.pathname !== '/host-config.js') return false;
				res
					.writeHead(200, {
						'Content-Type': 'text/javascript; charset=utf-8',
						'Cache-Control': 'no-store',
						'Content-Security-Policy': options.csp ?? hostCsp(options.apiBaseUrl)
					})
					.end(config);
				return true;
			}
		}
	);
}

async function main() {
	const { values } = parseArgs({
		options: {
			api: { type: 'string', default: 'http://127.0.0.1:8787/api/v1' },
			token: { type: 'string', default: 'sandbox-alice' },
			port: { type: 'string', default: '8790' }
		}
	});
	const server = await serveHost({
		apiBaseUrl: values.api,
		token: values.token,
		port: Number(values.port)
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : values.port;
	console.log(`Hôte d'exemple : http://127.0.0.1:${port}/ (API ${values.api})`);
	console.log(`Styles hostiles : http://127.0.0.1:${port}/?styles=hostile`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
