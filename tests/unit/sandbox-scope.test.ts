/**
 * The sandbox's scope SQL (SPEC §3, §4) against a hand-written dataset
 * (tests/fixtures/sandbox/scope-fixture.ts) whose answers are worked out below.
 *
 * P = 01/03/2023–28/03/2023 and today = 30/06/2024 unless said otherwise, so
 * end = min(to, today) + 1 = 29/03 and [from, end) holds 28 days.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { STATUS_CODES, type StatusCode } from '../../src/lib/contract/spico';
import { createDbSink, createMemoryDb } from '../../sandbox/db';
import { STRUCTURE_DAC, STRUCTURE_TND } from '../../sandbox/generator';
import { SandboxStore, type ScopeFilters } from '../../sandbox/store';
import { loadScopeFixture } from '../fixtures/sandbox/scope-fixture';

let store: SandboxStore;

beforeAll(() => {
	const db = createMemoryDb();
	loadScopeFixture(createDbSink(db));
	store = new SandboxStore(db);
});

const P: ScopeFilters = {
	from: '2023-03-01',
	to: '2023-03-28',
	archived: false,
	statuses: STATUS_CODES,
	today: '2024-06-30'
};

function scope(filters: Partial<ScopeFilters>, structureId = STRUCTURE_TND.id): string[] {
	return store.scopeDossierIds(structureId, { ...P, ...filters });
}

function ids(
	list: 'appointments' | 'hospitalisations' | 'care-circle' | 'responses',
	filters: Partial<ScopeFilters> = {},
	formId?: string,
	structureId = STRUCTURE_TND.id
): string[] {
	return store
		.all({ structureId, list, formId, filters: { ...P, ...filters } })
		.map((item) => (item as { id: string }).id);
}

const only = (...statuses: StatusCode[]) => ({ statuses });

describe('sandbox scope: file active, archived, creation', () => {
	it('keeps the file active, drops archived dossiers and those created after `to`', () => {
		// D02 is only in B's care circle, D03 only has an outside structure → never for A.
		// D04 is archived (15/04/2023, even after P) → out with archived=false.
		// D06 was created 29/03 > to; D12, D13 in 2024.
		// D14 left A's care circle in 2020: "is or was" → still in.
		expect(scope({})).toEqual(['D01', 'D05', 'D07', 'D08', 'D09', 'D10', 'D11', 'D14', 'D15']);
		expect(scope({ archived: true })).toEqual([
			'D01',
			'D04',
			'D05',
			'D07',
			'D08',
			'D09',
			'D10',
			'D11',
			'D14',
			'D15'
		]);
	});

	it('gives bob his own structure only, with the dossier both structures share', () => {
		// D02: En attente since 01/10/2022 → 28 days; D14: Suivi since 2019 → 28 days.
		expect(scope({}, STRUCTURE_DAC.id)).toEqual(['D02', 'D14']);
	});
});

describe('sandbox scope: at least one day in a selected status', () => {
	it('reproduces SPEC §4: En attente 23 days, Suivi 5 days, no Sortie', () => {
		// D01: En attente [01/03, 24/03) = 23 days; Suivi [24/03, 29/03) = 5 days; 23 + 5 = 28.
		expect(scope(only('en_attente'))).toContain('D01');
		expect(scope(only('suivi_inclusion'))).toContain('D01');
		expect(scope(only('sortie'))).not.toContain('D01');
		// Its initial "Non renseigné" interval is [01/03, 01/03) = 0 days.
		expect(scope(only('non_renseigne'))).not.toContain('D01');
	});

	it('gives 0 days to a status changed again the same day', () => {
		// D07 on 10/03: En attente 09:00, Non suivi 11:00, Réorientation 16:00.
		// Analyse [2022-06-01, 10/03) ∩ P = 9 days; En attente and Non suivi [10/03, 10/03) = 0;
		// Réorientation [10/03, 29/03) = 19 days; 9 + 0 + 0 + 19 = 28.
		expect(scope(only('en_attente'))).toEqual(['D01', 'D10', 'D15']);
		expect(scope(only('non_suivi'))).toEqual(['D11']);
		expect(scope(only('reorientation'))).toEqual(['D07']);
		// Either of its 0-day statuses alongside another one does not bring it in either.
		expect(scope(only('en_attente', 'non_suivi'))).toEqual(['D01', 'D10', 'D11', 'D15']);
	});

	it('counts statuses straddling the edges of P and changes on the edge days', () => {
		// D09: Suivi [15/02, 10/04) ∩ [01/03, 29/03) = 28 days; Sortie starts 10/04 > to.
		// D10: Analyse ends 01/03 → [01/03, 01/03) = 0; En attente [01/03, 28/03) = 27;
		//      Sortie [28/03, 29/03) = 1 day (the `to` day counts).
		expect(scope(only('suivi_inclusion'))).toEqual(['D01', 'D09', 'D11', 'D14']);
		expect(scope(only('sortie'))).toEqual(['D10']);
		expect(scope(only('analyse_demande'))).toEqual(['D05', 'D07']);
	});

	it('counts "Non renseigné" from creation to the first event, or forever without events', () => {
		// D08: no event → Non renseigné [2022-11-15, 29/03) ∩ P = 28 days.
		// D15: created 20/02, first event 05/03 → Non renseigné [01/03, 05/03) = 4 days.
		// D05: created 20/03 with an event the same day → [20/03, 20/03) = 0 days.
		expect(scope(only('non_renseigne'))).toEqual(['D08', 'D15']);
		// D05 spends [20/03, 29/03) = 9 days in Analyse: created inside P, in scope.
		expect(scope(only('analyse_demande'))).toContain('D05');
	});

	it('uses the Paris day of events near midnight', () => {
		// D11: Non suivi from 10/01; 2023-03-23T23:30Z = 24/03 00:30 Paris → Suivi from 24/03;
		// 2023-03-28T22:30Z = 29/03 00:30 Paris (UTC+2) → Sortie from 29/03 = 0 days in P.
		// With UTC days Sortie would get [28/03, 29/03) = 1 day.
		expect(scope(only('sortie'))).not.toContain('D11');
		const day = store.db
			.prepare(
				'SELECT day FROM status_events e JOIN dossiers d ON d.k = e.dossier_k WHERE d.id = ? ORDER BY seq'
			)
			.all('D11')
			.map((r) => (r as { day: string }).day);
		expect(day).toEqual(['2023-01-10', '2023-03-24', '2023-03-29']);
		// Single day P = 23/03 (end = 24/03): D11 is still Non suivi (1 day), not yet in Suivi.
		const p23 = { from: '2023-03-23', to: '2023-03-23' };
		expect(scope({ ...p23, ...only('non_suivi') })).toEqual(['D11']);
		expect(scope({ ...p23, ...only('suivi_inclusion') })).toEqual(['D09', 'D14']);
		// En attente on 23/03: D01 [01/03, 24/03), D10 [01/03, 28/03), D15 [05/03, …) → 1 day each.
		expect(scope({ ...p23, ...only('en_attente') })).toEqual(['D01', 'D10', 'D15']);
	});

	it('closes the last interval at min(to, today) + 1 when P reaches past today', () => {
		// P = 01/06–31/12/2024, today 30/06/2024 → end = 01/07/2024.
		const future = { from: '2024-06-01', to: '2024-12-31' };
		// D12: En attente [20/06, 15/07) ∩ [01/06, 01/07) = 11 days; Suivi [15/07, …) → 0.
		// D13: created 05/07 ≤ to, but [05/07, …) starts after end → 0 days in any status.
		// D15: En attente since 05/03/2023, still open → 30 days.
		expect(scope({ ...future, ...only('en_attente') })).toEqual(['D12', 'D15']);
		expect(scope({ ...future, ...only('suivi_inclusion') })).toEqual(['D01', 'D14']);
		// Sortie since 10/04/2023 (D09), 28/03/2023 (D10), 29/03/2023 (D11).
		expect(scope({ ...future, ...only('sortie') })).toEqual(['D09', 'D10', 'D11']);
		// today = 20/07/2024 → end = 21/07: D12 Suivi [15/07, 21/07) = 6 days; D13 En attente
		// [05/07, 21/07) = 16 days.
		const later = { ...future, today: '2024-07-20' };
		expect(scope({ ...later, ...only('suivi_inclusion') })).toEqual(['D01', 'D12', 'D14']);
		expect(scope({ ...later, ...only('en_attente') })).toEqual(['D12', 'D13', 'D15']);
	});
});

describe('sandbox lists: period filters, both ends inclusive', () => {
	it('keeps appointments whose Paris start day is in P', () => {
		// A-D01-1 01/03 08:00 → in; A-D01-2 2023-02-28T23:30Z = 01/03 00:30 → in;
		// A-D01-3 2023-02-28T22:30Z = 28/02 23:30 → out; A-D01-4 2023-03-28T21:30Z = 28/03 23:30
		// → in; A-D01-5 2023-03-28T22:30Z = 29/03 00:30 → out; A-D01-6 15/03 → in.
		// A-D02 (bob's dossier), A-D04 (archived), A-D06 (created after P) → out; A-D10 → in.
		expect(ids('appointments')).toEqual(['A-D01-1', 'A-D01-2', 'A-D01-4', 'A-D01-6', 'A-D10']);
		expect(ids('appointments', { archived: true })).toEqual([
			'A-D01-1',
			'A-D01-2',
			'A-D01-4',
			'A-D01-6',
			'A-D04',
			'A-D10'
		]);
		// Only dossiers in scope for the selected statuses: Sortie → D10 alone.
		expect(ids('appointments', only('sortie'))).toEqual(['A-D10']);
		expect(ids('appointments', {}, undefined, STRUCTURE_DAC.id)).toEqual(['A-D02']);
	});

	it('keeps stays with entry ≤ to and (no exit or exit ≥ from)', () => {
		// H-D01-1 exit 01/03 = from → in; H-D01-2 exit 28/02 → out; H-D01-3 entry 28/03 = to,
		// no exit → in; H-D01-4 entry 29/03 → out; H-D01-5 since 01/01, no exit → in.
		expect(ids('hospitalisations')).toEqual(['H-D01-1', 'H-D01-3', 'H-D01-5']);
		expect(ids('hospitalisations', { archived: true })).toContain('H-D04');
	});

	it('keeps care-circle rows with (start null or ≤ to) and (end null or ≥ from)', () => {
		// D01: C-D01-1 from 01/03 → in; C-D01-2 no dates → in; C-D01-3 from 28/03 = to → in;
		// C-D01-4 from 29/03 → out; C-D01-5 until 01/03 = from → in; C-D01-6 until 28/02 → out.
		// D14: its A row ended 2020 → out (it still makes D14 part of the file active); its B row
		// has no dates → in. Other in-scope dossiers have one undated A row each.
		expect(ids('care-circle')).toEqual([
			'C-D01-1',
			'C-D01-2',
			'C-D01-3',
			'C-D01-5',
			'C-D05-A',
			'C-D07-A',
			'C-D08-A',
			'C-D09-A',
			'C-D10-A',
			'C-D11-A',
			'C-D14-B',
			'C-D15-A'
		]);
	});

	it('keeps the form’s responses whose Paris day is in P', () => {
		// R-D01-1 01/03 00:10 → in; R-D01-2 28/02 23:50 → out; R-D01-3 28/03 23:59 → in;
		// R-D01-5 2023-03-28T22:10Z = 29/03 00:10 → out; R-D06: dossier out of scope.
		expect(ids('responses', {}, 'F01')).toEqual(['R-D01-1', 'R-D01-3']);
		// R-D01-4 belongs to the other form.
		expect(ids('responses', {}, 'F02')).toEqual(['R-D01-4']);
	});
});

describe('sandbox pages', () => {
	it('pages by key with a tiny limit and reports the same total on every page', () => {
		const seen: string[] = [];
		const totals = new Set<number>();
		let afterKey = 0;
		for (;;) {
			const page = store.page({
				structureId: STRUCTURE_TND.id,
				list: 'dossiers',
				filters: P,
				afterKey,
				limit: 2
			});
			seen.push(...page.items.map((d) => (JSON.parse(d) as { dossierId: string }).dossierId));
			totals.add(page.total);
			if (!page.more || page.lastKey === null) break;
			afterKey = page.lastKey;
		}
		expect(seen).toEqual(scope({}));
		expect([...totals]).toEqual([9]);
	});

	it('serves each dossier with its full status history, in order', () => {
		const d07 = store
			.all({ structureId: STRUCTURE_TND.id, list: 'dossiers', filters: P })
			.find((d) => (d as { dossierId: string }).dossierId === 'D07') as {
			statusEvents: { status: string }[];
		};
		expect(d07.statusEvents.map((e) => e.status)).toEqual([
			'analyse_demande',
			'en_attente',
			'non_suivi',
			'reorientation'
		]);
	});
});
