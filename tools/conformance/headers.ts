/** Header checks (SPEC §8): CORS for the app's origin, and Cache-Control: no-store on every answer. */
import { fail, hasToken, type Context } from './context.ts';
import type { HttpResponse } from './http.ts';

export async function corsChecks(ctx: Context): Promise<void> {
	const { report, http } = ctx;
	const origin = ctx.opts.origin;
	if (!origin) {
		for (const name of ['cors preflight', 'cors actual', 'cors errors'])
			report.skip(name, 'demande --origin');
		return;
	}
	const allows = (res: HttpResponse, what: string) => {
		const acao = res.headers.get('access-control-allow-origin');
		if (acao !== '*' && acao !== origin) {
			fail(
				`${what} : Access-Control-Allow-Origin « ${acao ?? 'absent'} », « ${origin} » ou * attendu`
			);
		}
	};
	const sid = encodeURIComponent(ctx.me.structureId);
	await report.check('cors preflight', async () => {
		const probes: [string, string, string][] = [
			[`/structures/${sid}/dossiers`, 'GET', 'authorization'],
			[`/structures/${sid}/extraction-events`, 'POST', 'authorization, content-type']
		];
		for (const [path, method, headers] of probes) {
			const what = `OPTIONS ${path} (${method})`;
			const res = await http.request(path, {
				method: 'OPTIONS',
				token: null,
				origin,
				headers: {
					'Access-Control-Request-Method': method,
					'Access-Control-Request-Headers': headers
				}
			});
			if (res.status < 200 || res.status > 299) fail(`${what} : HTTP ${res.status}`);
			allows(res, what);
			const allowed = res.headers.get('access-control-allow-headers');
			for (const h of headers.split(', ')) {
				// `*` does not cover Authorization (Fetch standard): it must be named.
				if (!hasToken(allowed, h) && !(h !== 'authorization' && allowed?.trim() === '*')) {
					fail(`${what} : Access-Control-Allow-Headers « ${allowed ?? 'absent'} » sans ${h}`);
				}
			}
			const methods = res.headers.get('access-control-allow-methods');
			if (methods !== null && methods.trim() !== '*' && !hasToken(methods, method)) {
				fail(`${what} : Access-Control-Allow-Methods « ${methods} » sans ${method}`);
			}
		}
	});
	await report.check('cors actual', async () => {
		const res = await http.request('/me', { token: ctx.me.token, origin });
		if (res.status !== 200) fail(`GET /me : HTTP ${res.status}`);
		allows(res, 'GET /me');
		const exposed = res.headers.get('access-control-expose-headers');
		if (!hasToken(exposed, 'retry-after') && exposed?.trim() !== '*') {
			fail(`GET /me : Access-Control-Expose-Headers « ${exposed ?? 'absent'} » sans Retry-After`);
		}
	});
	await report.check('cors errors', async () => {
		const res = await http.request('/me', { token: 'conformance-invalid', origin });
		if (res.status !== 401) fail(`GET /me (jeton invalide) : HTTP ${res.status}`);
		allows(res, 'GET /me → 401');
	});
}

/** Run last: it judges every response the other checks received. */
export async function noStoreCheck(ctx: Context): Promise<void> {
	const { report, http } = ctx;
	await report.check('no-store', () => {
		const seen = http.seen.filter((r) => !r.preflight);
		const bad = seen.filter((r) => !hasToken(r.cacheControl, 'no-store'));
		if (bad.length > 0) {
			const first = bad
				.slice(0, 3)
				.map((r) => `${r.label} → ${r.status} (${r.cacheControl ?? 'absent'})`)
				.join(' ; ');
			fail(`${bad.length}/${seen.length} réponses sans Cache-Control: no-store, dont ${first}`);
		}
		return `${seen.length} réponses`;
	});
}
