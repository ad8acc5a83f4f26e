/**
 * Deterministic synthetic data for the sandbox (SPEC §9). Same (scale, seed) → same rows, in the
 * same order, on any machine: one seeded PRNG per dossier, no Math.random, no clock.
 * Rows go to a DatasetSink (the SQLite loader, a digest, a hand-written fixture's loader…).
 */
import {
	FIELD_TYPES,
	type Appointment,
	type CareCircleMember,
	type Dossier,
	type Field,
	type FieldType,
	type FormResponse,
	type FormValue,
	type Hospitalisation,
	type Patient,
	type StatusCode,
	type StatusEvent,
	type Thematic
} from '../src/lib/contract/spico.ts';
import { addDays, dayNumber, dayString, parisWallTime } from './paris.ts';

/** Bump whenever the generated data changes: cached databases of older versions are rebuilt. */
export const GENERATOR_VERSION = 1;

export const SCALES = ['small', 'medium', 'large'] as const;
export type Scale = (typeof SCALES)[number];
export const DEFAULT_SEED = 42;

interface ScaleSpec {
	dossiers: number;
	fieldsPerForm: number;
}
const SCALE_SPECS: Readonly<Record<Scale, ScaleSpec>> = {
	small: { dossiers: 400, fieldsPerForm: 14 },
	medium: { dossiers: 5_000, fieldsPerForm: 40 },
	large: { dossiers: 50_000, fieldsPerForm: 40 }
};

// --- What the generator emits --------------------------------------------------------------------

export interface SandboxStructure {
	id: string;
	name: string;
}

export interface SandboxAccount {
	token: string;
	userId: string;
	userName: string;
	/** null for a personal account. */
	structureId: string | null;
}

/** Items as the API serves them, minus the patient (joined from the dossier when served). */
export type AppointmentRow = Omit<Appointment, 'patient'>;
export type HospitalisationRow = Omit<Hospitalisation, 'patient'>;
/** `structureId` is set when the member is one of the sandbox's structures (file active). */
export type CareCircleRow = Omit<CareCircleMember, 'patient'> & { structureId: string | null };
export type ResponseRow = Omit<FormResponse, 'patient'>;

export interface DatasetSink {
	structure(s: SandboxStructure): void;
	account(a: SandboxAccount): void;
	catalogue(thematics: Thematic[]): void;
	/** Parents before children: a dossier is emitted before its rows. */
	dossier(d: Dossier): void;
	appointment(a: AppointmentRow): void;
	hospitalisation(h: HospitalisationRow): void;
	careCircle(c: CareCircleRow): void;
	response(r: ResponseRow): void;
}

export const STRUCTURE_TND: SandboxStructure = { id: 'str-tnd-test', name: 'PLATEFORME TND TEST' };
export const STRUCTURE_DAC: SandboxStructure = { id: 'str-dac-loire', name: 'DAC LOIRE TEST' };
export const SANDBOX_STRUCTURES = [STRUCTURE_TND, STRUCTURE_DAC] as const;
export const SANDBOX_ACCOUNTS: readonly SandboxAccount[] = [
	{
		token: 'sandbox-alice',
		userId: 'u-alice',
		userName: 'Alice Martin',
		structureId: STRUCTURE_TND.id
	},
	{ token: 'sandbox-bob', userId: 'u-bob', userName: 'Bob Lefèvre', structureId: STRUCTURE_DAC.id },
	{ token: 'sandbox-claire', userId: 'u-claire', userName: 'Claire Dubois', structureId: null }
];

// --- PRNG ----------------------------------------------------------------------------------------

/** mulberry32: tiny, fast, good enough for synthetic data. */
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function mix(a: number, b: number): number {
	let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
	h ^= h >>> 16;
	h = Math.imul(h, 0x45d9f3b);
	return (h ^ (h >>> 13)) >>> 0;
}

export class Rng {
	private readonly next: () => number;
	constructor(seed: number) {
		this.next = mulberry32(seed);
	}
	float(): number {
		return this.next();
	}
	/** Integer in [min, max], both inclusive. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}
	chance(p: number): boolean {
		return this.next() < p;
	}
	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)] as T;
	}
	/** null with probability p, else the value. */
	orNull<T>(p: number, value: T): T | null {
		return this.next() < p ? null : value;
	}
}

// --- Vocabulary ----------------------------------------------------------------------------------

const NOMS = [
	'Martin',
	'Bernard',
	'Lefèvre',
	'Dubois',
	'Lemaître',
	'Girard',
	'Bénard',
	'Rousseau',
	'Fournier',
	'Chevalier',
	'Gérard',
	'Müller',
	'Garnier',
	'Faure',
	'Mercier',
	'Blanc',
	'Guérin',
	'Boyer',
	'Hervé',
	'Le Goff',
	'Perrin',
	'Morel',
	'Nguyen',
	'Benali',
	'Da Silva',
	'Côté',
	'Pâris',
	'Brûlé',
	'Leroy',
	'Roux',
	'Lambert',
	'Bonnet',
	'François',
	'Gauthier',
	'Renaud',
	'Joly',
	'Aubert'
] as const;
const PRENOMS = [
	'Léa',
	'Zoé',
	'Chloé',
	'Inès',
	'Maël',
	'Noé',
	'Éléonore',
	'Anaïs',
	'Hélène',
	'Jérôme',
	'Gaëlle',
	'Loïc',
	'Cécile',
	'Raphaël',
	'Océane',
	'Théo',
	'Lucas',
	'Emma',
	'Jules',
	'Louise',
	'Hugo',
	'Manon',
	'Nathan',
	'Camille',
	'Yanis',
	'Aïcha',
	'Éloïse',
	'Timothée',
	'Agathe',
	'Célestin'
] as const;
const COMMUNES = [
	['44000', 'Nantes'],
	['44600', 'Saint-Nazaire'],
	['49000', 'Angers'],
	['85000', 'La Roche-sur-Yon'],
	['44300', 'Nantes'],
	['49300', 'Cholet'],
	['53000', 'Laval'],
	['72000', 'Le Mans'],
	['44500', 'La Baule-Escoublac'],
	['44119', 'Grandchamp-des-Fontaines']
] as const;
const RUES = [
	'rue de la République',
	'boulevard Guist’hau',
	'allée des Tilleuls',
	'rue du Général-de-Gaulle',
	'impasse des Genêts',
	'quai de la Fosse',
	'place Graslin',
	'chemin des Écoliers'
] as const;
const MEDECINS = [
	'Dr Hélène Roux',
	'Dr Karim Benali',
	'Dr Anne Le Goff',
	'Dr Paul Mercier'
] as const;
const RDV_TYPES = [
	'Consultation',
	'Bilan',
	'Séance',
	'Téléconsultation',
	'Réunion de synthèse'
] as const;
const RDV_MOTIFS = [
	'Bilan psychomoteur',
	'Bilan ergothérapique',
	'Évaluation neuropsychologique',
	'Séance de psychomotricité',
	'Entretien avec la famille',
	'Synthèse pluridisciplinaire',
	'Renouvellement forfait précoce'
] as const;
const LIEUX = ['Cabinet libéral', 'Plateforme TND – Nantes', 'Domicile', 'École', 'Visio'] as const;
const PROFESSIONNELS = [
	'Mme Julie Perrin (psychomotricienne)',
	'M. Éric Faure (ergothérapeute)',
	'Mme Sarah Guérin (psychologue)',
	'Dr Anne Le Goff (pédiatre)',
	'Mme Nadia Benali (orthophoniste)'
] as const;
const ETABLISSEMENTS = [
	'CHU de Nantes',
	'Hôpital Necker-Enfants malades',
	'CH de Saint-Nazaire',
	'CHU d’Angers',
	'Clinique Jules-Verne'
] as const;
const SERVICES = [
	'Pédiatrie',
	'Neuropédiatrie',
	'Pédopsychiatrie',
	'Chirurgie pédiatrique',
	'Urgences'
] as const;
const SEJOUR_MOTIFS = [
	'Bilan neurologique',
	'Crise d’épilepsie',
	'Fracture',
	'Bilan génétique',
	'Bronchiolite'
] as const;
const SPECIALITES = [
	['Pédiatre', 'Médecin traitant'],
	['Psychomotricien(ne)', 'Intervenant'],
	['Ergothérapeute', 'Intervenant'],
	['Psychologue', 'Intervenant'],
	['Orthophoniste', 'Intervenant'],
	['Neuropédiatre', 'Médecin spécialiste'],
	['Médecin généraliste', 'Médecin traitant'],
	['Coordinatrice de parcours', 'Référent parcours']
] as const;
const EXTERNES = [
	'CAMSP de Nantes',
	'CMP Enfants Angers',
	'SESSAD Les Lucioles',
	'Centre de ressources autisme'
] as const;
const AIDANTS = [
	['Mère', 'Proche aidant'],
	['Père', 'Proche aidant'],
	['Grand-mère', 'Personne de confiance']
] as const;
const COMMENTAIRES = [
	'RAS.',
	'Famille très investie ; à revoir dans 3 mois.',
	'Annulé par la famille (enfant malade).',
	'- suivi hebdomadaire à poursuivre',
	'Compte rendu envoyé au médecin traitant.',
	'Besoin d’un interprète (arabe).',
	'Transport assuré par le taxi conventionné.'
] as const;
const AUTEURS = [
	'Alice Martin',
	'Julie Perrin',
	'Sarah Guérin',
	'Éric Faure',
	'Dr Anne Le Goff'
] as const;

// --- Catalogue -----------------------------------------------------------------------------------

const THEMATIC_DEFS: readonly { label: string; forms: readonly string[] }[] = [
	{
		label: 'Données sociales',
		forms: ['Situation sociale et familiale', 'Droits et prestations : MDPH / AEEH / PCH']
	},
	{
		label: 'Recueil de données Médicales',
		forms: ['Antécédents médicaux et périnataux de l’enfant', 'Traitements en cours']
	},
	{
		label: 'TSLA',
		forms: ['Bilan orthophonique - Langage oral et écrit', 'Aménagements scolaires']
	},
	{ label: 'Vie quotidienne', forms: ['Autonomie dans les actes de la vie quotidienne'] },
	{
		label: 'Demande - Réponse',
		forms: ['Demande d’accompagnement', 'Réponse apportée à la demande']
	},
	{
		label: 'Plateforme TND',
		forms: [
			'Prolongation - Ergothérapie TND',
			'Prolongation - Psychologie TND',
			'Prolongation - Psychomotricité TND',
			'Entrée Parcours TND',
			'Accompagnement - Psychomotricité TND',
			'Accompagnement - Ergothérapie TND',
			'Prolongation Parcours TND',
			'Diagnostic et Sortie - Parcours TND',
			'Accompagnement - Psychologie TND',
			'Parcours de soins TND'
		]
	},
	{ label: 'DSPP Enfant', forms: ['Évaluation initiale DSPP Enfant'] }
];

/** Forms holding two fields labelled alike (SPEC §6: they stay two columns). */
const DUPLICATE_LABEL_FORMS = new Set(['Entrée Parcours TND', 'Situation sociale et familiale']);

type Options = readonly (readonly [string, string])[];
const opts = (...labels: string[]): Options =>
	labels.map((label, i) => [`opt${i + 1}`, label] as const);

// Six or more labels per type, so a 40-field form never repeats a label by accident.
const TEXT_LABELS = [
	'Commentaire',
	'Motif de la demande',
	'Professionnel référent',
	'Conclusion',
	'Préconisations',
	'Projet de soins',
	'Difficultés repérées'
];
const NUMBER_LABELS = [
	'Nombre de séances',
	'Score total',
	'Âge au diagnostic (mois)',
	'Durée de la séance (min)',
	'Poids (kg)',
	'Quotient intellectuel',
	'Nombre de frères et sœurs'
];
const DATE_LABELS = [
	'Date du bilan',
	'Date de la demande',
	'Date de début',
	'Date de fin',
	'Date de notification MDPH',
	'Date de la synthèse',
	'Date de l’orientation'
];
const DATETIME_LABELS = [
	'Date et heure de la séance',
	'Saisie le',
	'Rendez-vous de synthèse',
	'Appel de la famille',
	'Réunion d’équipe',
	'Dernier contact',
	'Validation médicale'
];
const BOOLEAN_LABELS = [
	'Forfait précoce',
	'Accord de la famille',
	'Scolarisé',
	'Bilan complet',
	'Orientation MDPH',
	'Besoin d’AESH',
	'Prise en charge en libéral'
];
const CHOICE_DEFS: readonly (readonly [string, Options])[] = [
	[
		'Type de trouble',
		opts(
			'Trouble du spectre de l’autisme',
			'TDAH',
			'Trouble du développement intellectuel',
			'TSLA',
			'Trouble développemental de la coordination'
		)
	],
	[
		'Niveau scolaire',
		opts(
			'Petite section',
			'Moyenne section',
			'Grande section',
			'CP',
			'CE1',
			'CE2',
			'CM1',
			'CM2',
			'6e'
		)
	],
	['Décision', opts('Accord', 'Refus', 'Ajournement')],
	[
		'Situation familiale',
		opts('Parents en couple', 'Parents séparés', 'Famille monoparentale', 'Placement ASE')
	],
	['Mode de garde', opts('Crèche', 'Assistante maternelle', 'Parents', 'Autre')],
	['Orientation proposée', opts('CAMSP', 'CMP', 'SESSAD', 'Libéral', 'Aucune')],
	['Fréquence du suivi', opts('Hebdomadaire', 'Bimensuel', 'Mensuel')]
];
const MULTI_DEFS: readonly (readonly [string, Options])[] = [
	[
		'Professionnels mobilisés',
		opts('Ergothérapeute', 'Psychomotricien', 'Psychologue', 'Orthophoniste', 'Neuropsychologue')
	],
	[
		'Troubles associés',
		opts('Épilepsie', 'Troubles du sommeil', 'Troubles alimentaires', 'Anxiété')
	],
	['Aides en place', opts('AESH', 'SESSAD', 'ULIS', 'PAP', 'Aucune')],
	[
		'Bilans réalisés',
		opts('Psychomoteur', 'Ergothérapique', 'Orthophonique', 'Neuropsychologique')
	],
	['Partenaires contactés', opts('École', 'PMI', 'Médecin traitant', 'MDPH')],
	['Besoins exprimés', opts('Guidance parentale', 'Répit', 'Aide financière', 'Transport')],
	['Outils utilisés', opts('ADOS-2', 'WISC-V', 'M-ABC 2', 'BHK', 'Vineland-II')]
];

function fieldDef(type: FieldType, n: number): Pick<Field, 'label' | 'options'> {
	const at = <T>(list: readonly T[]): T => list[n % list.length] as T;
	switch (type) {
		case 'text':
			return { label: at(TEXT_LABELS) };
		case 'number':
			return { label: at(NUMBER_LABELS) };
		case 'date':
			return { label: at(DATE_LABELS) };
		case 'datetime':
			return { label: at(DATETIME_LABELS) };
		case 'boolean':
			return { label: at(BOOLEAN_LABELS) };
		case 'choice':
		case 'multichoice': {
			const [label, options] = at(type === 'choice' ? CHOICE_DEFS : MULTI_DEFS);
			return { label, options: options.map(([value, l]) => ({ value, label: l })) };
		}
	}
}

/** The thematics and forms of the guide, with `fieldsPerForm` fields of every type each. */
export function buildCatalogue(fieldsPerForm: number): Thematic[] {
	let formNo = 0;
	return THEMATIC_DEFS.map((t, ti) => ({
		id: `T${ti + 1}`,
		label: t.label,
		forms: t.forms.map((label) => {
			formNo++;
			const formId = `F${String(formNo).padStart(2, '0')}`;
			const fields: Field[] = [];
			for (let j = 0; j < fieldsPerForm; j++) {
				const type = FIELD_TYPES[j % FIELD_TYPES.length] as FieldType;
				// Offset by form so forms do not all start with the same labels.
				const def = fieldDef(type, Math.floor(j / FIELD_TYPES.length) + formNo);
				fields.push({ id: `${formId}_q${String(j + 1).padStart(2, '0')}`, type, ...def });
			}
			if (DUPLICATE_LABEL_FORMS.has(label)) {
				fields.push({
					id: `${formId}_q${String(fieldsPerForm + 1).padStart(2, '0')}`,
					label: 'Observations',
					type: 'text'
				});
				fields.push({
					id: `${formId}_q${String(fieldsPerForm + 2).padStart(2, '0')}`,
					label: 'Observations',
					type: 'text'
				});
			}
			return { id: formId, label, fields };
		})
	}));
}

// --- Dossiers ------------------------------------------------------------------------------------

const CREATED_FIRST = dayNumber('2019-01-01');
const CREATED_LAST = dayNumber('2025-12-31');
const DATA_LAST = dayNumber('2026-06-30');

const NEXT_STATUS: Readonly<Record<StatusCode, readonly StatusCode[]>> = {
	analyse_demande: ['en_attente', 'en_attente', 'non_suivi', 'reorientation', 'suivi_inclusion'],
	en_attente: ['suivi_inclusion', 'suivi_inclusion', 'non_suivi', 'reorientation'],
	suivi_inclusion: ['sortie', 'sortie', 'en_attente'],
	non_suivi: ['sortie', 'en_attente'],
	reorientation: ['sortie', 'analyse_demande'],
	sortie: ['analyse_demande'],
	non_renseigne: ['analyse_demande']
};

const LONG_TEXT_LENGTH = 40_000;
const LONG_SENTENCE =
	'Compte rendu détaillé de la séance : l’enfant a participé aux activités proposées, ' +
	'avec des progrès nets en motricité fine ; poursuite du travail engagé. ';

/** Dossiers with a fixed role, by index, so every scale and seed holds every edge case. */
export const EDGE = {
	formulaName: 0,
	obrien: 1,
	ndiaye: 2,
	leadingPlus: 3,
	leadingMinus: 4,
	leadingAt: 5,
	noStatusEvent: 6,
	sameDayChanges: 7,
	archived: 8,
	outsideFileActive: 9,
	bothStructures: 10,
	allOptionalNull: 11,
	longComment: 12,
	guideExample: 13
} as const;

const SPECIAL_NAMES: Readonly<Record<number, readonly [string, string]>> = {
	[EDGE.formulaName]: ['=SOMME(A1)', 'Hélène'],
	[EDGE.obrien]: ["O'Brien", 'Seán'],
	[EDGE.ndiaye]: ["N'Diaye", 'Aïssatou'],
	[EDGE.leadingPlus]: ['+33 Leroy', 'Loïc'],
	[EDGE.leadingMinus]: ['-Durand', 'Zoé'],
	[EDGE.leadingAt]: ['@Garnier', 'Maël']
};

/** ISO date-time of a Paris wall time, written either with the Paris offset or in UTC (`Z`). */
function instant(rng: Rng, day: string, hour: number, minute: number): string {
	const local = parisWallTime(day, hour, minute, rng.int(0, 59));
	return rng.chance(0.3) ? new Date(Date.parse(local)).toISOString().replace('.000Z', 'Z') : local;
}

function dayBetween(rng: Rng, first: number, last: number): string {
	return dayString(first + Math.floor(rng.float() * Math.max(1, last - first + 1)));
}

function phone(rng: Rng): string {
	return `0${rng.pick(['2', '6', '7'])} ${[0, 0, 0, 0].map(() => String(rng.int(10, 99))).join(' ')}`;
}

function digits(rng: Rng, n: number): string {
	let s = String(rng.int(1, 9));
	while (s.length < n) s += String(rng.int(0, 9));
	return s;
}

function slug(s: string): string {
	return s
		.normalize('NFD')
		.replace(/[^A-Za-z]/g, '')
		.toLowerCase();
}

interface Membership {
	structures: SandboxStructure[];
}

function membershipOf(rng: Rng, index: number): Membership {
	if (index === EDGE.outsideFileActive) return { structures: [] };
	if (index === EDGE.bothStructures) return { structures: [STRUCTURE_TND, STRUCTURE_DAC] };
	if (index < 14) return { structures: [STRUCTURE_TND] };
	const r = rng.float();
	if (r < 0.05) return { structures: [] };
	if (r < 0.6) return { structures: [STRUCTURE_TND] };
	if (r < 0.85) return { structures: [STRUCTURE_DAC] };
	return { structures: [STRUCTURE_TND, STRUCTURE_DAC] };
}

function statusHistory(
	rng: Rng,
	index: number,
	createdDay: string,
	createdAt: string
): StatusEvent[] {
	if (index === EDGE.noStatusEvent) return [];
	if (index === EDGE.sameDayChanges) {
		// Three changes on 02/05: only the last one holds that day.
		return [
			{ at: createdAt, status: 'analyse_demande' },
			{ at: parisWallTime(addDays(createdDay, 81), 9, 0), status: 'en_attente' },
			{ at: parisWallTime(addDays(createdDay, 81), 11, 0), status: 'non_suivi' },
			{ at: parisWallTime(addDays(createdDay, 81), 16, 30), status: 'suivi_inclusion' }
		];
	}
	if (index === EDGE.guideExample) {
		// SPEC §4: created 01/03/2023 "En attente", "Suivi (Inclusion)" on 24/03 (00:30 in Paris).
		return [
			{ at: createdAt, status: 'en_attente' },
			{ at: '2023-03-23T23:30:00Z', status: 'suivi_inclusion' }
		];
	}
	if (rng.chance(0.08)) return [];
	const events: StatusEvent[] = [];
	let day = dayNumber(createdDay);
	let status: StatusCode = rng.chance(0.7) ? 'analyse_demande' : 'en_attente';
	if (rng.chance(0.8)) events.push({ at: createdAt, status });
	else {
		day += rng.int(1, 60);
		events.push({ at: instant(rng, dayString(day), rng.int(8, 18), rng.int(0, 59)), status });
	}
	const more = rng.int(0, 5);
	for (let i = 0; i < more; i++) {
		day += rng.int(1, 240);
		if (day > DATA_LAST) break;
		status = rng.pick(NEXT_STATUS[status]);
		const d = dayString(day);
		if (rng.chance(0.1)) {
			// Just after midnight in Paris: the previous day in UTC.
			const local = parisWallTime(d, 0, rng.int(0, 59));
			events.push({ at: new Date(Date.parse(local)).toISOString().replace('.000Z', 'Z'), status });
		} else {
			events.push({ at: instant(rng, d, rng.int(8, 17), rng.int(0, 59)), status });
		}
		if (rng.chance(0.05)) {
			// A second change the same day, later: the first one gets 0 days.
			status = rng.pick(NEXT_STATUS[status]);
			events.push({ at: parisWallTime(d, 18, rng.int(0, 59)), status });
		}
	}
	return events;
}

interface Counters {
	rdv: number;
	hos: number;
	cds: number;
	rep: number;
}

function id(prefix: string, n: number, width: number): string {
	return `${prefix}-${String(n).padStart(width, '0')}`;
}

function emitDossier(
	sink: DatasetSink,
	seed: number,
	index: number,
	forms: readonly { id: string; fields: readonly Field[] }[],
	counters: Counters
): void {
	const rng = new Rng(mix(seed, index));
	const dossierId = id('DOS', index + 1, 6);
	const sparse = index === EDGE.allOptionalNull;

	let createdDay = dayBetween(rng, CREATED_FIRST, CREATED_LAST);
	if (index === EDGE.guideExample) createdDay = '2023-03-01';
	if (index === EDGE.sameDayChanges) createdDay = '2023-02-10';
	const createdAt =
		index === EDGE.guideExample
			? parisWallTime(createdDay, 9, 0)
			: instant(rng, createdDay, rng.int(8, 18), rng.int(0, 59));

	const special = SPECIAL_NAMES[index];
	const nom = special?.[0] ?? rng.pick(NOMS);
	const prenom = special?.[1] ?? rng.pick(PRENOMS);
	const born = dayBetween(rng, dayNumber('2006-01-01'), dayNumber('2022-12-31'));
	const patient: Patient = { nom, prenom, dateNaissance: sparse || rng.chance(0.03) ? null : born };
	const [codePostal, commune] = rng.pick(COMMUNES);
	const statusEvents = statusHistory(rng, index, createdDay, createdAt);
	const lastDay = statusEvents.length
		? dayNumber(statusEvents[statusEvents.length - 1]?.at.slice(0, 10) ?? createdDay)
		: dayNumber(createdDay);
	const archived = index === EDGE.archived || (index > 13 && rng.chance(0.08));
	const archivedAt = archived
		? instant(rng, dayString(Math.min(DATA_LAST, lastDay + rng.int(1, 90))), 10, 0)
		: null;
	const nomUsage = rng.chance(0.1) ? rng.pick(NOMS) : nom;
	const dossier: Dossier = {
		dossierId,
		patient,
		ins: sparse ? null : rng.orNull(0.2, digits(rng, 15)),
		nomNaissance: sparse ? null : nom,
		nomUsage: sparse ? null : rng.orNull(0.3, nomUsage),
		prenoms: sparse ? null : rng.chance(0.4) ? `${prenom}, ${rng.pick(PRENOMS)}` : prenom,
		sexe: sparse ? null : rng.pick(['F', 'M', 'F', 'M', 'I', null] as const),
		adresse: sparse ? null : rng.orNull(0.1, `${rng.int(1, 140)} ${rng.pick(RUES)}`),
		codePostal: sparse ? null : codePostal,
		commune: sparse ? null : commune,
		telephone: sparse ? null : rng.orNull(0.15, phone(rng)),
		courriel: sparse ? null : rng.orNull(0.3, `${slug(prenom)}.${slug(nom)}@exemple.fr`),
		medecinTraitant: sparse ? null : rng.orNull(0.25, rng.pick(MEDECINS)),
		createdAt,
		archivedAt,
		statusEvents
	};
	sink.dossier(dossier);

	const first = dayNumber(createdDay);
	const last = Math.min(DATA_LAST, first + 3 * 365);

	// Care circle: the sandbox structures (file active), an outside structure, professionals, family.
	for (const s of membershipOf(rng, index).structures) {
		const debut = rng.chance(0.1) ? null : dayString(first + rng.int(0, 30));
		const fin = rng.chance(0.7) ? null : dayBetween(rng, first + 31, last);
		sink.careCircle({
			id: id('CDS', ++counters.cds, 7),
			dossierId,
			structureId: s.id,
			intervenant: s.name,
			type: 'structure',
			specialite: null,
			role: 'Structure de coordination',
			identifiant: digits(rng, 9),
			telephone: phone(rng),
			courriel: null,
			debut,
			fin
		});
	}
	if (rng.chance(0.3)) {
		sink.careCircle({
			id: id('CDS', ++counters.cds, 7),
			dossierId,
			structureId: null,
			intervenant: rng.pick(EXTERNES),
			type: 'structure',
			specialite: null,
			role: 'Partenaire',
			identifiant: rng.orNull(0.3, digits(rng, 9)),
			telephone: rng.orNull(0.3, phone(rng)),
			courriel: null,
			debut: rng.orNull(0.3, dayBetween(rng, first, last)),
			fin: null
		});
	}
	const pros = rng.int(1, 3);
	for (let i = 0; i < pros; i++) {
		const [specialite, role] = rng.pick(SPECIALITES);
		const debut = rng.orNull(0.15, dayBetween(rng, first, last));
		sink.careCircle({
			id: id('CDS', ++counters.cds, 7),
			dossierId,
			structureId: null,
			intervenant: `${rng.pick(PRENOMS)} ${rng.pick(NOMS)}`,
			type: 'professionnel',
			specialite,
			role,
			identifiant: rng.orNull(0.2, digits(rng, 11)),
			telephone: rng.orNull(0.3, phone(rng)),
			courriel: rng.orNull(0.5, `contact@cabinet-${slug(rng.pick(NOMS))}.fr`),
			debut,
			fin: rng.chance(0.6) ? null : addDays(debut ?? createdDay, rng.int(0, 400))
		});
	}
	if (rng.chance(0.5)) {
		const [qui, role] = rng.pick(AIDANTS);
		sink.careCircle({
			id: id('CDS', ++counters.cds, 7),
			dossierId,
			structureId: null,
			intervenant: `${rng.pick(PRENOMS)} ${nom} (${qui})`,
			type: 'proche_aidant',
			specialite: null,
			role,
			identifiant: null,
			telephone: rng.orNull(0.1, phone(rng)),
			courriel: null,
			debut: rng.orNull(0.5, createdDay),
			fin: null
		});
	}

	const appointments = index === EDGE.longComment ? Math.max(1, rng.int(0, 20)) : rng.int(0, 20);
	for (let i = 0; i < appointments; i++) {
		const day = dayBetween(rng, first, last);
		const hour = rng.int(8, 18);
		const minute = rng.pick([0, 15, 30, 45]);
		const start = parisWallTime(day, hour, minute);
		const duration = rng.pick([30, 45, 60, 90]);
		const endMinutes = hour * 60 + minute + duration;
		let commentaire: string | null = rng.orNull(0.6, rng.pick(COMMENTAIRES));
		if (index === EDGE.longComment && i === 0) {
			commentaire = LONG_SENTENCE.repeat(Math.ceil(LONG_TEXT_LENGTH / LONG_SENTENCE.length)).slice(
				0,
				LONG_TEXT_LENGTH
			);
		}
		sink.appointment({
			id: id('RDV', ++counters.rdv, 7),
			dossierId,
			start,
			end: rng.chance(0.05)
				? null
				: parisWallTime(day, Math.floor(endMinutes / 60), endMinutes % 60),
			type: rng.orNull(0.05, rng.pick(RDV_TYPES)),
			motif: rng.orNull(0.1, rng.pick(RDV_MOTIFS)),
			lieu: rng.orNull(0.1, rng.pick(LIEUX)),
			professionnel: rng.orNull(0.05, rng.pick(PROFESSIONNELS)),
			statut: rng.pick([
				'honore',
				'honore',
				'honore',
				'honore',
				'annule',
				'non_honore',
				'prevu'
			] as const),
			commentaire
		});
	}

	const stays = rng.int(0, 4);
	for (let i = 0; i < stays; i++) {
		const entree = dayBetween(rng, first, last);
		sink.hospitalisation({
			id: id('HOS', ++counters.hos, 7),
			dossierId,
			etablissement: rng.orNull(0.05, rng.pick(ETABLISSEMENTS)),
			service: rng.orNull(0.1, rng.pick(SERVICES)),
			mode: rng.pick(['complete', 'ambulatoire', 'hdj', null] as const),
			entree,
			sortie: rng.chance(0.1) ? null : addDays(entree, rng.pick([0, 0, 1, 2, 3, 5, 8, 15, 30])),
			motif: rng.orNull(0.2, rng.pick(SEJOUR_MOTIFS)),
			commentaire: rng.orNull(0.7, rng.pick(COMMENTAIRES))
		});
	}

	const responses = rng.int(0, 6);
	for (let i = 0; i < responses; i++) {
		const form = rng.pick(forms);
		const day = dayBetween(rng, first, last);
		const values: Record<string, FormValue> = {};
		for (const field of form.fields)
			values[field.id] = rng.chance(0.12) ? null : fieldValue(rng, field, day);
		sink.response({
			id: id('REP', ++counters.rep, 7),
			dossierId,
			formId: form.id,
			date: instant(rng, day, rng.int(8, 19), rng.int(0, 59)),
			auteur: rng.orNull(0.05, rng.pick(AUTEURS)),
			values
		});
	}
}

const TEXT_VALUES = [
	'Bonne évolution.',
	'À revoir avec l’équipe.',
	'=1+1',
	'- ne pas relancer avant septembre',
	'Famille d’accueil informée ; accord écrit.',
	'+ séance supplémentaire accordée'
] as const;

function fieldValue(rng: Rng, field: Field, day: string): FormValue {
	switch (field.type) {
		case 'text':
			return rng.pick(TEXT_VALUES);
		case 'number':
			return rng.chance(0.3) ? Math.round(rng.float() * 1000) / 10 : rng.int(0, 120);
		case 'date':
			return addDays(day, -rng.int(0, 120));
		case 'datetime':
			return parisWallTime(day, rng.int(8, 18), rng.int(0, 59));
		case 'boolean':
			return rng.chance(0.5);
		case 'choice':
			return rng.pick(field.options ?? []).value;
		case 'multichoice': {
			const options = field.options ?? [];
			return options.filter(() => rng.chance(0.35)).map((o) => o.value);
		}
	}
}

export interface GenerateOptions {
	scale: Scale;
	seed: number;
	/** Called now and then with the share done, 0..1. */
	onProgress?: (done: number) => void;
}

export interface GenerateSummary {
	dossiers: number;
	appointments: number;
	hospitalisations: number;
	careCircle: number;
	responses: number;
}

/** Emits the whole dataset of (scale, seed) into the sink, parents first. */
export function generate(sink: DatasetSink, options: GenerateOptions): GenerateSummary {
	const spec = SCALE_SPECS[options.scale];
	for (const s of SANDBOX_STRUCTURES) sink.structure(s);
	for (const a of SANDBOX_ACCOUNTS) sink.account(a);
	const catalogue = buildCatalogue(spec.fieldsPerForm);
	sink.catalogue(catalogue);
	const forms = catalogue.flatMap((t) => t.forms);
	const counters: Counters = { rdv: 0, hos: 0, cds: 0, rep: 0 };
	const step = Math.max(1, Math.floor(spec.dossiers / 20));
	for (let i = 0; i < spec.dossiers; i++) {
		emitDossier(sink, options.seed, i, forms, counters);
		if (options.onProgress && (i + 1) % step === 0) options.onProgress((i + 1) / spec.dossiers);
	}
	return {
		dossiers: spec.dossiers,
		appointments: counters.rdv,
		hospitalisations: counters.hos,
		careCircle: counters.cds,
		responses: counters.rep
	};
}
