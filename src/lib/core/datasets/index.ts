/**
 * The datasets: the workbook of one thematic, and how many items to ask for per page. The fixed
 * kinds' datasets live in the registry of file kinds (`core/file-kinds.ts`).
 */
import { PAGE_LIMIT_MAX, type Thematic } from '../../contract/spico';
import type { AnyDataset, Dataset } from './dataset';
import { compileForm, responseRow, thematicBaseName, type CompiledForm } from './thematique';

export type { MappingIssues, RowContext, RowSink } from './common';
export { DOSSIER_COLUMNS } from './common';
export type { AnyDataset, Dataset } from './dataset';
export { thematicBaseName, thematicSlug } from './thematique';

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
