/**
 * The conformance kit (SPEC §14): checks a server against the contract of SPEC §8 from outside,
 * with the module's own schemas (src/lib/contract/spico.ts) and its own status-day rule
 * (src/lib/core/status-days.ts, SPEC §4) — never the sandbox's code. Every check is one line.
 */
import * as v from 'valibot';
import {
	MeSchema,
	PAGE_LIMIT_MAX,
	ProblemSchema,
	STATUS_CODES,
	StorageKeySchema,
	ThematicsSchema,
	listPath,
	listSearchParams,
	type ListName,
	type StatusCode,
	type StatusEvent,
	type StorageKey
} from '../../src/lib/contract/spico.ts';
import { addDays, parisDay, todayInParis } from '../../src/lib/core/calendar.ts';
import { computeStatusDays } from '../../src/lib/core/status-days.ts';
import { BoundedHttp, type HttpResponse } from './http.ts';
import {
	itemId,
	readList,
	type Filters,
	type Item,
	type ListFacts,
	type ListRead
} from './reader.ts';
import { Fail, Report } from './report.ts';

export interface ConformanceOptions {
	/** Base URL of the API, e.g. `https://spico.example/api/v1`. */
	api: string;
	token: string;
	/** A token of another structure's account: 403 and isolation checks. */
	otherToken?: string;
	/** The app's origin: CORS checks. */
	origin?: string;
	/** The period of the filter checks; default: the two years up to yesterday (Paris). */
	from?: string;
	to?: string;
	maxRequests?: number;
	timeoutMs?: number;
	maxSeconds?: number;
	maxResponseBytes?: number;
	/** Page size of the full readings. */
	pageLimit?: number;
}

export const DEFAULTS = {
	maxRequests: 3000,
	timeoutMs: 30_000,
	maxSeconds: 600,
	maxResponseBytes: 64 * 1024 * 1024,
	pageLimit: PAGE_LIMIT_MAX
} as const;

export interface ConformanceResult {
	passed: number;
	failed: number;
	lines: string[];
	requests: number;
}

const LISTS: readonly ListName[] = [
	'dossiers',
	'appointments',
	'hospitalisations',
	'care-circle',
	'responses'
];
/** Largest list read three times (limit 1, 7 and the page limit) by the limits check. */
const LIMITS_CHECK_MAX_ROWS = 40;

interface Account {
	token: string;
	userId: string;
	structureId: string;
	structureName: string;
}

interface Context {
	http: BoundedHttp;
	report: Report;
	opts: Required<Pick<ConformanceOptions, 'pageLimit'>> & ConformanceOptions;
	facts: Map<string, ListFacts>;
	period: { from: string; to: string };
	today: string;
	me: Account;
	forms: string[];
}

function fail(why: string): never {
	throw new Fail(why);
}

function isProblem(res: HttpResponse): string | null {
	if (res.mediaType !== 'application/problem+json') {
		return `Content-Type « ${res.mediaType || 'absent'} », application/problem+json attendu`;
	}
	if (!v.is(ProblemSchema, res.json)) return 'corps non conforme à RFC 9457 (problem+json)';
	const status = (res.json as { status?: unknown }).status;
	if (status !== undefined && status !== res.status) {
		return `champ status ${String(status)} ≠ statut HTTP ${res.status}`;
	}
	return null;
}

function expectProblem(res: HttpResponse, status: number, label: string): void {
	if (res.status !== status) fail(`${label} : HTTP ${res.status}, ${status} attendu`);
	const bad = isProblem(res);
	if (bad) fail(`${label} : ${bad}`);
}

function hasToken(list: string | null, token: string): boolean {
	if (!list) return false;
	return list
		.split(',')
		.map((s) => s.trim().toLowerCase())
		.includes(token.toLowerCase());
}

function allStatuses(): StatusCode[] {
	return [...STATUS_CODES];
}

function setDiff(a: Iterable<string>, b: Set<string>): string[] {
	const out: string[] = [];
	for (const x of a) if (!b.has(x)) out.push(x);
	return out;
}

function sample(ids: string[]): string {
	const shown = ids.slice(0, 3).join(', ');
	return ids.length > 3 ? `${shown}… (${ids.length})` : shown;
}

/** Stable JSON (sorted keys), to compare the same item read twice. */
function canonical(x: unknown): string {
	if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
	if (x !== null && typeof x === 'object') {
		const o = x as Record<string, unknown>;
		return `{${Object.keys(o)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(x);
}

function formIdsOf(json: unknown): string[] {
	const items = (json as { items?: unknown } | undefined)?.items;
	if (!Array.isArray(items)) return [];
	return items.flatMap((t: { forms?: unknown }) =>
		Array.isArray(t?.forms)
			? t.forms
					.map((f: { id?: unknown }) => f?.id)
					.filter((id): id is string => typeof id === 'string' && id !== '')
			: []
	);
}

async function me(ctx: Pick<Context, 'http'>, token: string): Promise<Account> {
	const res = await ctx.http.request('/me', { token });
	if (res.status !== 200) fail(`GET /me : HTTP ${res.status}`);
	const parsed = v.safeParse(MeSchema, res.json);
	if (!parsed.success) fail('GET /me : réponse non conforme au schéma Me');
	const { user, account } = parsed.output;
	if (account.type !== 'structure') {
		fail('GET /me : compte personnel ; le kit demande le jeton d’un compte de structure');
	}
	return {
		token,
		userId: user.id,
		structureId: account.structureId,
		structureName: account.structureName
	};
}

export async function runConformance(
	options: ConformanceOptions,
	print: (line: string) => void = console.log
): Promise<ConformanceResult> {
	const opts = { ...options, pageLimit: options.pageLimit ?? DEFAULTS.pageLimit };
	const http = new BoundedHttp(options.api, {
		timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
		maxRequests: options.maxRequests ?? DEFAULTS.maxRequests,
		maxResponseBytes: options.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
		deadline: Date.now() + (options.maxSeconds ?? DEFAULTS.maxSeconds) * 1000
	});
	const report = new Report(print);
	const today = todayInParis();
	const to = options.to ?? addDays(today, -1);
	const period = { from: options.from ?? addDays(to, -730), to };
	const done = (): ConformanceResult => {
		report.summary();
		return {
			passed: report.passed,
			failed: report.failed,
			lines: report.lines,
			requests: http.requests
		};
	};

	let account: Account | null = null;
	await report.check('me', async () => {
		account = await me({ http }, options.token);
	});
	if (!account) {
		report.fail('run', 'les autres vérifications demandent GET /me d’un compte de structure');
		return done();
	}
	const ctx: Context = {
		http,
		report,
		opts,
		facts: new Map(),
		period,
		today,
		me: account,
		forms: []
	};

	await report.check('thematics', async () => {
		const sid = encodeURIComponent(ctx.me.structureId);
		const res = await http.request(`/structures/${sid}/thematics`, { token: ctx.me.token });
		if (res.status !== 200) fail(`HTTP ${res.status}`);
		// The forms' ids are taken even from a catalogue that fails the schema: its lists still get read.
		ctx.forms = formIdsOf(res.json);
		const parsed = v.safeParse(ThematicsSchema, res.json);
		if (!parsed.success) fail('réponse non conforme au schéma Thematics');
		return `${parsed.output.items.length} thématiques, ${ctx.forms.length} formulaires`;
	});

	await listChecks(ctx);
	await errorChecks(ctx);
	await corsChecks(ctx);
	await storageKeyChecks(ctx);

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
	return done();
}

// --- Lists: schemas, paging, filters -------------------------------------------------------------

async function readAll(
	ctx: Context,
	list: ListName,
	filters: Filters,
	extra: { formId?: string; limit?: number; maxRows?: number; account?: Account } = {}
): Promise<ListRead> {
	const account = extra.account ?? ctx.me;
	return readList(ctx.http, ctx.facts, list, filters, {
		token: account.token,
		structureId: account.structureId,
		formId: extra.formId,
		limit: extra.limit ?? ctx.opts.pageLimit,
		maxRows: extra.maxRows
	});
}

/** Every form's responses, concatenated. */
async function readResponses(ctx: Context, filters: Filters): Promise<ListRead> {
	const all: ListRead = {
		list: 'responses',
		items: [],
		ids: [],
		totals: [],
		pages: 0,
		partial: false
	};
	for (const formId of ctx.forms) {
		const r = await readAll(ctx, 'responses', filters, { formId });
		all.items.push(...r.items);
		all.ids.push(...r.ids);
		all.pages += r.pages;
	}
	return all;
}

function read(ctx: Context, list: ListName, filters: Filters): Promise<ListRead> {
	return list === 'responses' ? readResponses(ctx, filters) : readAll(ctx, list, filters);
}

function statusDaysOf(ctx: Context, d: Item) {
	return computeStatusDays({
		createdAt: d.createdAt as string,
		statusEvents: d.statusEvents as StatusEvent[],
		period: ctx.period,
		today: ctx.today
	});
}

function isMemberFor(m: Item, account: Account): boolean {
	if (m.type !== 'structure') return false;
	const name = typeof m.intervenant === 'string' ? m.intervenant.trim().toLowerCase() : null;
	return (
		name === account.structureName.trim().toLowerCase() || m.identifiant === account.structureId
	);
}

async function listChecks(ctx: Context): Promise<void> {
	const { report, period } = ctx;
	const everything: Filters = { ...period, archived: true, statuses: allStatuses() };

	// The main readings: the whole period, archived included, every status.
	const main = new Map<ListName, ListRead>();
	for (const list of LISTS) {
		await report.check(`schema ${list}`, async () => {
			const r = await read(ctx, list, everything);
			main.set(list, r);
			const issues = ctx.facts.get(list)?.schema ?? [];
			if (issues.length > 0) fail(issues[0]!);
			return `${r.items.length} lignes, ${r.pages} pages`;
		});
	}
	const universe = main.get('dossiers');
	if (!universe) {
		report.fail(
			'filters',
			'pas de liste de dossiers lisible : vérifications des filtres impossibles'
		);
		return;
	}
	const byId = new Map(universe.items.map((d) => [d.dossierId, d]));
	const inUniverse = new Set(byId.keys());

	await report.check('filter archived', async () => {
		const r = await readAll(ctx, 'dossiers', { ...everything, archived: false });
		const archivedServed = r.items.filter((d) => d.archivedAt !== null).map((d) => d.dossierId);
		if (archivedServed.length)
			fail(`archived=false sert des dossiers archivés : ${sample(archivedServed)}`);
		const expected = universe.items.filter((d) => d.archivedAt === null).map((d) => d.dossierId);
		const served = new Set(r.ids);
		const missing = setDiff(expected, served);
		if (missing.length) fail(`archived=false omet des dossiers non archivés : ${sample(missing)}`);
		const extra = setDiff(served, inUniverse);
		if (extra.length)
			fail(`archived=false sert des dossiers absents de archived=true : ${sample(extra)}`);
		const n = universe.items.length - expected.length;
		return `${n} archivés sur ${universe.items.length}${n === 0 ? ' : aucun dossier archivé, vérification faible' : ''}`;
	});

	// Status scope recomputed per SPEC §3–§4 from the server's own statusEvents.
	const counts = new Map<StatusCode, number>();
	await report.check('filter status all', () => {
		const empty = universe.items
			.filter((d) => {
				try {
					return statusDaysOf(ctx, d).totalDays === 0;
				} catch {
					return true;
				}
			})
			.map((d) => d.dossierId);
		if (empty.length)
			fail(`dossiers sans aucun jour dans la période (créés après « to ») : ${sample(empty)}`);
		return `${universe.items.length} dossiers`;
	});
	const scopeCheck = async (statuses: StatusCode[], name: string) =>
		report.check(name, async () => {
			const r = await readAll(ctx, 'dossiers', { ...everything, statuses });
			const expected = universe.items
				.filter((d) => {
					const days = statusDaysOf(ctx, d).days;
					return statuses.some((s) => days[s] > 0);
				})
				.map((d) => d.dossierId);
			const served = new Set(r.ids);
			const extra = setDiff(served, new Set(expected));
			if (extra.length) {
				fail(`dossiers servis sans jour dans ces statuts (recalcul SPEC §4) : ${sample(extra)}`);
			}
			const missing = setDiff(expected, served);
			if (missing.length)
				fail(`dossiers omis bien qu’ayant des jours dans ces statuts : ${sample(missing)}`);
			if (statuses.length === 1) counts.set(statuses[0]!, r.items.length);
			return `${r.items.length} dossiers`;
		});
	for (const s of STATUS_CODES) await scopeCheck([s], `filter status ${s}`);
	await scopeCheck(['en_attente', 'suivi_inclusion'], 'filter status en_attente+suivi_inclusion');

	// File active: the structure is (or was) in every dossier's care circle.
	await report.check('filter file active', async () => {
		if (universe.items.length === 0) return 'aucun dossier';
		const earliest = universe.items
			.map((d) => parisDay(d.createdAt as string))
			.reduce((a, b) => (a < b ? a : b));
		const wide = {
			from: earliest,
			to: addDays(ctx.today, -1),
			archived: true,
			statuses: allStatuses()
		};
		const circle = await readAll(
			ctx,
			'care-circle',
			wide.to < period.to ? { ...wide, to: period.to } : wide
		);
		const members = new Set(
			circle.items.filter((m) => isMemberFor(m, ctx.me)).map((m) => m.dossierId)
		);
		const outside = setDiff(inUniverse, members);
		if (outside.length) {
			fail(
				`dossiers dont le cercle de soins ne nomme pas la structure « ${ctx.me.structureName} » : ${sample(outside)}`
			);
		}
		return `${universe.items.length} dossiers`;
	});
	if (ctx.opts.otherToken) {
		await report.check('filter file active (other structure)', async () => {
			const other = await me(ctx, ctx.opts.otherToken!);
			if (other.structureId === ctx.me.structureId)
				fail('--other-token est un compte de la même structure');
			const theirs = await readAll(ctx, 'dossiers', everything, { account: other });
			if (theirs.items.length === 0) return 'aucun dossier chez l’autre structure';
			const earliest = theirs.items
				.map((d) => parisDay(d.createdAt as string))
				.reduce((a, b) => (a < b ? a : b));
			const circle = await readAll(
				ctx,
				'care-circle',
				{ from: earliest, to: period.to, archived: true, statuses: allStatuses() },
				{ account: other }
			);
			const ours = new Set(
				circle.items.filter((m) => isMemberFor(m, ctx.me)).map((m) => m.dossierId)
			);
			const leaked = theirs.ids.filter((id) => !ours.has(id) && inUniverse.has(id));
			if (leaked.length)
				fail(`dossiers de l’autre structure seule servis à celle-ci : ${sample(leaked)}`);
			const shared = theirs.ids.filter((id) => inUniverse.has(id)).length;
			return `${theirs.items.length} dossiers chez l’autre structure, ${shared} en commun`;
		});
	} else {
		report.skip('filter file active (other structure)', 'demande --other-token');
	}

	// Lists restricted to in-scope dossiers: a narrower query, the same rows of its dossiers.
	const narrowStatus =
		[...counts.entries()]
			.filter(([, n]) => n > 0 && n < universe.items.length)
			.sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'suivi_inclusion';
	const narrow: Filters = { ...period, archived: false, statuses: [narrowStatus] };
	let narrowIds = new Set<string>();
	const narrowDossiers = await report.check('filter narrow query', async () => {
		const r = await readAll(ctx, 'dossiers', narrow);
		narrowIds = new Set(r.ids);
		return `archived=false, status=${narrowStatus} : ${r.items.length} dossiers`;
	});
	for (const list of LISTS.slice(1)) {
		await report.check(`filter in scope ${list}`, async () => {
			if (!narrowDossiers) fail('requête restreinte illisible');
			const full = main.get(list);
			if (!full) fail('liste complète illisible');
			const r = await read(ctx, list, narrow);
			const outside = r.items
				.filter((x) => !narrowIds.has(x.dossierId))
				.map((x) => itemId(list, x));
			if (outside.length)
				fail(`lignes de dossiers hors du périmètre de la requête : ${sample(outside)}`);
			const expected = full.items
				.filter((x) => narrowIds.has(x.dossierId))
				.map((x) => itemId(list, x));
			const served = new Set(r.ids);
			const missing = setDiff(expected, served);
			if (missing.length) fail(`lignes de dossiers du périmètre omises : ${sample(missing)}`);
			const extra = setDiff(served, new Set(full.ids));
			if (extra.length) fail(`lignes absentes de la requête large : ${sample(extra)}`);
			return `${r.items.length} lignes`;
		});
	}

	// Each list's own period rule (SPEC §3), on the main readings.
	const inPeriod = (day: string) => day >= period.from && day <= period.to;
	const overlaps = (start: unknown, end: unknown) =>
		(start === null || (start as string) <= period.to) &&
		(end === null || (end as string) >= period.from);
	const periodRules: Record<Exclude<ListName, 'dossiers'>, (x: Item) => boolean> = {
		appointments: (x) => inPeriod(parisDay(x.start as string)),
		hospitalisations: (x) => overlaps(x.entree, x.sortie),
		'care-circle': (x) => overlaps(x.debut, x.fin),
		responses: (x) => inPeriod(parisDay(x.date as string))
	};
	for (const list of LISTS.slice(1) as Exclude<ListName, 'dossiers'>[]) {
		await report.check(`filter period ${list}`, () => {
			const full = main.get(list);
			if (!full) fail('liste complète illisible');
			const bad = full.items
				.filter((x) => {
					try {
						return !periodRules[list](x);
					} catch {
						return true;
					}
				})
				.map((x) => itemId(list, x));
			if (bad.length)
				fail(`lignes hors de la période ${period.from}..${period.to} : ${sample(bad)}`);
			const orphans = full.items
				.filter((x) => !inUniverse.has(x.dossierId))
				.map((x) => itemId(list, x));
			if (orphans.length)
				fail(`lignes de dossiers absents de la liste des dossiers : ${sample(orphans)}`);
			return `${full.items.length} lignes`;
		});
	}

	await limitsCheck(ctx, counts, universe.items.length);
	await cursorCheck(ctx, everything, universe.items.length);

	for (const list of LISTS) {
		const f = ctx.facts.get(list);
		const rule = (name: string, issues: string[] | undefined, note: string) => {
			if (!f) report.fail(`paging ${name} ${list}`, 'liste jamais lue');
			else if (issues && issues.length) report.fail(`paging ${name} ${list}`, issues[0]!);
			else report.ok(`paging ${name} ${list}`, note);
		};
		rule('total', f?.total, `${f?.reads ?? 0} lectures, ${f?.rows ?? 0} lignes`);
		rule('unique', f?.unique, 'aucun doublon');
		rule('ends', f?.ends, 'chaque lecture s’arrête sur nextCursor null');
		rule('page-size', f?.pageSize, 'items ≤ limit');
	}
}

/** The same rows for limit 1, 7 and the page limit, on a small query (limit 1 costs a request a row). */
async function limitsCheck(
	ctx: Context,
	counts: Map<StatusCode, number>,
	all: number
): Promise<void> {
	await ctx.report.check('paging limits 1, 7, 5000', async () => {
		const candidates = [...counts.entries()].filter(([, n]) => n >= 2);
		const small = candidates
			.filter(([, n]) => n <= LIMITS_CHECK_MAX_ROWS)
			.sort((a, b) => b[1] - a[1])[0];
		const pick = small ?? candidates.sort((a, b) => a[1] - b[1])[0];
		const filters: Filters = pick
			? { ...ctx.period, archived: true, statuses: [pick[0]] }
			: { ...ctx.period, archived: true, statuses: allStatuses() };
		const whole = !!small || all <= LIMITS_CHECK_MAX_ROWS;
		const maxRows = whole ? undefined : LIMITS_CHECK_MAX_ROWS;
		const big = await readAll(ctx, 'dossiers', filters);
		if (big.items.length < 2) return 'moins de deux dossiers : rien à comparer';
		const reference = new Map(big.items.map((d) => [d.dossierId, canonical(d)]));
		for (const limit of [1, 7]) {
			const r = await readAll(ctx, 'dossiers', filters, { limit, maxRows });
			if (whole) {
				const missing = setDiff(big.ids, new Set(r.ids));
				const extra = setDiff(r.ids, new Set(big.ids));
				if (missing.length || extra.length) {
					fail(
						`limit ${limit} : autres dossiers qu’avec limit ${ctx.opts.pageLimit} (${sample([...missing, ...extra])})`
					);
				}
			} else if (r.ids.join('\n') !== big.ids.slice(0, r.ids.length).join('\n')) {
				fail(
					`limit ${limit} : les ${r.ids.length} premiers dossiers diffèrent de ceux de limit ${ctx.opts.pageLimit}`
				);
			}
			const changed = r.items.filter((d) => reference.get(d.dossierId) !== canonical(d));
			if (changed.length)
				fail(`limit ${limit} : contenu différent pour ${sample(changed.map((d) => d.dossierId))}`);
		}
		return whole
			? `status=${filters.statuses.join('+')}, ${big.items.length} dossiers`
			: `les ${LIMITS_CHECK_MAX_ROWS} premiers de ${big.items.length} dossiers`;
	});
}

/** A cursor is bound to its query: reused with other filters it is refused (422). */
async function cursorCheck(ctx: Context, everything: Filters, all: number): Promise<void> {
	await ctx.report.check('paging cursor bound to its query', async () => {
		if (all < 2) return 'moins de deux dossiers : pas de curseur';
		const path = `/${listPath(ctx.me.structureId, 'dossiers')}`;
		const first = await ctx.http.request(
			`${path}?${listSearchParams({ ...everything, limit: 1 })}`,
			{
				token: ctx.me.token
			}
		);
		const cursor = (first.json as { nextCursor?: unknown } | undefined)?.nextCursor;
		if (first.status !== 200 || typeof cursor !== 'string') {
			fail(`limit=1 sur ${all} dossiers : pas de nextCursor (HTTP ${first.status})`);
		}
		const same = await ctx.http.request(
			`${path}?${listSearchParams({ ...everything, limit: 1, cursor })}`,
			{
				token: ctx.me.token
			}
		);
		if (same.status !== 200) fail(`le curseur refusé sur sa propre requête : HTTP ${same.status}`);
		const variants: [string, Filters][] = [
			['to', { ...everything, to: addDays(everything.to, -1) }],
			['from', { ...everything, from: addDays(everything.from, 1) }],
			['archived', { ...everything, archived: !everything.archived }],
			['status', { ...everything, statuses: everything.statuses.slice(1) }]
		];
		for (const [name, filters] of variants) {
			const res = await ctx.http.request(
				`${path}?${listSearchParams({ ...filters, limit: 1, cursor })}`,
				{
					token: ctx.me.token
				}
			);
			if (res.status !== 422)
				fail(`curseur réutilisé avec un autre « ${name} » : HTTP ${res.status}, 422 attendu`);
			const bad = isProblem(res);
			if (bad) fail(`curseur réutilisé avec un autre « ${name} » : ${bad}`);
		}
		return 'to, from, archived, status';
	});
}

// --- Errors ----------------------------------------------------------------------------------------

async function errorChecks(ctx: Context): Promise<void> {
	const { report, http } = ctx;
	const sid = encodeURIComponent(ctx.me.structureId);
	const dossiers = `/structures/${sid}/dossiers`;
	const good = listSearchParams({
		...ctx.period,
		archived: false,
		statuses: ['en_attente'],
		limit: 1
	});

	await report.check('401 no token', async () => {
		for (const path of ['/me', `${dossiers}?${good}`]) {
			expectProblem(await http.request(path, { token: null }), 401, `GET ${path.split('?')[0]}`);
		}
	});
	await report.check('401 bad token', async () => {
		const bad = `conformance-invalid-${Date.now().toString(36)}`;
		for (const path of ['/me', `${dossiers}?${good}`]) {
			expectProblem(await http.request(path, { token: bad }), 401, `GET ${path.split('?')[0]}`);
		}
	});
	if (ctx.opts.otherToken) {
		await report.check('403 other structure', async () => {
			const other = await me(ctx, ctx.opts.otherToken!);
			const osid = encodeURIComponent(other.structureId);
			for (const path of [
				`/structures/${osid}/thematics`,
				`/structures/${osid}/dossiers?${good}`,
				`/structures/${osid}/storage-key`
			]) {
				expectProblem(
					await http.request(path, { token: ctx.me.token }),
					403,
					`GET ${path.split('?')[0]}`
				);
			}
			return 'thematics, dossiers, storage-key';
		});
	} else {
		report.skip('403 other structure', 'demande --other-token');
	}

	const q = (patch: Record<string, string | null>, status: string[] = ['en_attente']) => {
		const p = listSearchParams({ ...ctx.period, archived: false, statuses: [], limit: 10 });
		for (const s of status) p.append('status', s);
		for (const [k, val] of Object.entries(patch)) {
			if (val === null) p.delete(k);
			else p.set(k, val);
		}
		return p;
	};
	const cases: [string, URLSearchParams][] = [
		['from invalid', q({ from: '2023-02-30' })],
		['to missing', q({ to: null })],
		['from after to', q({ from: addDays(ctx.period.to, 1) })],
		['status unknown', q({}, ['inconnu'])],
		['status missing', q({}, [])],
		['archived invalid', q({ archived: 'peut-etre' })],
		['limit 0', q({ limit: '0' })],
		[`limit ${PAGE_LIMIT_MAX + 1}`, q({ limit: String(PAGE_LIMIT_MAX + 1) })],
		['limit not a number', q({ limit: 'abc' })],
		['cursor forged', q({ cursor: 'conformance-forged-cursor' })]
	];
	for (const [name, params] of cases) {
		await report.check(`422 ${name}`, async () => {
			expectProblem(
				await http.request(`${dossiers}?${params}`, { token: ctx.me.token }),
				422,
				'GET dossiers'
			);
		});
	}
	await report.check('422 invalid extraction event', async () => {
		// Invalid on purpose: nothing is recorded in the platform's audit trail.
		const res = await http.request(`/structures/${sid}/extraction-events`, {
			method: 'POST',
			token: ctx.me.token,
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ outcome: 'conformance-invalid' })
		});
		expectProblem(res, 422, 'POST extraction-events');
	});
}

// --- CORS ------------------------------------------------------------------------------------------

async function corsChecks(ctx: Context): Promise<void> {
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

// --- Storage key -----------------------------------------------------------------------------------

async function storageKeyChecks(ctx: Context): Promise<void> {
	const { report, http } = ctx;
	const get = async (account: Account): Promise<StorageKey | 'absent'> => {
		const path = `/structures/${encodeURIComponent(account.structureId)}/storage-key`;
		const res = await http.request(path, { token: account.token });
		if (res.status === 404) {
			const bad = isProblem(res);
			if (bad) fail(`GET ${path} → 404 : ${bad}`);
			return 'absent';
		}
		if (res.status !== 200) fail(`GET ${path} : HTTP ${res.status}, 200 ou 404 attendu`);
		const parsed = v.safeParse(StorageKeySchema, res.json);
		if (!parsed.success) {
			const field = parsed.issues[0].path?.map((p) => String(p.key)).join('.') ?? '(racine)';
			fail(`GET ${path} : champ « ${field} » non conforme ({ keyId, key: 32 octets base64url })`);
		}
		return parsed.output;
	};
	let first: StorageKey | 'absent' | null = null;
	await report.check('storage key shape', async () => {
		first = await get(ctx.me);
		return first === 'absent' ? 'non proposée (404 problem+json)' : `keyId ${first.keyId}`;
	});
	await report.check('storage key stable', async () => {
		if (first === null) fail('première lecture en échec');
		const again = await get(ctx.me);
		if (first === 'absent' || again === 'absent') {
			if (first !== again) fail('proposée une fois sur deux');
			return 'non proposée';
		}
		if (again.keyId !== first.keyId || again.key !== first.key)
			fail('clé ou keyId différent d’une lecture à l’autre');
	});
	if (ctx.opts.otherToken) {
		await report.check('storage key per user and structure', async () => {
			const other = await me(ctx, ctx.opts.otherToken!);
			const theirs = await get(other);
			if (first === null || first === 'absent' || theirs === 'absent') return 'non proposée';
			if (theirs.key === first.key) fail('la même clé pour deux utilisateurs de deux structures');
		});
	} else {
		report.skip('storage key per user and structure', 'demande --other-token');
	}
}
