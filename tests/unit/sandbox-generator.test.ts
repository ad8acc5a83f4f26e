/**
 * The sandbox generator: same seed → same rows (digest over every row), another seed → other
 * rows, and the edge cases of SPEC §9 are all there.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	FIELD_TYPES,
	IsoDate,
	IsoDateTime,
	type Dossier,
	type Thematic
} from '../../src/lib/contract/spico';
import * as v from 'valibot';
import { GUIDE_THEMATICS, PLATEFORME_TND_FORMS } from '../helpers/guide';
import {
	STRUCTURE_DAC,
	STRUCTURE_TND,
	generate,
	type AppointmentRow,
	type CareCircleRow,
	type DatasetSink,
	type ResponseRow
} from '../../sandbox/generator';
import { parisDay } from '../../sandbox/paris';

function digestOf(seed: number): string {
	const hash = createHash('sha256');
	const put = (kind: string) => (row: unknown) => hash.update(`${kind}\t${JSON.stringify(row)}\n`);
	const sink: DatasetSink = {
		structure: put('structure'),
		account: put('account'),
		catalogue: put('catalogue'),
		dossier: put('dossier'),
		appointment: put('appointment'),
		hospitalisation: put('hospitalisation'),
		careCircle: put('careCircle'),
		response: put('response')
	};
	generate(sink, { scale: 'small', seed });
	return hash.digest('hex');
}

interface Collected {
	catalogue: Thematic[];
	dossiers: Dossier[];
	appointments: AppointmentRow[];
	careCircle: CareCircleRow[];
	responses: ResponseRow[];
	hospitalisations: number;
}

let data: Collected;

beforeAll(() => {
	const c: Collected = {
		catalogue: [],
		dossiers: [],
		appointments: [],
		careCircle: [],
		responses: [],
		hospitalisations: 0
	};
	generate(
		{
			structure: () => {},
			account: () => {},
			catalogue: (t) => void (c.catalogue = t),
			dossier: (d) => void c.dossiers.push(d),
			appointment: (a) => void c.appointments.push(a),
			hospitalisation: () => void c.hospitalisations++,
			careCircle: (r) => void c.careCircle.push(r),
			response: (r) => void c.responses.push(r)
		},
		{ scale: 'small', seed: 42 }
	);
	data = c;
});

describe('sandbox generator: determinism', () => {
	it('gives the same digest for the same seed and another for another seed', () => {
		const a = digestOf(42);
		const b = digestOf(42);
		const c = digestOf(43);
		console.log(`digest small seed 42: ${a}`);
		console.log(`digest small seed 43: ${c}`);
		expect(a).toMatch(/^[0-9a-f]{64}$/);
		expect(b).toBe(a);
		expect(c).not.toBe(a);
	});
});

describe('sandbox generator: catalogue', () => {
	it('holds the guide’s thematics and the Plateforme TND’s ten forms, in order', () => {
		expect(data.catalogue.map((t) => t.label)).toEqual(GUIDE_THEMATICS);
		const tnd = data.catalogue.find((t) => t.label === 'Plateforme TND');
		expect(tnd?.forms.map((f) => f.label)).toEqual(PLATEFORME_TND_FORMS);
	});

	it('has about 20 forms, long names, a name with / or :, every field type, a repeated label', () => {
		const forms = data.catalogue.flatMap((t) => t.forms);
		expect(forms.length).toBe(20);
		expect(new Set(forms.map((f) => f.id)).size).toBe(20);
		expect(forms.filter((f) => f.label.length > 31).length).toBeGreaterThanOrEqual(3);
		expect(forms.some((f) => /[/:]/.test(f.label))).toBe(true);
		const types = new Set(forms.flatMap((f) => f.fields.map((x) => x.type)));
		expect([...types].sort()).toEqual([...FIELD_TYPES].sort());
		const repeated = forms.filter(
			(f) => new Set(f.fields.map((x) => x.label)).size < f.fields.length
		);
		expect(repeated.map((f) => f.label)).toContain('Entrée Parcours TND');
		for (const f of forms.flatMap((x) => x.fields)) {
			if (f.type === 'choice' || f.type === 'multichoice')
				expect(f.options?.length).toBeGreaterThan(1);
		}
	});
});

describe('sandbox generator: edge cases', () => {
	it('has a few hundred dossiers, all valid dates, and archived ones', () => {
		expect(data.dossiers.length).toBeGreaterThanOrEqual(200);
		for (const d of data.dossiers) {
			expect(v.is(IsoDateTime, d.createdAt)).toBe(true);
			for (const e of d.statusEvents) expect(v.is(IsoDateTime, e.at)).toBe(true);
			if (d.patient.dateNaissance !== null)
				expect(v.is(IsoDate, d.patient.dateNaissance)).toBe(true);
		}
		expect(data.dossiers.filter((d) => d.archivedAt !== null).length).toBeGreaterThan(5);
		expect(data.dossiers.filter((d) => d.patient.dateNaissance === null).length).toBeGreaterThan(0);
		expect(data.dossiers.filter((d) => d.statusEvents.length === 0).length).toBeGreaterThan(0);
	});

	it('has dossiers outside any file active and dossiers in both', () => {
		const of = new Map<string, Set<string>>();
		for (const r of data.careCircle) {
			if (r.type === 'structure' && r.structureId !== null) {
				const set = of.get(r.dossierId) ?? new Set<string>();
				set.add(r.structureId);
				of.set(r.dossierId, set);
			}
		}
		const outside = data.dossiers.filter((d) => !of.has(d.dossierId));
		const both = [...of.values()].filter((s) => s.has(STRUCTURE_TND.id) && s.has(STRUCTURE_DAC.id));
		expect(outside.length).toBeGreaterThan(0);
		expect(both.length).toBeGreaterThan(0);
		// Outside structures (no sandbox id) exist too and must not count.
		expect(data.careCircle.some((r) => r.type === 'structure' && r.structureId === null)).toBe(
			true
		);
	});

	it('has names with accents, apostrophes and leading = + - @', () => {
		const noms = data.dossiers.map((d) => d.patient.nom);
		expect(noms).toContain('=SOMME(A1)');
		expect(noms).toContain("O'Brien");
		expect(noms).toContain("N'Diaye");
		for (const c of ['+', '-', '@']) expect(noms.some((n) => n.startsWith(c))).toBe(true);
		expect(noms.filter((n) => /[À-ÿ]/.test(n)).length).toBeGreaterThan(10);
	});

	it('has several status changes on one Paris day', () => {
		const sameDay = data.dossiers.filter((d) => {
			const days = d.statusEvents.map((e) => parisDay(e.at));
			return new Set(days).size < days.length;
		});
		expect(sameDay.length).toBeGreaterThan(1);
	});

	it('has exactly one text over 32,767 characters, and missing optional fields', () => {
		const long = data.appointments.filter((a) => (a.commentaire?.length ?? 0) > 32_767);
		expect(long.length).toBe(1);
		expect(data.appointments.some((a) => a.end === null)).toBe(true);
		expect(data.dossiers.some((d) => d.ins === null && d.adresse === null)).toBe(true);
		expect(data.responses.some((r) => Object.values(r.values).includes(null))).toBe(true);
	});

	it('writes some instants in UTC that fall on the next day in Paris', () => {
		const shifted = data.dossiers
			.flatMap((d) => d.statusEvents)
			.filter((e) => e.at.endsWith('Z') && e.at.slice(0, 10) !== parisDay(e.at));
		expect(shifted.length).toBeGreaterThan(0);
	});
});
