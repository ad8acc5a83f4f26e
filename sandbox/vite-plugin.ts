/**
 * `npm run dev` / `npm run preview` on the sandbox: mounts the sandbox API at /api/v1 and serves
 * /config.json pointing at it. The database code is imported lazily, and not at all under
 * Vitest, so loading vite.config.ts never generates a database.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin, PreviewServer, ViteDevServer } from 'vite';
import { CLIENT_ID, DEFAULT_SCOPE, OIDC_PATH, issuerForHost } from './oidc/constants.ts';
import type { SandboxHandler } from './server.ts';

const API_PATH = '/api/v1';
const CONTROL_PATH = '/__sandbox';

type Middleware = (
	req: IncomingMessage,
	res: ServerResponse,
	next: (error?: unknown) => void
) => void;

function pathOf(url: string | undefined): string {
	const q = (url ?? '/').indexOf('?');
	return q === -1 ? (url ?? '/') : (url ?? '/').slice(0, q);
}

export function sandboxPlugin(): Plugin {
	const name = 'extractions-brutes-sandbox';
	if (process.env['VITEST']) return { name };

	let handler: Promise<SandboxHandler> | null = null;
	const load = (log: (msg: string) => void): Promise<SandboxHandler> =>
		(handler ??= import('./server.ts').then(async ({ createSandboxHandler }) => {
			const { SCALES, DEFAULT_SEED } = await import('./generator.ts');
			const scale = (process.env['SANDBOX_SCALE'] ?? 'small') as (typeof SCALES)[number];
			if (!SCALES.includes(scale)) throw new Error(`SANDBOX_SCALE : ${SCALES.join(', ')} attendu`);
			const seed = Number(process.env['SANDBOX_SEED'] ?? DEFAULT_SEED);
			if (!Number.isInteger(seed)) throw new Error('SANDBOX_SEED : entier attendu');
			const ttl = process.env['SANDBOX_TOKEN_TTL'];
			const h = createSandboxHandler({
				scale,
				seed,
				oidc: ttl ? { tokenTtlSeconds: Number(ttl) } : {}
			});
			const made = h.generated
				? `, données générées en ${(h.generated.ms / 1000).toFixed(1)} s`
				: '';
			log(
				`Bac à sable SPICO (${scale}, graine ${seed}) sur ${API_PATH}${made} — ${
					token ? `jeton ${token}` : `connexion OpenID Connect par ${OIDC_PATH}`
				}`
			);
			return h;
		}));

	// The dev app reads its API from config.json and signs in through the sandbox's provider, at
	// the address the browser used (its issuer); SANDBOX_TOKEN=sandbox-alice skips the sign-in.
	const token = process.env['SANDBOX_TOKEN'] ?? '';
	const configFor = (host: string | undefined): string => {
		const issuer = issuerForHost(host);
		if (token || !issuer)
			return JSON.stringify({ apiBaseUrl: API_PATH, ...(token ? { token } : {}) });
		return JSON.stringify({
			apiBaseUrl: API_PATH,
			auth: { issuer, clientId: CLIENT_ID, scope: DEFAULT_SCOPE }
		});
	};

	function mount(server: ViteDevServer | PreviewServer): void {
		const log = (msg: string) => server.config.logger.info(msg, { timestamp: true });
		const middleware: Middleware = (req, res, next) => {
			const path = pathOf(req.url);
			if (path === '/config.json' && (req.method === 'GET' || req.method === 'HEAD')) {
				res.writeHead(200, {
					'Content-Type': 'application/json; charset=utf-8',
					'Cache-Control': 'no-store'
				});
				res.end(configFor(req.headers.host));
				return;
			}
			const ours =
				path === API_PATH ||
				path.startsWith(`${API_PATH}/`) ||
				path === CONTROL_PATH ||
				path.startsWith(`${CONTROL_PATH}/`) ||
				path === OIDC_PATH ||
				path.startsWith(`${OIDC_PATH}/`);
			if (!ours) return next();
			load(log).then((h) => h(req, res, next), next);
		};
		server.middlewares.use(middleware);
		// Warm up (generate the small database on first use) while Vite starts.
		load(log).catch((error: unknown) => server.config.logger.error(String(error)));
		server.httpServer?.once('close', () => void handler?.then((h) => h.close()));
	}

	return {
		name,
		configureServer: mount,
		configurePreviewServer: mount
	};
}
