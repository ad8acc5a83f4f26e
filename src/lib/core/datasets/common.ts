/**
 * What every dataset shares: the four leading columns of every row (SPEC §6), the context a
 * mapping receives, and the sink rows are written to.
 */
import type { Patient } from '../../contract/spico';
import type { Period } from '../calendar';
import type { Column, Row } from '../table';

/** Counters of values a mapping had to adapt; never holds patient data. */
export interface MappingIssues {
	/** Choice codes absent from the catalogue, written as the code itself. */
	unknownChoiceCodes: number;
	/** Form values of the wrong type for their field, written as text. */
	mismatchedValues: number;
}

export interface RowContext {
	/** Extraction period, both days inclusive. */
	readonly period: Period;
	/** Day of the extraction in Paris (`YYYY-MM-DD`): closes open status intervals. */
	readonly today: string;
	/** Optional: incremented by the mappings that adapt values (thematics). */
	readonly issues?: MappingIssues;
}

/** Receives each row with the index of its sheet in the dataset's `sheets`. */
export type RowSink = (sheetIndex: number, row: Row) => void;

export const DOSSIER_COLUMNS: readonly Column[] = [
	{
		header: 'ID dossier',
		kind: 'text',
		description: 'Identifiant du dossier patient/usager dans SPICO Dossiers.'
	},
	{ header: 'Nom', kind: 'text', description: 'Nom du patient/usager.' },
	{ header: 'Prénom', kind: 'text', description: 'Prénom du patient/usager.' },
	{
		header: 'Date de naissance',
		kind: 'date',
		description: 'Date de naissance du patient/usager (vide si inconnue).'
	}
];

/** Items of every list carry these (SPEC §8). */
export interface DossierItem {
	readonly dossierId: string;
	readonly patient: Patient;
}

export function ouiNon(b: boolean): string {
	return b ? 'Oui' : 'Non';
}
