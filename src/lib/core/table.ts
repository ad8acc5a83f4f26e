/**
 * The seam between "dataset → rows" and "rows → workbook": a sheet is described by its columns,
 * and rows are plain arrays of cells in column order. Nothing here knows about XML or the API.
 */

/** How a column's cells are written. Dates are Paris calendar days, date-times Paris wall time. */
export type ColumnKind = 'text' | 'number' | 'integer' | 'date' | 'datetime';

export interface Column {
	/** French header, written in row 1. */
	header: string;
	kind: ColumnKind;
	/** Meaning of the column, for the Informations sheet's dictionary. */
	description: string;
}

/**
 * One cell. `null`/`undefined` → empty cell.
 * - text: string (written as text whatever it starts with)
 * - number/integer: number
 * - date: `YYYY-MM-DD` string (a calendar day)
 * - datetime: `YYYY-MM-DDTHH:mm[:ss]` string in Paris wall time (no offset)
 */
export type Cell = string | number | null | undefined;
export type Row = readonly Cell[];

export interface SheetSpec {
	/** Wanted name; the writer makes it valid and unique (SPEC §5) and reports the final name. */
	name: string;
	/** Full name shown in the Informations sheet when the sheet name had to be shortened. */
	fullName?: string;
	columns: readonly Column[];
}
