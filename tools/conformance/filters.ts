/** Filter and scope checks (SPEC §3–§4): archived, status scope, file active, in-scope lists, periods. */
import {
	STATUS_CODES,
	type ListName,
	type StatusCode,
	type StatusEvent
} from '../../src/lib/contract/spico.ts';
import { addDays, parisDay } from '../../src/lib/core/calendar.ts';
import { computeStatusDays } from '../../src/lib/core/status-days.ts';
import {
	LISTS,
	allStatuses,
	fail,
	me,
	read,
	readAll,
	sample,
	setDiff,
	type Account,
	type Context
} from './context.ts';
import { itemId, type Filters, type Item, type ListRead } from './reader.ts';

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

/** Returns the number of dossiers served for each single status, for the paging checks. */
export async function filterChecks(
	ctx: Context,
	main: Map<ListName, ListRead>,
	universe: ListRead,
	everything: Filters
): Promise<Map<StatusCode, number>> {
	const { report, period } = ctx;
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
	return counts;
}
