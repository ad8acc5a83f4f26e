/**
 * The registry of file kinds (SPEC §5): for each workbook, its base name, the API list it reads,
 * its sheets and the mapping of one list item to rows. The orchestrator needs nothing else to
 * turn fetched pages into sheets.
 */
import { PAGE_LIMIT_MAX, type ListItem, type ListName, type Thematic } from '../../contract/spico';
import type { Row, SheetSpec } from '../table';
import { ADMINISTRATIF_SHEET, administratifRow } from './administratif';
import { CERCLE_DE_SOINS_SHEET, cercleDeSoinsRow } from './cercle-de-soins';
import type { RowContext, RowSink } from './common';
import { HOSPITALISATIONS_SHEET, hospitalisationRow } from './hospitalisations';
import { RDV_SHEET, rdvRow } from './rdv';
import { STATUTS_SHEETS, statutsRows } from './statuts';
import { compileForm, responseRow, thematicBaseName, type CompiledForm } from './thematique';

export type { MappingIssues, RowContext, RowSink } from './common';
export { DOSSIER_COLUMNS } from './common';
export { thematicBaseName, thematicSlug } from './thematique';

export type DatasetKind =
	'administratif' | 'rdv' | 'hospitalisations' | 'cercle_de_soins' | 'statuts' | 'thematique';

export interface Dataset<L extends ListName = ListName> {
	readonly kind: DatasetKind;
	/** Workbook name before the period (SPEC §5), e.g. `RDV`, `thematique_plateforme_tnd`. */
	readonly baseName: string;
	/** The API list read (`/structures/{sid}/<list>`). */
	readonly list: L;
	/** For `responses`: the form of each sheet, in sheet order, one list per form; else empty. */
	readonly formIds: readonly string[];
	readonly sheets: readonly SheetSpec[];
	/** Maps one item to its rows; `sink(sheetIndex, row)` receives them in order. */
	readonly writeRows: (item: ListItem<L>, ctx: RowContext, sink: RowSink) => void;
}

/** Any dataset, with its list and mapping kept in step. */
export type AnyDataset = { [L in ListName]: Dataset<L> }[ListName];

function singleSheet<L extends ListName>(
	kind: DatasetKind,
	baseName: string,
	list: L,
	sheet: SheetSpec,
	toRow: (item: ListItem<L>, ctx: RowContext) => Row
): Dataset<L> {
	return {
		kind,
		baseName,
		list,
		formIds: [],
		sheets: [sheet],
		writeRows: (item, ctx, sink) => sink(0, toRow(item, ctx))
	};
}

/** The fixed file kinds, in the order of the form (step 3, then step 4). */
export const DATASETS = {
	administratif: singleSheet(
		'administratif',
		'donnees_administratives',
		'dossiers',
		ADMINISTRATIF_SHEET,
		administratifRow
	),
	rdv: singleSheet('rdv', 'RDV', 'appointments', RDV_SHEET, rdvRow),
	hospitalisations: singleSheet(
		'hospitalisations',
		'hospitalisations',
		'hospitalisations',
		HOSPITALISATIONS_SHEET,
		hospitalisationRow
	),
	cercle_de_soins: singleSheet(
		'cercle_de_soins',
		'cercle_de_soins',
		'care-circle',
		CERCLE_DE_SOINS_SHEET,
		cercleDeSoinsRow
	),
	statuts: {
		kind: 'statuts',
		baseName: 'statuts',
		list: 'dossiers',
		formIds: [],
		sheets: STATUTS_SHEETS,
		writeRows: statutsRows
	} satisfies Dataset<'dossiers'>
} as const;

/**
 * The workbook of one thematic: one sheet per selected form, in catalogue order (all its forms
 * when `formIds` is omitted). A response of a form not selected is a contract breach: it throws.
 */
export function thematicDataset(
	thematic: Thematic,
	formIds?: Iterable<string>
): Dataset<'responses'> {
	const wanted = formIds === undefined ? null : new Set(formIds);
	const forms: CompiledForm[] = thematic.forms
		.filter((f) => wanted === null || wanted.has(f.id))
		.map(compileForm);
	const sheetOf = new Map(forms.map((f, i) => [f.formId, i]));
	return {
		kind: 'thematique',
		baseName: thematicBaseName(thematic.label),
		list: 'responses',
		formIds: forms.map((f) => f.formId),
		sheets: forms.map((f) => f.sheet),
		writeRows(item, ctx, sink) {
			const i = sheetOf.get(item.formId);
			if (i === undefined) {
				throw new Error(`Réponse d'un formulaire non demandé (formulaire ${item.formId}).`);
			}
			sink(i, responseRow(item, forms[i] as CompiledForm, ctx));
		}
	};
}

/**
 * About this many cells per page. A page's weight in a worker (its JSON, the parsed and the
 * validated items, twice with the next page in flight) follows its cells; at `large`, halving
 * 100,000 took the tab's renderer from ~375 to ~305 MB for ~5 % more time.
 */
const CELLS_PER_PAGE = 50_000;

/**
 * Items to ask the API for per page, by the width of the rows: 3,000 appointments, 1,000
 * responses to a form of 40 fields, between 500 and the contract's 5,000.
 */
export function pageLimitOf(dataset: AnyDataset): number {
	const widest = Math.max(1, ...dataset.sheets.map((s) => s.columns.length));
	const limit = Math.floor(CELLS_PER_PAGE / widest / 500) * 500;
	return Math.max(500, Math.min(PAGE_LIMIT_MAX, limit));
}
