/**
 * The registry of file kinds (SPEC §5): every workbook a request can ask for, Statuts included,
 * with everything the form, the plan, the datasets, the audit and the Tâches view need to know
 * about it. One key per kind, spelled the same everywhere in the code; the API list and the
 * audit value are the contract's own spellings, kept here beside it.
 */
import { ADMINISTRATIF_SHEET, administratifRow } from './datasets/administratif';
import { CERCLE_DE_SOINS_SHEET, cercleDeSoinsRow } from './datasets/cercle-de-soins';
import { singleSheet, type AnyDataset, type Dataset } from './datasets/dataset';
import { HOSPITALISATIONS_SHEET, hospitalisationRow } from './datasets/hospitalisations';
import { RDV_SHEET, rdvRow } from './datasets/rdv';
import { STATUTS_SHEETS, statutsRows } from './datasets/statuts';

/** Every kind, in the form's order: step 3's five files, then step 4's Statuts. */
export const FILE_KINDS = [
	'administratif',
	'rdv',
	'hospitalisations',
	'cercleDeSoins',
	'thematiques',
	'statuts'
] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export interface FileKindInfo {
	readonly key: FileKind;
	/** The form's Oui/Non question (the guide's wording) and the Tâches view's list of files. */
	readonly formLabel: string;
	/** The file on the progress list and in the Informations sheet (thematics: per thematic). */
	readonly label: string;
	/** The form's step that asks for it. */
	readonly step: 3 | 4;
	/** The value of `filters.files` in the audit event (SPEC §8). */
	readonly auditKey: string;
	/**
	 * Base name, API list, sheets and row mapping of its one workbook; `null` for Thématiques,
	 * which has one workbook per thematic (`thematicDataset`).
	 */
	readonly dataset: AnyDataset | null;
}

const statuts: Dataset<'dossiers'> = {
	baseName: 'statuts',
	list: 'dossiers',
	formIds: [],
	sheets: STATUTS_SHEETS,
	writeRows: statutsRows
};

export const FILE_KIND_INFO: Readonly<Record<FileKind, FileKindInfo>> = {
	administratif: {
		key: 'administratif',
		formLabel: 'Données administratives patient',
		label: 'Données administratives',
		step: 3,
		auditKey: 'administratif',
		dataset: singleSheet(
			'donnees_administratives',
			'dossiers',
			ADMINISTRATIF_SHEET,
			administratifRow
		)
	},
	rdv: {
		key: 'rdv',
		formLabel: 'RDV',
		label: 'RDV',
		step: 3,
		auditKey: 'rdv',
		dataset: singleSheet('RDV', 'appointments', RDV_SHEET, rdvRow)
	},
	hospitalisations: {
		key: 'hospitalisations',
		formLabel: 'Hospitalisation',
		label: 'Hospitalisations',
		step: 3,
		auditKey: 'hospitalisations',
		dataset: singleSheet(
			'hospitalisations',
			'hospitalisations',
			HOSPITALISATIONS_SHEET,
			hospitalisationRow
		)
	},
	cercleDeSoins: {
		key: 'cercleDeSoins',
		formLabel: 'Cercle de soins',
		label: 'Cercle de soins',
		step: 3,
		auditKey: 'cercleDeSoins',
		dataset: singleSheet('cercle_de_soins', 'care-circle', CERCLE_DE_SOINS_SHEET, cercleDeSoinsRow)
	},
	thematiques: {
		key: 'thematiques',
		formLabel: 'Thématiques',
		label: 'Thématiques',
		step: 3,
		auditKey: 'thematiques',
		dataset: null
	},
	statuts: {
		key: 'statuts',
		formLabel: 'Statuts',
		label: 'Statuts',
		step: 4,
		auditKey: 'statuts',
		dataset: statuts
	}
};

/** The five Oui/Non files of step 3, in the guide's order. */
export const STEP3_KINDS: readonly FileKind[] = FILE_KINDS.filter(
	(k) => FILE_KIND_INFO[k].step === 3
);

/** The kinds with one fixed workbook each (all but Thématiques), in the form's order. */
export const FIXED_KINDS = FILE_KINDS.filter(
	(k): k is Exclude<FileKind, 'thematiques'> => FILE_KIND_INFO[k].dataset !== null
);
export type FixedKind = (typeof FIXED_KINDS)[number];

/** The dataset of a fixed kind. */
export function fixedDataset(kind: FixedKind): AnyDataset {
	return FILE_KIND_INFO[kind].dataset as AnyDataset;
}

/** The registry's kinds among `kinds`, in the registry's order, each once. */
export function orderedKinds(kinds: Iterable<string>): FileKind[] {
	const wanted = new Set(kinds);
	return FILE_KINDS.filter((k) => wanted.has(k));
}
