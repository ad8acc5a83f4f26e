/**
 * The conformance kit (tools/conformance) against the sandbox, which must pass every check, and
 * against servers each broken on one rule, where the kit must name exactly that failure. Also:
 * a server that hangs, answers forever or redirects ends the run in bounded time.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, parisDay } from '../../src/lib/core/calendar';
import { createSandboxServer, type SandboxServer } from '../../sandbox/server';
import { runConformance, type ConformanceOptions } from '../../tools/conformance/run';
import {
	createBrokenServer,
	isListRequest,
	listOf,
	pageOf,
	withJson,
	type Answer,
	type Breakage,
	type Exchange,
	type Upstream
} from './broken-server';

const ORIGIN = 'http://app.example';
let sandbox: SandboxServer;

beforeAll(async () => {
	// The real Paris day, as a platform has: the kit's default period ends yesterday.
	sandbox = await createSandboxServer({ scale: 'small', port: 0 });
});
afterAll(async () => {
	await sandbox.close();
});

async function kit(api: string, extra: Partial<ConformanceOptions> = {}) {
	const lines: string[] = [];
	const result = await runConformance(
		{ api, token: 'sandbox-alice', otherToken: 'sandbox-bob', origin: ORIGIN, ...extra },
		(line) => lines.push(line)
	);
	const failed = lines
		.filter((l) => l.startsWith('FAIL '))
		.map((l) => l.slice(5, l.indexOf(': ')))
		.sort();
	return { ...result, failedChecks: failed };
}

describe('against the sandbox', () => {
	it('passes every check, in a bounded number of requests', async () => {
		const r = await kit(sandbox.url);
		expect(r.lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
		expect(r.failed).toBe(0);
		expect(r.passed).toBeGreaterThanOrEqual(70);
		expect(r.lines.filter((l) => l.startsWith('skip'))).toEqual([]);
		expect(r.lines.at(-1)).toBe(`${r.passed} passed, 0 failed`);
		expect(r.requests).toBeLessThan(300);
		// No patient data in the output: no name of the data shows up.
		const names = (await (
			await fetch(
				`${sandbox.url}/structures/str-tnd-test/dossiers?from=2019-01-01&to=2026-01-01&archived=true&status=en_attente&limit=20`,
				{ headers: { Authorization: 'Bearer sandbox-alice' } }
			)
		).json()) as { items: { patient: { nom: string } }[] };
		const text = r.lines.join('\n');
		for (const d of names.items) expect(text).not.toContain(d.patient.nom);
	});

	it('says which checks need --other-token and --origin, and passes without them', async () => {
		const lines: string[] = [];
		const r = await runConformance({ api: sandbox.url, token: 'sandbox-alice' }, (l) =>
			lines.push(l)
		);
		expect(r.failed).toBe(0);
		expect(lines.filter((l) => l.startsWith('skip')).map((l) => l.split(':')[0])).toEqual([
			'skip filter file active (other structure)',
			'skip 403 other structure',
			'skip cors preflight',
			'skip cors actual',
			'skip cors errors',
			'skip storage key per user and structure'
		]);
	});

	it('reports a storage key that is not offered (404 problem+json) as conforming', async () => {
		const plain = await createSandboxServer({ scale: 'small', port: 0, storageKey: false });
		try {
			const r = await kit(plain.url);
			expect(r.failedChecks).toEqual([]);
			expect(r.lines).toContain('ok storage key shape (non proposée (404 problem+json))');
		} finally {
			await plain.close();
		}
	});
});

// --- One broken server per rule ------------------------------------------------------------------

const ALL = [
	'analyse_demande',
	'en_attente',
	'non_suivi',
	'suivi_inclusion',
	'reorientation',
	'sortie',
	'non_renseigne'
];

function params(
	from: Exchange | URLSearchParams,
	patch: Record<string, string | string[] | null>
): URLSearchParams {
	const p = new URLSearchParams(from instanceof URLSearchParams ? from : from.params);
	for (const [k, val] of Object.entries(patch)) {
		p.delete(k);
		if (Array.isArray(val)) for (const x of val) p.append(k, x);
		else if (val !== null) p.set(k, val);
	}
	return p;
}

const isEverything = (ex: Exchange) =>
	ex.params.get('archived') === 'true' && ex.params.getAll('status').length === ALL.length;

function onList(
	list: string,
	change: (ex: Exchange, a: Answer, up: Upstream) => Promise<Answer> | Answer
): Breakage {
	return async (ex, up) => {
		const a = await up();
		return isListRequest(ex, list) && a.status === 200 ? change(ex, a, up) : a;
	};
}

let fileActiveLeak: string | null = null;

const RULES: { rule: string; expected: string[]; why?: RegExp; breakage: Breakage }[] = [
	{
		rule: '/me not conforming to its schema',
		expected: ['me', 'run'],
		why: /FAIL me: GET \/me : réponse non conforme au schéma Me/,
		breakage: async (ex, up) => {
			const a = await up();
			if (ex.path !== '/me' || a.status !== 200) return a;
			const body = JSON.parse(a.body) as { user: Record<string, unknown> };
			delete body.user.name;
			return withJson(a, body);
		}
	},
	{
		rule: 'a catalogue not conforming to its schema',
		expected: ['thematics'],
		breakage: async (ex, up) => {
			const a = await up();
			if (!ex.path.endsWith('/thematics') || a.status !== 200) return a;
			const body = JSON.parse(a.body) as { items: { forms: { fields: { type: string }[] }[] }[] };
			body.items[0]!.forms[0]!.fields[0]!.type = 'inconnu';
			return withJson(a, body);
		}
	},
	{
		rule: 'lies about total',
		expected: ['paging total dossiers'],
		breakage: onList('dossiers', (_, a) => {
			const p = pageOf(a);
			return withJson(a, { ...p, total: p.total + 1 });
		})
	},
	{
		rule: 'duplicates an item across pages',
		expected: ['paging unique dossiers'],
		breakage: onList('dossiers', async (ex, a, up) => {
			const p = pageOf(a);
			if (ex.params.get('limit') !== '7' || p.total <= 7) return a;
			p.total += 1;
			if (p.nextCursor === null) {
				const first = pageOf(await up({ params: params(ex, { cursor: null }) }));
				p.items.push(first.items[0]!);
			}
			return withJson(a, p);
		})
	},
	{
		rule: 'ignores archived',
		expected: ['filter archived'],
		breakage: async (ex, up) =>
			listOf(ex.path) && !ex.params.has('cursor') && ex.params.get('archived') === 'false'
				? up({ params: params(ex, { archived: 'true' }) })
				: up()
	},
	{
		rule: 'serves a dossier created after the period',
		expected: ['filter status all'],
		breakage: async (ex, up) => {
			const a = await up();
			const list = listOf(ex.path);
			const everyStatus = ex.params.getAll('status').length === ALL.length;
			if (
				a.status !== 200 ||
				!everyStatus ||
				ex.params.has('cursor') ||
				ex.params.get('limit') !== '5000'
			) {
				return a;
			}
			const p = pageOf(a);
			const first = p.items[0]!;
			const future = `${addDays(ex.params.get('to')!, 10)}T10:00:00+01:00`;
			if (list === 'dossiers') {
				p.items.push({
					...first,
					dossierId: 'DOS-FUTURE',
					createdAt: future,
					archivedAt: null,
					statusEvents: []
				});
			} else if (list === 'care-circle' && ex.params.get('archived') === 'true') {
				// Its membership, so that only the period rule is broken, not the file active.
				p.items.push({
					...first,
					id: 'CDS-FUTURE',
					dossierId: 'DOS-FUTURE',
					intervenant: 'PLATEFORME TND TEST',
					type: 'structure',
					debut: null,
					fin: null
				});
			} else {
				return a;
			}
			return withJson(a, { ...p, total: p.total + 1 });
		}
	},
	{
		rule: 'serves a dossier out of the status scope',
		expected: ['filter status sortie'],
		breakage: onList('dossiers', async (ex, a, up) => {
			const statuses = ex.params.getAll('status');
			if (statuses.length !== 1 || statuses[0] !== 'sortie' || ex.params.get('limit') !== '5000')
				return a;
			const p = pageOf(a);
			const ids = new Set(p.items.map((d) => d.dossierId));
			const all = pageOf(await up({ params: params(ex, { status: ALL }) }));
			p.items.push(all.items.find((d) => !ids.has(d.dossierId))!);
			p.total += 1;
			return withJson(a, p);
		})
	},
	{
		rule: 'serves rows of out-of-scope dossiers in a list',
		expected: ['filter in scope appointments'],
		breakage: onList('appointments', async (ex, a, up) => {
			if (ex.params.get('archived') !== 'false' || ex.params.getAll('status').length !== 1)
				return a;
			const scope = pageOf(
				await up({
					path: ex.path.replace(/appointments$/, 'dossiers'),
					params: params(ex, { limit: '5000' })
				})
			);
			const inScope = new Set(scope.items.map((d) => d.dossierId));
			const all = pageOf(await up({ params: params(ex, { status: ALL, archived: 'true' }) }));
			const p = pageOf(a);
			p.items.push(all.items.find((x) => !inScope.has(x.dossierId as string))!);
			p.total += 1;
			return withJson(a, p);
		})
	},
	{
		rule: 'serves a dossier outside the file active',
		expected: ['filter file active', 'filter file active (other structure)'],
		breakage: onList('dossiers', async (ex, a, up) => {
			if (ex.token !== 'sandbox-alice' || ex.params.get('limit') !== '5000') return a;
			const bobPath = ex.path.replace('str-tnd-test', 'str-dac-loire');
			if (fileActiveLeak === null) {
				const everything = params(ex, { status: ALL, archived: 'true' });
				const bob = pageOf(await up({ token: 'sandbox-bob', path: bobPath, params: everything }));
				const alice = new Set(
					pageOf(await up({ params: everything })).items.map((d) => d.dossierId)
				);
				const nr = pageOf(
					await up({
						token: 'sandbox-bob',
						path: bobPath,
						params: params(everything, { status: 'non_renseigne' })
					})
				);
				const notNr = new Set(nr.items.map((d) => d.dossierId));
				fileActiveLeak = bob.items.find((d) => !alice.has(d.dossierId) && !notNr.has(d.dossierId))!
					.dossierId as string;
			}
			// Injected wherever the other structure's own scope has it: consistent with every filter.
			const bob = pageOf(await up({ token: 'sandbox-bob', path: bobPath }));
			const leak = bob.items.find((d) => d.dossierId === fileActiveLeak);
			if (!leak) return a;
			const p = pageOf(a);
			return withJson(a, { ...p, items: [...p.items, leak], total: p.total + 1 });
		})
	},
	{
		rule: 'answers 401 as HTML',
		expected: ['401 bad token', '401 no token'],
		breakage: async (_, up) => {
			const a = await up();
			if (a.status !== 401) return a;
			return {
				...a,
				headers: { ...a.headers, 'content-type': 'text/html; charset=utf-8' },
				body: '<html><body><h1>401 Unauthorized</h1></body></html>'
			};
		}
	},
	{
		rule: 'omits Cache-Control: no-store on one endpoint',
		expected: ['no-store'],
		breakage: async (ex, up) => {
			const a = await up();
			if (!ex.path.endsWith('/thematics')) return a;
			const headers = { ...a.headers };
			delete headers['cache-control'];
			return { ...a, headers };
		}
	},
	{
		rule: 'loops its cursor',
		expected: ['paging ends dossiers', 'paging limits 1, 7, 5000'],
		why: /FAIL paging ends dossiers: .*curseur déjà servi/,
		breakage: onList('dossiers', (ex, a) => {
			const cursor = ex.params.get('cursor');
			if (ex.params.get('limit') !== '7' || cursor === null) return a;
			return withJson(a, { ...pageOf(a), nextCursor: cursor });
		})
	},
	{
		rule: 'serves empty pages with new cursors forever',
		expected: ['paging ends dossiers', 'paging limits 1, 7, 5000'],
		why: /FAIL paging ends dossiers: .*4 pages vides avec un curseur/,
		breakage: async (ex, up) => {
			if (!isListRequest(ex, 'dossiers') || ex.params.get('limit') !== '7') return up();
			const cursor = ex.params.get('cursor');
			const a = await up({
				params: params(ex, { cursor: cursor?.startsWith('empty-') ? null : cursor })
			});
			if (a.status !== 200 || cursor === null) return a;
			return withJson(a, { ...pageOf(a), items: [], nextCursor: `empty-${Math.random()}` });
		}
	},
	{
		rule: 'ignores the cursor’s query binding',
		expected: ['paging cursor bound to its query'],
		breakage: async (ex, up) => {
			if (!isListRequest(ex, 'dossiers')) return up();
			const wrapped = ex.params.get('cursor');
			let a: Answer;
			let decoded: { c: string; q: string } | null = null;
			try {
				decoded = wrapped
					? (JSON.parse(Buffer.from(wrapped, 'base64url').toString()) as { c: string; q: string })
					: null;
			} catch {
				decoded = null;
			}
			if (decoded?.c) {
				// The filters come from the cursor, whatever the request says.
				const p = new URLSearchParams(decoded.q);
				p.set('cursor', decoded.c);
				p.set('limit', ex.params.get('limit') ?? '1000');
				a = await up({ params: p });
			} else {
				a = await up();
			}
			if (a.status !== 200) return a;
			const page = pageOf(a);
			if (page.nextCursor === null) return a;
			const q = params(ex, { cursor: null, limit: null }).toString();
			const c = Buffer.from(JSON.stringify({ c: page.nextCursor, q })).toString('base64url');
			return withJson(a, { ...page, nextCursor: c });
		}
	},
	{
		rule: 'preflight without Authorization in Access-Control-Allow-Headers',
		expected: ['cors preflight'],
		breakage: async (ex, up) => {
			const a = await up();
			if (ex.method !== 'OPTIONS') return a;
			return { ...a, headers: { ...a.headers, 'access-control-allow-headers': 'Content-Type' } };
		}
	},
	{
		rule: 'Retry-After not exposed to the page',
		expected: ['cors actual'],
		breakage: async (ex, up) => {
			const a = await up();
			const headers = { ...a.headers };
			delete headers['access-control-expose-headers'];
			return ex.method === 'OPTIONS' ? a : { ...a, headers };
		}
	},
	{
		rule: 'errors without CORS headers (the page cannot read the 401)',
		expected: ['cors errors'],
		breakage: async (_, up) => {
			const a = await up();
			if (a.status !== 401) return a;
			const headers = { ...a.headers };
			delete headers['access-control-allow-origin'];
			return { ...a, headers };
		}
	},
	{
		rule: 'storage key of the wrong shape (padded base64)',
		expected: ['storage key per user and structure', 'storage key shape', 'storage key stable'],
		breakage: async (ex, up) => {
			const a = await up();
			if (!ex.path.endsWith('/storage-key') || a.status !== 200) return a;
			const k = JSON.parse(a.body) as { keyId: string; key: string };
			return withJson(a, { ...k, key: `${k.key}=` });
		}
	},
	{
		rule: 'storage key that changes at every request',
		expected: ['storage key stable'],
		breakage: async (ex, up) => {
			const a = await up();
			if (!ex.path.endsWith('/storage-key') || a.status !== 200) return a;
			const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
			return withJson(a, { keyId: 'k', key });
		}
	},
	{
		rule: 'the same storage key for every user',
		expected: ['storage key per user and structure'],
		breakage: async (ex, up) => {
			const a = await up();
			if (!ex.path.endsWith('/storage-key') || a.status !== 200) return a;
			return withJson(a, { keyId: 'k', key: 'A'.repeat(43) });
		}
	},
	{
		rule: 'serves another structure’s data (no 403)',
		expected: ['403 other structure'],
		breakage: async (ex, up) =>
			ex.token === 'sandbox-alice' && ex.path.startsWith('/structures/str-dac-loire/')
				? up({ token: 'sandbox-bob' })
				: up()
	},
	{
		rule: 'answers 400 instead of 422 to bad filters',
		expected: [
			'422 archived invalid',
			'422 cursor forged',
			'422 from after to',
			'422 from invalid',
			'422 invalid extraction event',
			'422 limit 0',
			'422 limit 5001',
			'422 limit not a number',
			'422 status missing',
			'422 status unknown',
			'422 to missing',
			'paging cursor bound to its query'
		],
		breakage: async (_, up) => {
			const a = await up();
			return a.status === 422 ? { ...a, status: 400 } : a;
		}
	},
	{
		rule: 'clamps limit instead of refusing it',
		expected: ['422 limit 0', '422 limit 5001'],
		breakage: async (ex, up) => {
			const limit = Number(ex.params.get('limit'));
			if (!listOf(ex.path) || !ex.params.has('limit') || Number.isNaN(limit)) return up();
			return up({ params: params(ex, { limit: String(Math.min(5000, Math.max(1, limit))) }) });
		}
	},
	{
		rule: 'an item that breaks the schema',
		expected: ['schema appointments'],
		breakage: onList('appointments', (_, a) => {
			const p = pageOf(a);
			if (p.items[0]) (p.items[0].patient as Record<string, unknown>).dateNaissance = 12345;
			return withJson(a, p);
		})
	},
	{
		rule: 'pages longer than limit',
		expected: ['paging page-size dossiers'],
		breakage: async (ex, up) =>
			isListRequest(ex, 'dossiers') && ex.params.get('limit') === '7'
				? up({ params: params(ex, { limit: '8' }) })
				: up()
	},
	{
		rule: 'an appointment outside the period',
		expected: ['filter period appointments'],
		breakage: onList('appointments', async (ex, a, up) => {
			if (!isEverything(ex) || ex.params.has('cursor')) return a;
			const from = ex.params.get('from')!;
			const dossiers = pageOf(
				await up({
					path: ex.path.replace(/appointments$/, 'dossiers'),
					params: params(ex, { limit: '5000' })
				})
			);
			const archived = new Set(
				dossiers.items.filter((d) => d.archivedAt !== null).map((d) => d.dossierId)
			);
			const wide = pageOf(await up({ params: params(ex, { from: '2015-01-01' }) }));
			const before = wide.items.find(
				(x) => archived.has(x.dossierId) && parisDay(x.start as string) < from
			)!;
			const p = pageOf(a);
			return withJson(a, { ...p, items: [...p.items, before], total: p.total + 1 });
		})
	},
	{
		rule: 'other rows when read one at a time',
		expected: ['paging limits 1, 7, 5000'],
		breakage: onList('dossiers', async (ex, a, up) => {
			if (ex.params.get('limit') !== '1') return a;
			const whole = pageOf(await up({ params: params(ex, { cursor: null, limit: '5000' }) }));
			const skipped = whole.items[1]?.dossierId;
			let p = pageOf(a);
			if (p.items[0]?.dossierId === skipped && p.nextCursor !== null) {
				p = pageOf(await up({ params: params(ex, { cursor: p.nextCursor }) }));
			}
			return withJson(a, { ...p, total: whole.total - 1 });
		})
	}
];

describe('against a server broken on one rule, the kit names that rule', () => {
	for (const { rule, expected, why, breakage } of RULES) {
		it(rule, async () => {
			const broken = await createBrokenServer(sandbox, breakage);
			try {
				const r = await kit(broken.url);
				const failures = r.lines.filter((l) => l.startsWith('FAIL')).join('\n');
				expect(r.failedChecks, failures).toEqual([...expected].sort());
				expect(r.failed).toBe(expected.length);
				if (why) expect(failures).toMatch(why);
			} finally {
				await broken.close();
			}
		});
	}
});

describe('what the contract allows is not reported', () => {
	it('short pages (fewer items than limit, with a cursor) are followed', async () => {
		let shortPages = 0;
		const broken = await createBrokenServer(sandbox, async (ex, up) => {
			if (!listOf(ex.path) || ex.params.get('limit') !== '5000') return up();
			const a = await up({ params: params(ex, { limit: '23' }) });
			if (a.status === 200 && pageOf(a).nextCursor !== null) shortPages++;
			return a;
		});
		try {
			const r = await kit(broken.url);
			expect(r.lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
			expect(shortPages).toBeGreaterThan(100);
		} finally {
			await broken.close();
		}
	});
});

// --- A server that hangs, answers forever or redirects -------------------------------------------

async function rawServer(handler: Parameters<typeof createServer>[1]) {
	const server = createServer(handler);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/api/v1`,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			})
	};
}

describe('bounded against hostile servers', () => {
	it('a server that never answers: each request times out, the run ends', async () => {
		const s = await rawServer(() => {
			/* never answers */
		});
		try {
			const t0 = Date.now();
			const r = await kit(s.url, { timeoutMs: 300 });
			expect(Date.now() - t0).toBeLessThan(5_000);
			expect(r.lines[0]).toMatch(/^FAIL me: GET \/me : pas de réponse \(délai dépassé\)/);
			expect(r.lines.at(-1)).toBe('0 passed, 2 failed');
		} finally {
			await s.close();
		}
	});

	it('an endless body is cut at the size cap', async () => {
		const s = await rawServer((_, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			const chunk = Buffer.alloc(64 * 1024, 32);
			const pump = () => {
				while (res.write(chunk));
				res.once('drain', pump);
			};
			res.write('{"user":');
			pump();
		});
		try {
			const r = await kit(s.url, { maxResponseBytes: 1024 * 1024, timeoutMs: 10_000 });
			expect(r.lines[0]).toMatch(/^FAIL me: GET \/me : réponse au-delà de 1048576 octets/);
		} finally {
			await s.close();
		}
	});

	it('a redirect is not followed', async () => {
		const s = await rawServer((_, res) => {
			res.writeHead(302, { location: sandbox.url + '/me' });
			res.end();
		});
		try {
			const r = await kit(s.url);
			expect(r.lines[0]).toBe('FAIL me: GET /me : HTTP 302');
		} finally {
			await s.close();
		}
	});

	it('--max-requests stops the run, every later check failing on the budget', async () => {
		const r = await kit(sandbox.url, { maxRequests: 20 });
		expect(r.requests).toBe(20);
		expect(r.failed).toBeGreaterThan(10);
		// The first failure says why; the checks that needed what was not read fail after it.
		expect(r.lines.find((l) => l.startsWith('FAIL'))).toMatch(
			/plus de 20 requêtes \(--max-requests\)$/
		);
		expect(r.lines.at(-1)).toBe(`${r.passed} passed, ${r.failed} failed`);
	});
});

// --- The command ------------------------------------------------------------------------------------

function cli(args: string[]): Promise<{ code: number | null; out: string }> {
	return new Promise((resolve) => {
		const child = spawn(
			process.execPath,
			['--import', 'tsx', 'tools/conformance/cli.ts', ...args],
			{
				stdio: ['ignore', 'pipe', 'pipe']
			}
		);
		let out = '';
		child.stdout.on('data', (c: Buffer) => (out += c.toString()));
		child.stderr.on('data', (c: Buffer) => (out += c.toString()));
		child.on('close', (code) => resolve({ code, out }));
	});
}

describe('npm run conformance', () => {
	it('exits 0 on the sandbox, 1 on a broken server, 2 on bad arguments', async () => {
		const good = await cli(['--api', sandbox.url, '--token', 'sandbox-alice']);
		expect(good.code).toBe(0);
		expect(good.out.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);

		const broken = await createBrokenServer(
			sandbox,
			RULES.find((r) => r.rule === 'lies about total')!.breakage
		);
		try {
			const bad = await cli(['--api', broken.url, '--token', 'sandbox-alice']);
			expect(bad.code).toBe(1);
			expect(bad.out).toContain('FAIL paging total dossiers: ');
			expect(bad.out.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 1 failed$/);
		} finally {
			await broken.close();
		}
		expect((await cli(['--token', 'x'])).code).toBe(2);
	});
});
