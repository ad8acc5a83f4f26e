/** Paging checks (SPEC §8): limits, cursors bound to their query, totals, duplicates, ends, page sizes. */
import { listPath, listSearchParams, type StatusCode } from '../../src/lib/contract/spico.ts';
import { addDays } from '../../src/lib/core/calendar.ts';
import {
	LISTS,
	allStatuses,
	fail,
	isProblem,
	readAll,
	sample,
	setDiff,
	type Context
} from './context.ts';
import type { Filters } from './reader.ts';

/** Largest list read three times (limit 1, 7 and the page limit) by the limits check. */
const LIMITS_CHECK_MAX_ROWS = 40;

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

export async function pagingChecks(
	ctx: Context,
	counts: Map<StatusCode, number>,
	everything: Filters,
	all: number
): Promise<void> {
	const { report } = ctx;
	await limitsCheck(ctx, counts, all);
	await cursorCheck(ctx, everything, all);

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
