/** What every group of conformance checks shares: the run's context, failure helpers, list readings. */
import * as v from 'valibot';
import {
	MeSchema,
	ProblemSchema,
	STATUS_CODES,
	type ListName,
	type StatusCode
} from '../../src/lib/contract/spico.ts';
import type { BoundedHttp, HttpResponse } from './http.ts';
import { readList, type Filters, type ListFacts, type ListRead } from './reader.ts';
import { Fail, type Report } from './report.ts';
import type { ConformanceOptions } from './run.ts';

export const LISTS: readonly ListName[] = [
	'dossiers',
	'appointments',
	'hospitalisations',
	'care-circle',
	'responses'
];

export interface Account {
	token: string;
	userId: string;
	structureId: string;
	structureName: string;
}

export interface Context {
	http: BoundedHttp;
	report: Report;
	opts: Required<Pick<ConformanceOptions, 'pageLimit'>> & ConformanceOptions;
	facts: Map<string, ListFacts>;
	period: { from: string; to: string };
	today: string;
	me: Account;
	forms: string[];
}

export function fail(why: string): never {
	throw new Fail(why);
}

export function isProblem(res: HttpResponse): string | null {
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

export function expectProblem(res: HttpResponse, status: number, label: string): void {
	if (res.status !== status) fail(`${label} : HTTP ${res.status}, ${status} attendu`);
	const bad = isProblem(res);
	if (bad) fail(`${label} : ${bad}`);
}

export function hasToken(list: string | null, token: string): boolean {
	if (!list) return false;
	return list
		.split(',')
		.map((s) => s.trim().toLowerCase())
		.includes(token.toLowerCase());
}

export function allStatuses(): StatusCode[] {
	return [...STATUS_CODES];
}

export function setDiff(a: Iterable<string>, b: Set<string>): string[] {
	const out: string[] = [];
	for (const x of a) if (!b.has(x)) out.push(x);
	return out;
}

export function sample(ids: string[]): string {
	const shown = ids.slice(0, 3).join(', ');
	return ids.length > 3 ? `${shown}… (${ids.length})` : shown;
}

export async function me(ctx: Pick<Context, 'http'>, token: string): Promise<Account> {
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

export async function readAll(
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

export function read(ctx: Context, list: ListName, filters: Filters): Promise<ListRead> {
	return list === 'responses' ? readResponses(ctx, filters) : readAll(ctx, list, filters);
}
