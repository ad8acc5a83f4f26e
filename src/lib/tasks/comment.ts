/**
 * The task's commentaire, worded as in the guide:
 * « Document d'extraction brute des données pour la structure PLATEFORME TND TEST réalisée le
 * 11072023 Période du 30062023 au 10072023 ».
 */
import { compactDay } from '../core/naming';

export interface CommentInput {
	structureName: string;
	/** Day the extraction was made (Paris), `YYYY-MM-DD`. */
	madeOn: string;
	from: string;
	to: string;
	/** SPEC §13: the task says the data is pseudonymised. */
	pseudonymised?: boolean;
}

export function taskComment({
	structureName,
	madeOn,
	from,
	to,
	pseudonymised = false
}: CommentInput): string {
	const name = structureName.replace(/\s+/g, ' ').trim();
	const data = pseudonymised ? 'des données pseudonymisées' : 'des données';
	return (
		`Document d'extraction brute ${data} pour la structure ${name} ` +
		`réalisée le ${compactDay(madeOn)} Période du ${compactDay(from)} au ${compactDay(to)}`
	);
}
