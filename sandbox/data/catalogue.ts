// The catalogue of thematics and forms, and their fields (labels, choices) per scale.
import {
	FIELD_TYPES,
	type Field,
	type FieldType,
	type Thematic
} from '../../src/lib/contract/spico.ts';

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
