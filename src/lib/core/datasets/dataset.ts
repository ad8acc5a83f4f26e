/**
 * What a dataset is: the API list a workbook reads, its sheets, and the mapping of one list item
 * to rows. The orchestrator needs nothing else to turn fetched pages into sheets.
 */
import type { ListItem, ListName } from '../../contract/spico';
import type { Row, SheetSpec } from '../table';
import type { RowContext, RowSink } from './common';

export interface Dataset<L extends ListName = ListName> {
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

/** A dataset of one sheet, one row per item. */
export function singleSheet<L extends ListName>(
	baseName: string,
	list: L,
	sheet: SheetSpec,
	toRow: (item: ListItem<L>, ctx: RowContext) => Row
): Dataset<L> {
	return {
		baseName,
		list,
		formIds: [],
		sheets: [sheet],
		writeRows: (item, ctx, sink) => sink(0, toRow(item, ctx))
	};
}
