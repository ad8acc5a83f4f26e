/**
 * The conformance kit (SPEC §14): checks a server against the contract of SPEC §8 from outside,
 * with the module's own schemas (src/lib/contract/spico.ts) and its own status-day rule
 * (src/lib/core/status-days.ts, SPEC §4) — never the sandbox's code. Every check is one line.
 */
import * as v from 'valibot';
import { PAGE_LIMIT_MAX, ThematicsSchema, type ListName } from '../../src/lib/contract/spico.ts';
import { addDays, todayInParis } from '../../src/lib/core/calendar.ts';
import { LISTS, allStatuses, fail, me, read, type Account, type Context } from './context.ts';
import { errorChecks } from './errors.ts';
import { filterChecks } from './filters.ts';
import { corsChecks, noStoreCheck } from './headers.ts';
import { BoundedHttp } from './http.ts';
import { pagingChecks } from './paging.ts';
import type { Filters, ListRead } from './reader.ts';
import { Report } from './report.ts';
import { storageKeyChecks } from './storage-key.ts';

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
	await noStoreCheck(ctx);
	return done();
}

/** Schemas, then filters and paging, which judge the schema checks' readings. */
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
	const counts = await filterChecks(ctx, main, universe, everything);
	await pagingChecks(ctx, counts, everything, universe.items.length);
}
