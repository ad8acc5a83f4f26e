/**
 * The sandbox against the contract, through the module's own client: every endpoint, every page
 * of every list, tokens, errors, CORS and the audit trail. Small scale, today fixed.
 */
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/lib/api/http';
import { createSpicoClient, type SpicoClient } from '../../src/lib/api/client';
import {
	MeSchema,
	ProblemSchema,
	STATUS_CODES,
	ThematicsSchema,
	type Dossier,
	type ExtractionEvent,
	type ListName,
	type ListQuery,
	type StatusCode
} from '../../src/lib/contract/spico';
import { STRUCTURE_DAC, STRUCTURE_TND } from '../../sandbox/generator';
import { createSandboxServer, type SandboxServer } from '../../sandbox/server';
import { TODAY, parisDayOf, rawPages, statusDays } from './helpers';

let sandbox: SandboxServer;
let alice: SpicoClient;
const clientFor = (token: string | null) =>
	createSpicoClient({ baseUrl: sandbox.url, getToken: () => token, retries: 0 });

beforeAll(async () => {
	sandbox = await createSandboxServer({ scale: 'small', port: 0, today: TODAY });
	alice = clientFor('sandbox-alice');
});
afterAll(async () => {
	await sandbox.close();
});

const SID = STRUCTURE_TND.id;

describe('GET /me', () => {
	it('describes each demo account, raw JSON matching the schema', async () => {
		expect(await alice.me()).toEqual({
			user: { id: 'u-alice', name: 'Alice Martin' },
			account: { type: 'structure', structureId: SID, structureName: 'PLATEFORME TND TEST' }
		});
		expect((await clientFor('sandbox-bob').me()).account).toEqual({
			type: 'structure',
			structureId: STRUCTURE_DAC.id,
			structureName: STRUCTURE_DAC.name
		});
		expect((await clientFor('sandbox-claire').me()).account).toEqual({ type: 'personal' });
		const raw = await fetch(`${sandbox.url}/me`, {
			headers: { Authorization: 'Bearer sandbox-claire' }
		});
		expect(v.is(MeSchema, await raw.json())).toBe(true);
	});

	it('answers 401 problem+json to a missing or unknown token', async () => {
		const variants: Record<string, string>[] = [
			{},
			{ Authorization: 'Bearer sandbox-mallory' },
			{ Authorization: 'Basic eDp5' }
		];
		for (const headers of variants) {
			const res = await fetch(`${sandbox.url}/me`, { headers });
			expect(res.status).toBe(401);
			expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
			expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
			const problem = v.parse(ProblemSchema, await res.json());
			expect(problem.status).toBe(401);
		}
		await expect(clientFor('nope').me()).rejects.toMatchObject({
			kind: 'unauthorized',
			status: 401
		});
		await expect(clientFor(null).me()).rejects.toBeInstanceOf(ApiError);
	});
});

describe('GET /structures/{sid}/thematics', () => {
	it('serves the catalogue to the structure’s own account only', async () => {
		const thematics = await alice.thematics(SID);
		expect(thematics).toHaveLength(7);
		expect(thematics.flatMap((t) => t.forms)).toHaveLength(20);
		const raw = await fetch(`${sandbox.url}/structures/${SID}/thematics`, {
			headers: { Authorization: 'Bearer sandbox-alice' }
		});
		expect(v.is(ThematicsSchema, await raw.json())).toBe(true);
		await expect(clientFor('sandbox-bob').thematics(SID)).rejects.toMatchObject({
			kind: 'forbidden',
			status: 403
		});
		await expect(clientFor('sandbox-claire').thematics(SID)).rejects.toMatchObject({ status: 403 });
	});
});

// --- Lists ---------------------------------------------------------------------------------------

type Query = Omit<ListQuery, 'cursor'>;
const ALL = STATUS_CODES;
const FILTER_SETS: { name: string; query: Query }[] = [
	{
		name: 'wide, archived, all statuses',
		query: { from: '2019-01-01', to: '2026-06-30', archived: true, statuses: ALL }
	},
	{
		name: '2023, all statuses',
		query: { from: '2023-01-01', to: '2023-12-31', archived: false, statuses: ALL }
	},
	{
		name: 'Q1 2024, suivi + en attente',
		query: {
			from: '2024-01-01',
			to: '2024-03-31',
			archived: false,
			statuses: ['suivi_inclusion', 'en_attente']
		}
	},
	{
		name: 'one day, suivi, archived',
		query: { from: '2023-03-24', to: '2023-03-24', archived: true, statuses: ['suivi_inclusion'] }
	},
	{
		name: 'past today, sortie + non renseigné',
		query: {
			from: '2024-01-01',
			to: '2024-12-31',
			archived: false,
			statuses: ['sortie', 'non_renseigne']
		}
	}
];
const LISTS: Exclude<ListName, 'responses'>[] = [
	'dossiers',
	'appointments',
	'hospitalisations',
	'care-circle'
];
const LIMIT: Record<ListName, number> = {
	dossiers: 7,
	appointments: 50,
	hospitalisations: 7,
	'care-circle': 23,
	responses: 7
};

async function clientIds(list: ListName, query: Query, formId?: string) {
	const ids: string[] = [];
	const totals = new Set<number>();
	for await (const page of alice.pages(SID, list, query, { formId })) {
		totals.add(page.total);
		for (const item of page.items) {
			ids.push(list === 'dossiers' ? (item as Dossier).dossierId : (item as { id: string }).id);
		}
	}
	return { ids, totals };
}

describe.each(FILTER_SETS)('lists for $name', ({ query }) => {
	let dossiers: Dossier[] = [];

	beforeAll(async () => {
		const run = await rawPages(sandbox.url, 'sandbox-alice', SID, 'dossiers', {
			...query,
			limit: 5000
		});
		dossiers = run.items as unknown as Dossier[];
	});

	it.each(LISTS)('%s: pages add up to total, no duplicate, same total everywhere', async (list) => {
		const raw = await rawPages(sandbox.url, 'sandbox-alice', SID, list, {
			...query,
			limit: LIMIT[list]
		});
		const total = raw.totals[0] ?? -1;
		expect(new Set(raw.totals)).toEqual(new Set([total]));
		expect(raw.ids).toHaveLength(total);
		expect(new Set(raw.ids).size).toBe(total);
		// The module's client sees exactly the same rows.
		const viaClient = await clientIds(list, { ...query, limit: LIMIT[list] });
		expect(viaClient.ids).toEqual(raw.ids);
		expect([...viaClient.totals]).toEqual([total]);
		// Only rows of in-scope dossiers.
		const inScope = new Set(dossiers.map((d) => d.dossierId));
		for (const item of raw.items) expect(inScope.has(item.dossierId)).toBe(true);
		if (list === 'appointments') {
			for (const a of raw.items as unknown as { start: string }[]) {
				const day = parisDayOf(a.start);
				expect(day >= query.from && day <= query.to).toBe(true);
			}
		}
	});

	it('dossiers: each matches the filters, by an independent status-day count', () => {
		expect(dossiers.length).toBeGreaterThan(0);
		for (const d of dossiers) {
			if (!query.archived) expect(d.archivedAt).toBeNull();
			expect(parisDayOf(d.createdAt) <= query.to).toBe(true);
			const days = statusDays(d, query.from, query.to, TODAY);
			expect(query.statuses.some((s) => (days.get(s) ?? 0) >= 1)).toBe(true);
		}
	});
});

describe('dossiers: nothing in scope is missing', () => {
	it('matches an independent count over the whole file active for several filter sets', async () => {
		// The widest query holds every file-active dossier that exists by `today`.
		const universe = (
			await rawPages(sandbox.url, 'sandbox-alice', SID, 'dossiers', {
				from: '2000-01-01',
				to: TODAY,
				archived: true,
				statuses: ALL,
				limit: 5000
			})
		).items as unknown as Dossier[];
		expect(universe.length).toBeGreaterThan(100);
		const sets: Query[] = [
			...FILTER_SETS.map((f) => f.query),
			{ from: '2023-03-01', to: '2023-03-28', archived: false, statuses: ['sortie'] },
			{
				from: '2022-06-01',
				to: '2022-06-30',
				archived: false,
				statuses: ['non_suivi', 'reorientation']
			},
			{ from: '2021-01-01', to: '2021-01-01', archived: true, statuses: ['analyse_demande'] }
		];
		for (const query of sets) {
			const expected = universe
				.filter((d) => query.archived || d.archivedAt === null)
				.filter((d) => parisDayOf(d.createdAt) <= query.to)
				.filter((d) => {
					const days = statusDays(d, query.from, query.to, TODAY);
					return query.statuses.some((s: StatusCode) => (days.get(s) ?? 0) >= 1);
				})
				.map((d) => d.dossierId);
			const got = await rawPages(sandbox.url, 'sandbox-alice', SID, 'dossiers', {
				...query,
				limit: 5000
			});
			expect(got.ids).toEqual(expected);
		}
	});

	it('never serves another structure’s dossiers, and serves the shared ones to both', async () => {
		const q = { from: '2019-01-01', to: TODAY, archived: true, statuses: ALL, limit: 5000 };
		const a = await rawPages(sandbox.url, 'sandbox-alice', SID, 'dossiers', q);
		const b = await rawPages(sandbox.url, 'sandbox-bob', STRUCTURE_DAC.id, 'dossiers', q);
		const shared = a.ids.filter((id) => b.ids.includes(id));
		expect(shared.length).toBeGreaterThan(0);
		expect(shared.length).toBeLessThan(Math.min(a.ids.length, b.ids.length));
	});
});

describe('form responses', () => {
	it('serves every form’s responses, paged, validated, in the period', async () => {
		const forms = (await alice.thematics(SID)).flatMap((t) => t.forms);
		for (const { query } of FILTER_SETS.slice(0, 2)) {
			let sum = 0;
			for (const form of forms) {
				const raw = await rawPages(
					sandbox.url,
					'sandbox-alice',
					SID,
					'responses',
					{ ...query, limit: 7 },
					form.id
				);
				const total = raw.totals[0] ?? -1;
				expect(raw.ids).toHaveLength(total);
				expect(new Set(raw.ids).size).toBe(total);
				expect(new Set(raw.totals).size).toBe(1);
				for (const r of raw.items as unknown as { formId: string; date: string }[]) {
					expect(r.formId).toBe(form.id);
					const day = parisDayOf(r.date);
					expect(day >= query.from && day <= query.to).toBe(true);
				}
				const viaClient = await clientIds('responses', { ...query, limit: 7 }, form.id);
				expect(viaClient.ids).toEqual(raw.ids);
				sum += total;
			}
			expect(sum).toBeGreaterThan(0);
		}
	});

	it('answers 404 to an unknown form', async () => {
		const q = { ...FILTER_SETS[0]!.query };
		await expect(alice.page(SID, 'responses', q, { formId: 'F99' })).rejects.toMatchObject({
			kind: 'not-found',
			status: 404
		});
	});
});

describe('paging', () => {
	const q: Query = { from: '2019-01-01', to: '2026-06-30', archived: true, statuses: ALL };

	it('serves the same page again for the same cursor, and the last page has no cursor', async () => {
		const first = await alice.page(SID, 'appointments', { ...q, limit: 7 });
		expect(first.items).toHaveLength(7);
		expect(first.nextCursor).not.toBeNull();
		const a = await alice.page(SID, 'appointments', { ...q, limit: 7, cursor: first.nextCursor });
		const b = await alice.page(SID, 'appointments', { ...q, limit: 7, cursor: first.nextCursor });
		expect(b).toEqual(a);
		const all = await alice.page(SID, 'dossiers', { ...q, limit: 5000 });
		expect(all.nextCursor).toBeNull();
		expect(all.items).toHaveLength(all.total);
	});

	it('defaults the limit to 1000', async () => {
		const page = await alice.page(SID, 'appointments', q);
		expect(page.total).toBeGreaterThan(1000);
		expect(page.items).toHaveLength(1000);
	});
});

// --- Errors, CORS, audit -------------------------------------------------------------------------

describe('errors', () => {
	const good = 'from=2023-01-01&to=2023-12-31&archived=false&status=en_attente';
	const cases: [string, string, string][] = [
		['bad date', 'from=2023-02-30&to=2023-12-31&status=en_attente', 'from'],
		['bad to', 'from=2023-01-01&to=31/12/2023&status=en_attente', 'to'],
		['missing from', 'to=2023-12-31&status=en_attente', 'from'],
		['from after to', 'from=2023-12-31&to=2023-01-01&status=en_attente', 'from'],
		['unknown status', `${good}&status=perdu`, 'status'],
		['no status', 'from=2023-01-01&to=2023-12-31', 'status'],
		[
			'archived not boolean',
			'from=2023-01-01&to=2023-12-31&status=sortie&archived=oui',
			'archived'
		],
		['limit 0', `${good}&limit=0`, 'limit'],
		['limit 5001', `${good}&limit=5001`, 'limit'],
		['limit not a number', `${good}&limit=dix`, 'limit'],
		['bad cursor', `${good}&cursor=nimportequoi`, 'cursor']
	];

	it.each(cases)('422 problem+json for %s, naming « %s »', async (_name, qs, param) => {
		const res = await fetch(`${sandbox.url}/structures/${SID}/dossiers?${qs}`, {
			headers: { Authorization: 'Bearer sandbox-alice' }
		});
		expect(res.status).toBe(422);
		expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
		const body = (await res.json()) as { invalidParams: { name: string }[] };
		const problem = v.parse(ProblemSchema, body);
		expect(problem.status).toBe(422);
		expect(problem.detail).toContain(`« ${param} »`);
		expect(body.invalidParams.map((p) => p.name)).toContain(param);
	});

	it('refuses a cursor from another query, and the client reports invalid filters', async () => {
		const q: Query = {
			from: '2023-01-01',
			to: '2023-12-31',
			archived: false,
			statuses: ALL,
			limit: 5
		};
		const first = await alice.page(SID, 'dossiers', q);
		await expect(
			alice.page(SID, 'appointments', { ...q, cursor: first.nextCursor })
		).rejects.toMatchObject({ kind: 'invalid-filters', status: 422 });
		await expect(
			alice.page(SID, 'dossiers', { ...q, to: '2023-12-30', cursor: first.nextCursor })
		).rejects.toMatchObject({ status: 422 });
	});

	it('403 for another structure’s lists, 401 before 403, 404 for unknown paths', async () => {
		const q: Query = { from: '2023-01-01', to: '2023-12-31', archived: false, statuses: ALL };
		await expect(clientFor('sandbox-bob').page(SID, 'dossiers', q)).rejects.toMatchObject({
			status: 403
		});
		await expect(clientFor('sandbox-claire').page(SID, 'appointments', q)).rejects.toMatchObject({
			status: 403
		});
		await expect(clientFor('x').page(SID, 'dossiers', q)).rejects.toMatchObject({ status: 401 });
		const res = await fetch(`${sandbox.url}/structures/${SID}/nope`, {
			headers: { Authorization: 'Bearer sandbox-alice' }
		});
		expect(res.status).toBe(404);
		expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
	});
});

describe('CORS', () => {
	it('answers the preflight of an authorised request from any origin', async () => {
		const res = await fetch(`${sandbox.url}/structures/${SID}/dossiers?from=2023-01-01`, {
			method: 'OPTIONS',
			headers: {
				Origin: 'https://hote.example',
				'Access-Control-Request-Method': 'GET',
				'Access-Control-Request-Headers': 'authorization, accept'
			}
		});
		expect(res.status).toBe(204);
		expect(res.headers.get('access-control-allow-origin')).toBe('*');
		expect(res.headers.get('access-control-allow-methods')).toContain('GET');
		expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
			'authorization'
		);
	});

	it('sets the CORS headers on answers and errors, exposing Retry-After', async () => {
		for (const token of ['sandbox-alice', 'bad']) {
			const res = await fetch(`${sandbox.url}/me`, {
				headers: { Authorization: `Bearer ${token}`, Origin: 'https://hote.example' }
			});
			expect(res.headers.get('access-control-allow-origin')).toBe('*');
			expect(res.headers.get('access-control-expose-headers')).toContain('Retry-After');
		}
	});
});

describe('audit trail', () => {
	const event: ExtractionEvent = {
		userId: 'u-alice',
		filters: {
			from: '2023-01-01',
			to: '2023-12-31',
			archived: false,
			statuses: ['en_attente'],
			files: ['donnees_administratives', 'RDV'],
			forms: []
		},
		files: [
			{ name: 'donnees_administratives', rows: 12 },
			{ name: 'RDV', rows: 140 }
		],
		outcome: 'done',
		startedAt: '2024-06-30T10:00:00+02:00',
		endedAt: '2024-06-30T10:00:04+02:00'
	};

	it('records an event (201) and reads it back', async () => {
		await fetch(`${sandbox.origin}/__sandbox/extraction-events`, { method: 'DELETE' });
		await alice.recordExtraction(SID, event);
		const res = await fetch(`${sandbox.origin}/__sandbox/extraction-events`);
		const body = (await res.json()) as { items: { structureId: string; event: ExtractionEvent }[] };
		expect(body.items).toHaveLength(1);
		expect(body.items[0]?.structureId).toBe(SID);
		expect(body.items[0]?.event).toEqual(event);
		const raw = await fetch(`${sandbox.url}/structures/${SID}/extraction-events`, {
			method: 'POST',
			headers: { Authorization: 'Bearer sandbox-alice', 'Content-Type': 'application/json' },
			body: JSON.stringify(event)
		});
		expect(raw.status).toBe(201);
		expect(raw.headers.get('location')).toMatch(/\/extraction-events\/evt-\d+$/);
	});

	it('records an event retried under the same id once, and another id again', async () => {
		await fetch(`${sandbox.origin}/__sandbox/extraction-events`, { method: 'DELETE' });
		const post = (body: ExtractionEvent) =>
			fetch(`${sandbox.url}/structures/${SID}/extraction-events`, {
				method: 'POST',
				headers: { Authorization: 'Bearer sandbox-alice', 'Content-Type': 'application/json' },
				body: JSON.stringify(body)
			});
		const first = await post({ ...event, id: 'tache-1' });
		const again = await post({ ...event, id: 'tache-1', endedAt: '2024-06-30T10:00:09+02:00' });
		const other = await post({ ...event, id: 'tache-2' });
		expect([first.status, again.status, other.status]).toEqual([201, 200, 201]);
		expect(again.headers.get('location')).toBe(first.headers.get('location'));
		const res = await fetch(`${sandbox.origin}/__sandbox/extraction-events`);
		const body = (await res.json()) as { items: { event: ExtractionEvent }[] };
		expect(body.items.map((i) => [i.event.id, i.event.endedAt])).toEqual([
			['tache-1', event.endedAt],
			['tache-2', event.endedAt]
		]);
	});

	it('refuses an invalid event (422), a foreign structure (403) and a stranger (401)', async () => {
		const post = (token: string, sid: string, body: unknown) =>
			fetch(`${sandbox.url}/structures/${sid}/extraction-events`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
				body: JSON.stringify(body)
			});
		const bad = await post('sandbox-alice', SID, { ...event, outcome: 'peut-être' });
		expect(bad.status).toBe(422);
		expect(((await bad.json()) as { detail: string }).detail).toContain('outcome');
		expect((await post('sandbox-alice', SID, { ...event, userId: 'u-bob' })).status).toBe(422);
		expect((await post('sandbox-bob', SID, { ...event, userId: 'u-bob' })).status).toBe(403);
		expect((await post('nobody', SID, event)).status).toBe(401);
	});
});
