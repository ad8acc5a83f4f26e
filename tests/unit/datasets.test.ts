import { describe, expect, it } from 'vitest';
import {
	STATUS_CODES,
	STATUS_LABELS,
	type Appointment,
	type CareCircleMember,
	type Dossier,
	type Form,
	type FormResponse,
	type Hospitalisation,
	type Thematic
} from '../../src/lib/contract/spico';
import { ADMINISTRATIF_SHEET, administratifRow } from '../../src/lib/core/datasets/administratif';
import {
	CERCLE_DE_SOINS_SHEET,
	cercleDeSoinsRow
} from '../../src/lib/core/datasets/cercle-de-soins';
import {
	HOSPITALISATIONS_SHEET,
	hospitalisationRow
} from '../../src/lib/core/datasets/hospitalisations';
import {
	DOSSIER_COLUMNS,
	pageLimitOf,
	thematicDataset,
	thematicSlug,
	type AnyDataset,
	type MappingIssues,
	type RowContext
} from '../../src/lib/core/datasets/index';
import {
	FIXED_KINDS,
	FILE_KINDS,
	FILE_KIND_INFO,
	fixedDataset
} from '../../src/lib/core/file-kinds';
import { RDV_SHEET, rdvRow } from '../../src/lib/core/datasets/rdv';
import { HISTORIQUE_SHEET, SYNTHESE_SHEET } from '../../src/lib/core/datasets/statuts';
import { compileForm, responseRow } from '../../src/lib/core/datasets/thematique';
import type { Row, SheetSpec } from '../../src/lib/core/table';

const patient = { nom: "=D'Artagnan", prenom: 'Zoé', dateNaissance: '2015-06-01' };
const LEAD = ['D1', "=D'Artagnan", 'Zoé', '2015-06-01'];
const ctx: RowContext = { period: { from: '2023-03-01', to: '2023-03-28' }, today: '2023-04-15' };

function headers(s: SheetSpec): string[] {
	return s.columns.map((c) => c.header);
}
const KIND_LETTER = { text: 't', number: 'n', integer: 'i', date: 'd', datetime: 'D' } as const;
/** Column kinds as letters: t text, n number, i integer, d date, D date-time. */
function kinds(s: SheetSpec): string {
	return s.columns.map((c) => KIND_LETTER[c.kind]).join('');
}

const dossier: Dossier = {
	dossierId: 'D1',
	patient,
	ins: '1150675123456',
	nomNaissance: 'Dupont',
	nomUsage: null,
	prenoms: 'Zoé Marie',
	sexe: 'F',
	adresse: '1 rue de la Paix',
	codePostal: '01000',
	commune: 'Bourg-en-Bresse',
	telephone: '0600000000',
	courriel: 'z@example.org',
	medecinTraitant: 'Dr Martin',
	createdAt: '2023-02-28T23:30:00Z',
	archivedAt: null,
	statusEvents: [
		{ at: '2023-03-24T10:00:00+01:00', status: 'suivi_inclusion' },
		{ at: '2023-02-28T23:30:00Z', status: 'en_attente' }
	]
};

function collect(ds: AnyDataset, item: unknown): [number, Row][] {
	const out: [number, Row][] = [];
	(ds.writeRows as (i: unknown, c: RowContext, s: (n: number, r: Row) => void) => void)(
		item,
		ctx,
		(n, r) => out.push([n, r])
	);
	return out;
}

describe('every sheet', () => {
	const all: SheetSpec[] = [
		ADMINISTRATIF_SHEET,
		RDV_SHEET,
		HOSPITALISATIONS_SHEET,
		CERCLE_DE_SOINS_SHEET,
		HISTORIQUE_SHEET,
		SYNTHESE_SHEET
	];
	it('starts with ID dossier, Nom, Prénom, Date de naissance and describes every column', () => {
		for (const s of all) {
			expect(s.columns.slice(0, 4)).toEqual(DOSSIER_COLUMNS);
			expect(headers(s).slice(0, 4)).toEqual(['ID dossier', 'Nom', 'Prénom', 'Date de naissance']);
			expect(kinds(s).slice(0, 4)).toBe('tttd');
			for (const c of s.columns) expect(c.description.length, c.header).toBeGreaterThan(5);
			expect(new Set(headers(s)).size, s.name).toBe(s.columns.length);
		}
	});

	it('is registered with the names and lists of SPEC §5, one spelling per kind', () => {
		const summary = FIXED_KINDS.map((k) => {
			const d = fixedDataset(k);
			return `${k}:${d.baseName}:${d.list}:${FILE_KIND_INFO[k].auditKey}`;
		});
		expect(summary).toEqual([
			'administratif:donnees_administratives:dossiers:administratif',
			'rdv:RDV:appointments:rdv',
			'hospitalisations:hospitalisations:hospitalisations:hospitalisations',
			'cercleDeSoins:cercle_de_soins:care-circle:cercleDeSoins',
			'statuts:statuts:dossiers:statuts'
		]);
		for (const k of FILE_KINDS) expect(FILE_KIND_INFO[k].key).toBe(k);
		expect(FILE_KIND_INFO.thematiques.dataset).toBeNull();
		expect(fixedDataset('statuts').sheets.map((s) => s.name)).toEqual([
			'Historique des statuts',
			'Synthèse'
		]);
	});
});

describe('donnees_administratives', () => {
	it('maps a dossier with labels, Paris times and the status at the end of the period', () => {
		expect(headers(ADMINISTRATIF_SHEET).slice(4)).toEqual([
			'INS',
			'Nom de naissance',
			"Nom d'usage",
			'Prénom(s)',
			'Sexe',
			'Adresse',
			'Code postal',
			'Commune',
			'Téléphone',
			'Courriel',
			'Médecin traitant',
			'Date de création du dossier',
			'Statut en fin de période',
			'Archivé',
			"Date d'archivage"
		]);
		expect(kinds(ADMINISTRATIF_SHEET)).toBe('tttd' + 'ttttttttttt' + 'DttD');
		const rows = collect(fixedDataset('administratif'), dossier);
		expect(rows).toHaveLength(1);
		const [sheet, row] = rows[0]!;
		expect(sheet).toBe(0);
		expect(row).toHaveLength(ADMINISTRATIF_SHEET.columns.length);
		// Created 28/02 23:30Z = 01/03 00:30 Paris; Suivi since 24/03 is the status on 28/03.
		expect(row).toEqual([
			...LEAD,
			'1150675123456',
			'Dupont',
			null,
			'Zoé Marie',
			'Féminin',
			'1 rue de la Paix',
			'01000',
			'Bourg-en-Bresse',
			'0600000000',
			'z@example.org',
			'Dr Martin',
			'2023-03-01T00:30:00',
			'Suivi (Inclusion)',
			'Non',
			null
		]);
	});

	it('labels every sex and the archive', () => {
		const sexOf = (sexe: Dossier['sexe']) => administratifRow({ ...dossier, sexe }, ctx)[8];
		expect([sexOf('F'), sexOf('M'), sexOf('I'), sexOf(null)]).toEqual([
			'Féminin',
			'Masculin',
			'Indéterminé',
			null
		]);
		// 15/07 22:15Z = 16/07 00:15 CEST.
		const archived = administratifRow({ ...dossier, archivedAt: '2023-07-15T22:15:00Z' }, ctx);
		expect(archived.slice(17)).toEqual(['Oui', '2023-07-16T00:15:00']);
	});
});

describe('RDV', () => {
	const appt: Appointment = {
		id: 'A1',
		dossierId: 'D1',
		patient,
		start: '2023-03-26T01:30:00+01:00',
		end: '2023-03-26T03:30:00+02:00',
		type: 'Consultation',
		motif: 'Bilan',
		lieu: 'Cabinet',
		professionnel: 'Dr Martin',
		statut: 'honore',
		commentaire: '- à revoir'
	};

	it('maps an appointment; the duration is elapsed time, right across the DST change', () => {
		expect(headers(RDV_SHEET).slice(4)).toEqual([
			'ID RDV',
			'Date',
			'Heure de début',
			'Heure de fin',
			'Durée (min)',
			'Type',
			'Motif',
			'Lieu',
			'Professionnel',
			'Statut du RDV',
			'Commentaire'
		]);
		expect(kinds(RDV_SHEET)).toBe('tttd' + 'tdtti' + 'tttttt');
		const row = rdvRow(appt, ctx);
		expect(row).toHaveLength(RDV_SHEET.columns.length);
		// 01:30 CET = 00:30Z; 03:30 CEST = 01:30Z → 60 minutes, though the wall clock says 2 h.
		expect(row).toEqual([
			...LEAD,
			'A1',
			'2023-03-26',
			'01:30',
			'03:30',
			60,
			'Consultation',
			'Bilan',
			'Cabinet',
			'Dr Martin',
			'Honoré',
			'- à revoir'
		]);
	});

	it('takes the Paris day, labels every status, and handles a missing or next-day end', () => {
		// 31/03 22:30Z = 01/04 00:30 CEST: the appointment is on 01/04.
		const late = rdvRow({ ...appt, start: '2023-03-31T22:30:00Z', end: null }, ctx);
		expect(late.slice(5, 9)).toEqual(['2023-04-01', '00:30', null, null]);
		// 23:00 → 01:15 the next day (+01:00): 135 minutes.
		const night = rdvRow(
			{ ...appt, start: '2023-01-10T23:00:00+01:00', end: '2023-01-11T01:15:00+01:00' },
			ctx
		);
		expect(night.slice(5, 9)).toEqual(['2023-01-10', '23:00', '11/01/2023 01:15', 135]);
		const labels = (['prevu', 'honore', 'annule', 'non_honore'] as const).map(
			(statut) => rdvRow({ ...appt, statut }, ctx)[13]
		);
		expect(labels).toEqual(['Prévu', 'Honoré', 'Annulé', 'Non honoré']);
	});
});

describe('hospitalisations', () => {
	const stay: Hospitalisation = {
		id: 'H1',
		dossierId: 'D1',
		patient,
		etablissement: 'CHU',
		service: 'Pédiatrie',
		mode: 'complete',
		entree: '2023-03-25',
		sortie: '2023-03-28',
		motif: 'Bilan',
		commentaire: null
	};

	it('maps a stay; the duration is exit − entry in days', () => {
		expect(headers(HOSPITALISATIONS_SHEET).slice(4)).toEqual([
			'ID séjour',
			'Établissement',
			'Service',
			'Mode',
			"Date d'entrée",
			'Date de sortie',
			'Durée (jours)',
			'Motif',
			'Commentaire'
		]);
		expect(kinds(HOSPITALISATIONS_SHEET)).toBe('tttd' + 'tttt' + 'ddi' + 'tt');
		const row = hospitalisationRow(stay, ctx);
		expect(row).toHaveLength(HOSPITALISATIONS_SHEET.columns.length);
		// 28/03 − 25/03 = 3 (across the DST night of 26/03, still 3 calendar days).
		expect(row).toEqual([
			...LEAD,
			'H1',
			'CHU',
			'Pédiatrie',
			'Complète',
			'2023-03-25',
			'2023-03-28',
			3,
			'Bilan',
			null
		]);
		const modes = (['complete', 'ambulatoire', 'hdj', null] as const).map(
			(mode) => hospitalisationRow({ ...stay, mode }, ctx)[7]
		);
		expect(modes).toEqual(['Complète', 'Ambulatoire', 'HDJ', null]);
		expect(hospitalisationRow({ ...stay, sortie: null }, ctx).slice(9, 11)).toEqual([null, null]);
		expect(hospitalisationRow({ ...stay, sortie: '2023-03-25' }, ctx)[10]).toBe(0);
	});
});

describe('cercle_de_soins', () => {
	it('maps a membership with its type label', () => {
		const m: CareCircleMember = {
			id: 'C1',
			dossierId: 'D1',
			patient,
			intervenant: 'PLATEFORME TND TEST',
			type: 'structure',
			specialite: null,
			role: 'Coordination',
			identifiant: '010000000',
			telephone: null,
			courriel: null,
			debut: '2022-01-01',
			fin: null
		};
		expect(headers(CERCLE_DE_SOINS_SHEET).slice(4)).toEqual([
			'Intervenant',
			'Type',
			'Profession / spécialité',
			'Rôle',
			'Identifiant RPPS / FINESS',
			'Téléphone',
			'Courriel',
			"Date d'entrée",
			'Date de sortie'
		]);
		expect(kinds(CERCLE_DE_SOINS_SHEET)).toBe('tttd' + 'ttttttt' + 'dd');
		const row = cercleDeSoinsRow(m, ctx);
		expect(row).toHaveLength(CERCLE_DE_SOINS_SHEET.columns.length);
		expect(row).toEqual([
			...LEAD,
			'PLATEFORME TND TEST',
			'Structure',
			null,
			'Coordination',
			'010000000',
			null,
			null,
			'2022-01-01',
			null
		]);
		const types = (['professionnel', 'structure', 'proche_aidant'] as const).map(
			(type) => cercleDeSoinsRow({ ...m, type }, ctx)[5]
		);
		expect(types).toEqual(['Professionnel', 'Structure', 'Proche aidant']);
	});
});

describe('statuts', () => {
	it('has the history and summary columns, the seven statuses in the guide order', () => {
		expect(headers(HISTORIQUE_SHEET).slice(4)).toEqual([
			'Statut',
			'Date de début',
			'Date de fin',
			'Jours sur la période',
			'En cours'
		]);
		expect(kinds(HISTORIQUE_SHEET)).toBe('tttd' + 'tddit');
		expect(headers(SYNTHESE_SHEET).slice(4)).toEqual([
			'Statut en fin de période',
			'Depuis le',
			"Jours dans ce statut jusqu'à la fin de période",
			'Analyse de la demande (jours)',
			'En attente (jours)',
			'Non suivi (jours)',
			'Suivi (Inclusion) (jours)',
			'Réorientation (jours)',
			'Sortie (jours)',
			'Non renseigné (jours)'
		]);
		expect(kinds(SYNTHESE_SHEET)).toBe('tttd' + 'tdi' + 'iiiiiii');
	});

	it("writes the guide's example: 23 days En attente, currently Suivi since 5 days", () => {
		// P = 01/03–28/03, today 15/04: En attente [01/03, 24/03) = 23, Suivi [24/03, 29/03) = 5.
		const rows = collect(fixedDataset('statuts'), dossier);
		expect(rows).toEqual([
			[0, [...LEAD, 'En attente', '2023-03-01', '2023-03-24', 23, 'Non']],
			[0, [...LEAD, 'Suivi (Inclusion)', '2023-03-24', null, 5, 'Oui']],
			[1, [...LEAD, 'Suivi (Inclusion)', '2023-03-24', 5, 0, 23, 0, 5, 0, 0, 0]]
		]);
		for (const [sheet, row] of rows) {
			expect(row).toHaveLength(fixedDataset('statuts').sheets[sheet]!.columns.length);
		}
	});

	it('puts each status in its own summary column', () => {
		// Created 01/03 with no event: the 28 days are Non renseigné (last column).
		const rows = collect(fixedDataset('statuts'), {
			...dossier,
			createdAt: '2023-03-01T10:00:00+01:00',
			statusEvents: []
		});
		const summary = rows.find(([s]) => s === 1)![1];
		expect(summary.slice(7)).toEqual([0, 0, 0, 0, 0, 0, 28]);
		for (const [i, code] of STATUS_CODES.entries()) {
			const d = collect(fixedDataset('statuts'), {
				...dossier,
				createdAt: '2023-03-01T10:00:00+01:00',
				statusEvents: [{ at: '2023-03-01T10:00:00+01:00', status: code }]
			}).find(([s]) => s === 1)![1];
			expect(d[4]).toBe(STATUS_LABELS[code]);
			expect(d[7 + i], code).toBe(28);
		}
	});
});

describe('thematique', () => {
	const form: Form = {
		id: 'F1',
		label: 'Accompagnement - Psychomotricité TND',
		fields: [
			{ id: 'f_text', label: 'Observations', type: 'text' },
			{ id: 'f_num', label: 'Score', type: 'number' },
			{ id: 'f_date', label: 'Date du bilan', type: 'date' },
			{ id: 'f_dt', label: 'Rendez-vous', type: 'datetime' },
			{ id: 'f_bool', label: 'Accord parental', type: 'boolean' },
			{
				id: 'f_choice',
				label: 'Orientation',
				type: 'choice',
				options: [
					{ value: 'cmp', label: 'CMP' },
					{ value: 'camsp', label: 'CAMSP' }
				]
			},
			{
				id: 'f_multi',
				label: 'Troubles',
				type: 'multichoice',
				options: [
					{ value: 'tsa', label: 'TSA' },
					{ value: 'tdah', label: 'TDAH' },
					{ value: 'dys', label: 'Troubles DYS' }
				]
			},
			{ id: 'f_dup1', label: 'Commentaire', type: 'text' },
			{ id: 'f_dup2', label: 'Commentaire', type: 'text' }
		]
	};
	const response: FormResponse = {
		id: 'R1',
		dossierId: 'D1',
		patient,
		formId: 'F1',
		date: '2023-03-26T01:00:00Z',
		auteur: 'Dr Martin',
		values: {
			f_text: 'RAS',
			f_num: 12.5,
			f_date: '2023-03-10',
			f_dt: '2023-10-29T01:30:00Z',
			f_bool: true,
			f_choice: 'camsp',
			f_multi: ['tsa', 'dys'],
			f_dup1: 'premier',
			f_dup2: 'second'
		}
	};
	const compiled = compileForm(form);

	it('has the response columns then one column per field, duplicates kept', () => {
		expect(compiled.sheet.name).toBe(form.label);
		expect(compiled.sheet.fullName).toBe(form.label);
		expect(headers(compiled.sheet).slice(4)).toEqual([
			'ID réponse',
			'Date de saisie',
			'Auteur',
			'Observations',
			'Score',
			'Date du bilan',
			'Rendez-vous',
			'Accord parental',
			'Orientation',
			'Troubles',
			'Commentaire',
			'Commentaire'
		]);
		expect(kinds(compiled.sheet)).toBe('tttd' + 'tDt' + 'tndDttttt');
	});

	it('maps values by field type: labels, ` ; `, Oui/Non, numbers, Paris times', () => {
		const row = responseRow(response, compiled, ctx);
		expect(row).toHaveLength(compiled.sheet.columns.length);
		// Date de saisie 26/03 01:00Z = 03:00 CEST; 29/10 01:30Z = 02:30 CET (second 02:30).
		expect(row).toEqual([
			...LEAD,
			'R1',
			'2023-03-26T03:00:00',
			'Dr Martin',
			'RAS',
			12.5,
			'2023-03-10',
			'2023-10-29T02:30:00',
			'Oui',
			'CAMSP',
			'TSA ; Troubles DYS',
			'premier',
			'second'
		]);
		const no = responseRow({ ...response, values: { f_bool: false } }, compiled, ctx);
		expect(no[11]).toBe('Non');
		// Missing values → empty cells.
		expect(no.slice(7, 11)).toEqual([null, null, null, null]);
		expect(no.slice(12)).toEqual([null, null, null, null]);
	});

	it('keeps an unknown choice code as it is, and counts it', () => {
		const issues: MappingIssues = { unknownChoiceCodes: 0, mismatchedValues: 0 };
		const row = responseRow(
			{ ...response, values: { f_choice: 'sessad', f_multi: ['tdah', 'x9'] } },
			compiled,
			{ ...ctx, issues }
		);
		expect(row[12]).toBe('sessad');
		expect(row[13]).toBe('TDAH ; x9');
		expect(issues).toEqual({ unknownChoiceCodes: 2, mismatchedValues: 0 });
	});

	it('writes a value of the wrong type as its text form, after lossless readings', () => {
		const issues: MappingIssues = { unknownChoiceCodes: 0, mismatchedValues: 0 };
		const row = responseRow(
			{
				...response,
				values: {
					f_text: 42,
					f_num: '12,5',
					f_date: '2023-03-09T23:30:00Z',
					f_dt: 'demain',
					f_bool: 'peut-être',
					f_choice: ['cmp'],
					f_multi: 'tdah',
					f_dup1: ['a', 'b'],
					f_dup2: true
				}
			},
			compiled,
			{ ...ctx, issues }
		);
		// '12,5' → 12.5 and a date-time in a date field → its Paris day (09/03 23:30Z = 10/03)
		// are lossless; 42, 'demain', 'peut-être', ['a','b'] and true are mismatches (5).
		expect(row.slice(7)).toEqual([
			'42',
			12.5,
			'2023-03-10',
			'demain',
			'peut-être',
			'CMP',
			'TDAH',
			'a ; b',
			'Oui'
		]);
		expect(issues).toEqual({ unknownChoiceCodes: 0, mismatchedValues: 5 });
		// A number field given text that is not a number keeps the text.
		expect(responseRow({ ...response, values: { f_num: 'n/a' } }, compiled, ctx)[8]).toBe('n/a');
	});

	it('ignores inherited properties as field ids', () => {
		const odd = compileForm({
			id: 'F2',
			label: 'Étrange',
			fields: [{ id: 'constructor', label: 'Champ', type: 'text' }]
		});
		expect(responseRow({ ...response, formId: 'F2', values: {} }, odd, ctx)[7]).toBeNull();
	});
});

describe('thematic workbooks', () => {
	const thematic: Thematic = {
		id: 'T1',
		label: 'Plateforme TND',
		forms: [
			{ id: 'F1', label: 'Entrée Parcours TND', fields: [] },
			{
				id: 'F2',
				label: 'Diagnostic et Sortie - Parcours TND',
				fields: [{ id: 'x', label: 'X', type: 'boolean' }]
			},
			{ id: 'F3', label: 'Parcours de soins TND', fields: [] }
		]
	};

	it('slugs thematic labels for workbook names', () => {
		expect(thematicSlug('Plateforme TND')).toBe('plateforme_tnd');
		expect(thematicSlug('Recueil de données Médicales')).toBe('recueil_de_donnees_medicales');
		expect(thematicSlug('Demande - Réponse')).toBe('demande_reponse');
		expect(thematicSlug('DSPP Enfant')).toBe('dspp_enfant');
		expect(thematicSlug("  Œuvre d'été !! ")).toBe('oeuvre_d_ete');
		expect(thematicSlug('???')).toBe('sans_titre');
	});

	it('has one sheet per selected form, in catalogue order, and routes responses', () => {
		const ds = thematicDataset(thematic, ['F3', 'F2']);
		expect(ds.baseName).toBe('thematique_plateforme_tnd');
		expect(ds.list).toBe('responses');
		expect(ds.formIds).toEqual(['F2', 'F3']);
		expect(ds.sheets.map((s) => s.fullName)).toEqual([
			'Diagnostic et Sortie - Parcours TND',
			'Parcours de soins TND'
		]);
		const r: FormResponse = {
			id: 'R9',
			dossierId: 'D1',
			patient,
			formId: 'F2',
			date: '2023-03-02T10:00:00+01:00',
			auteur: null,
			values: { x: false }
		};
		const rows = collect(ds, r);
		expect(rows).toEqual([[0, [...LEAD, 'R9', '2023-03-02T10:00:00', null, 'Non']]]);
		expect(collect(ds, { ...r, formId: 'F3', values: {} })[0]![0]).toBe(1);
		expect(() => collect(ds, { ...r, formId: 'F1' })).toThrow(/formulaire non demandé/);
		expect(thematicDataset(thematic).formIds).toEqual(['F1', 'F2', 'F3']);
	});

	it('asks for pages of about the same number of cells, within the contract', () => {
		const wide: Thematic = {
			id: 'T',
			label: 'T',
			forms: [
				{
					id: 'F',
					label: 'F',
					fields: Array.from({ length: 42 }, (_, i) => ({
						id: `q${i}`,
						label: `Q${i}`,
						type: 'text' as const
					}))
				}
			]
		};
		const all: AnyDataset[] = [...FIXED_KINDS.map(fixedDataset), thematicDataset(thematic)];
		for (const ds of all) {
			const limit = pageLimitOf(ds);
			const width = Math.max(...ds.sheets.map((s) => s.columns.length));
			expect(limit, ds.baseName).toBeGreaterThanOrEqual(500);
			expect(limit, ds.baseName).toBeLessThanOrEqual(5000);
			expect(limit * width, ds.baseName).toBeLessThanOrEqual(50_000);
		}
		expect(pageLimitOf(fixedDataset('rdv'))).toBe(3000);
		expect(pageLimitOf(thematicDataset(wide))).toBe(1000);
	});
});
