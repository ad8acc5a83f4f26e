/**
 * What becomes of each column of each file in a pseudonymised extraction (SPEC §13), in one
 * table for every file kind: removed, free text (removed unless kept), generalised, pseudonymised
 * or kept. The rows of the identified extraction go through it on their way to the sheets, so
 * every kept value is the identified one and no file can bypass it. A column the table does not
 * know is an error (nothing produced), never a column passed through by default.
 */
import type { FieldType } from '../../contract/spico';
import { RESPONSE_COLUMNS } from '../datasets/thematique';
import type { FileKind } from '../file-kinds';
import type { Cell, Column, Row, SheetSpec } from '../table';
import { ageOn, birthYearMonth, departementOf } from './generalise';

export type Treatment =
	/** Written as in the identified extraction. */
	| 'keep'
	/** Left out. */
	| 'remove'
	/** Left out unless « Conserver les textes libres » is checked. */
	| 'free-text'
	/** « ID dossier » → `P-…`. */
	| 'pseudonym'
	/** Date de naissance → « Année-mois de naissance » and « Âge au début de la période (ans) ». */
	| 'birth'
	/** Code postal → « Département ». */
	| 'departement';

const DOSSIER: Readonly<Record<string, Treatment>> = {
	'ID dossier': 'pseudonym',
	Nom: 'remove',
	Prénom: 'remove',
	'Date de naissance': 'birth'
};

/**
 * By file kind, by header. Beyond SPEC §13's list (docs/DECISIONS.md, « Pseudonymisation »): the
 * ids of RDV, stays and responses are removed (each leads back to its dossier in SPICO, as the
 * dossier's id would), and so are the RDV's « Professionnel » and a response's « Auteur » (people's
 * names: the médecin traitant or an intervenant is often the professional of an RDV).
 */
export const COLUMN_POLICY: Readonly<Record<FileKind, Readonly<Record<string, Treatment>>>> = {
	administratif: {
		...DOSSIER,
		INS: 'remove',
		'Nom de naissance': 'remove',
		"Nom d'usage": 'remove',
		'Prénom(s)': 'remove',
		Sexe: 'keep',
		Adresse: 'remove',
		'Code postal': 'departement',
		Commune: 'remove',
		Téléphone: 'remove',
		Courriel: 'remove',
		'Médecin traitant': 'remove',
		'Date de création du dossier': 'keep',
		'Statut en fin de période': 'keep',
		Archivé: 'keep',
		"Date d'archivage": 'keep'
	},
	rdv: {
		...DOSSIER,
		'ID RDV': 'remove',
		Date: 'keep',
		'Heure de début': 'keep',
		'Heure de fin': 'keep',
		'Durée (min)': 'keep',
		Type: 'keep',
		Motif: 'free-text',
		Lieu: 'keep',
		Professionnel: 'remove',
		'Statut du RDV': 'keep',
		Commentaire: 'free-text'
	},
	hospitalisations: {
		...DOSSIER,
		'ID séjour': 'remove',
		Établissement: 'keep',
		Service: 'keep',
		Mode: 'keep',
		"Date d'entrée": 'keep',
		'Date de sortie': 'keep',
		'Durée (jours)': 'keep',
		Motif: 'free-text',
		Commentaire: 'free-text'
	},
	cercleDeSoins: {
		...DOSSIER,
		Intervenant: 'remove',
		Type: 'keep',
		'Profession / spécialité': 'keep',
		Rôle: 'keep',
		'Identifiant RPPS / FINESS': 'remove',
		Téléphone: 'remove',
		Courriel: 'remove',
		"Date d'entrée": 'keep',
		'Date de sortie': 'keep'
	},
	statuts: {
		...DOSSIER,
		// Historique des statuts
		Statut: 'keep',
		'Date de début': 'keep',
		'Date de fin': 'keep',
		'Jours sur la période': 'keep',
		'En cours': 'keep',
		// Synthèse (and its seven « <statut> (jours) » columns, below)
		'Statut en fin de période': 'keep',
		'Depuis le': 'keep',
		"Jours dans ce statut jusqu'à la fin de période": 'keep'
	},
	thematiques: {
		...DOSSIER,
		'ID réponse': 'remove',
		'Date de saisie': 'keep',
		Auteur: 'remove'
	}
};

const STATUS_DAYS_HEADER = / \(jours\)$/;

/** Form fields: only `text` is free text (SPEC §13); choices, numbers, dates and booleans stay. */
export function fieldTreatment(type: FieldType): Treatment {
	return type === 'text' ? 'free-text' : 'keep';
}

/**
 * The treatment of each column of a sheet. For a thematic sheet, `fieldTypes` are the types of
 * its form's fields (columns after the response's own): a field labelled « Nom » is still a field.
 */
export function columnTreatments(
	kind: FileKind,
	sheet: SheetSpec,
	fieldTypes: readonly FieldType[] | null = null
): Treatment[] {
	const table = COLUMN_POLICY[kind];
	const fixed = kind === 'thematiques' ? RESPONSE_COLUMNS.length : sheet.columns.length;
	if (kind === 'thematiques' && fieldTypes?.length !== sheet.columns.length - fixed) {
		throw new Error(`Types des champs absents ou incomplets pour la feuille « ${sheet.name} ».`);
	}
	return sheet.columns.map((column, i) => {
		if (i >= fixed) return fieldTreatment(fieldTypes![i - fixed]!);
		const t = Object.hasOwn(table, column.header) ? table[column.header] : undefined;
		if (t !== undefined) return t;
		if (kind === 'statuts' && STATUS_DAYS_HEADER.test(column.header)) return 'keep';
		throw new Error(
			`Colonne sans règle de pseudonymisation : « ${column.header} » (${kind}) ; aucun fichier n’a été produit.`
		);
	});
}

export interface PseudonymisationOptions {
	keepFreeText: boolean;
	/** First day of the period, `YYYY-MM-DD`: ages are counted on it. */
	periodStart: string;
	/** The pseudonym of a dossier id (a prepared PseudonymTable's `get`). */
	pseudonym: (dossierId: Cell) => string;
}

export interface SheetPseudonymisation {
	/** The sheet as written: its columns after removal and generalisation. */
	spec: SheetSpec;
	/** The identified row (in the dataset's columns) → the pseudonymised row. */
	apply(row: Row): Row;
	treatments: readonly Treatment[];
}

export const PSEUDONYM_COLUMN: Column = {
	header: 'ID dossier',
	kind: 'text',
	description:
		'Pseudonyme du dossier : « P- » et 16 chiffres hexadécimaux, les mêmes pour un dossier dans chaque fichier et dans chaque extraction faite avec la même phrase secrète.'
};
export const BIRTH_MONTH_COLUMN: Column = {
	header: 'Année-mois de naissance',
	kind: 'text',
	description: 'Année et mois de naissance (AAAA-MM) ; vide si la date de naissance est inconnue.'
};
export const AGE_COLUMN: Column = {
	header: 'Âge au début de la période (ans)',
	kind: 'integer',
	description:
		'Âge en années révolues au premier jour de la période ; vide si la date de naissance est inconnue ou postérieure à ce jour.'
};
export const DEPARTEMENT_COLUMN: Column = {
	header: 'Département',
	kind: 'text',
	description:
		'Département déduit du code postal (2 caractères, 3 pour l’outre-mer 97x/98x) ; vide si le code postal est absent ou invalide.'
};

type Producer = (row: Row) => Cell;

export function pseudonymiseSheet(
	kind: FileKind,
	sheet: SheetSpec,
	fieldTypes: readonly FieldType[] | null,
	options: PseudonymisationOptions
): SheetPseudonymisation {
	const treatments = columnTreatments(kind, sheet, fieldTypes);
	const columns: Column[] = [];
	const producers: Producer[] = [];
	const { pseudonym, periodStart, keepFreeText } = options;
	treatments.forEach((t, i) => {
		switch (t) {
			case 'remove':
				return;
			case 'free-text':
				if (!keepFreeText) return;
			// falls through: a kept free text is written as it is
			case 'keep':
				columns.push(sheet.columns[i]!);
				producers.push((row) => row[i]);
				return;
			case 'pseudonym':
				columns.push(PSEUDONYM_COLUMN);
				producers.push((row) => pseudonym(row[i]));
				return;
			case 'birth':
				columns.push(BIRTH_MONTH_COLUMN, AGE_COLUMN);
				producers.push(
					(row) => birthYearMonth(row[i]),
					(row) => ageOn(row[i], periodStart)
				);
				return;
			case 'departement':
				columns.push(DEPARTEMENT_COLUMN);
				producers.push((row) => departementOf(row[i]));
				return;
		}
	});
	const n = producers.length;
	return {
		spec: { ...sheet, columns },
		treatments,
		apply(row) {
			const out = new Array<Cell>(n);
			for (let j = 0; j < n; j++) out[j] = producers[j]!(row);
			return out;
		}
	};
}

/** What the Informations sheet says of a workbook's columns. */
export interface PseudonymisationSummary {
	removed: string[];
	transformed: string[];
	/** Free-text columns, removed or (when kept) written as they are. */
	freeText: string[];
}

const TRANSFORMED_TEXT: Partial<Record<Treatment, string>> = {
	pseudonym: 'ID dossier → pseudonyme « P-… »',
	birth:
		'Date de naissance → Année-mois de naissance (AAAA-MM) et Âge au début de la période (ans)',
	departement: 'Code postal → Département'
};

export function summarise(
	sheets: readonly { spec: SheetSpec; treatments: readonly Treatment[] }[],
	identified: readonly SheetSpec[],
	keepFreeText: boolean
): PseudonymisationSummary {
	const removed = new Set<string>();
	const transformed = new Set<string>();
	const freeText = new Set<string>();
	sheets.forEach((s, k) => {
		s.treatments.forEach((t, i) => {
			const header = identified[k]!.columns[i]!.header;
			if (t === 'remove') removed.add(header);
			else if (t === 'free-text') {
				freeText.add(header);
				if (!keepFreeText) removed.add(header);
			} else if (TRANSFORMED_TEXT[t]) transformed.add(TRANSFORMED_TEXT[t]);
		});
	});
	return { removed: [...removed], transformed: [...transformed], freeText: [...freeText] };
}
