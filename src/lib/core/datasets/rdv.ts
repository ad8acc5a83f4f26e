/**
 * `RDV`: appointments whose start day is in the period (SPEC §3, §6).
 *
 * Decisions: "Date" is the Paris day of the start; "Heure de début" and "Heure de fin" are text
 * `HH:mm` (Paris), the way agendas show them, sortable and filterable, without repeating the date;
 * an end on another day than the start is written `dd/mm/yyyy HH:mm`. "Durée (min)" is the elapsed
 * time between the two instants rounded to the minute (right across DST changes), empty without
 * an end, and kept as it is when negative (the data says so).
 */
import type { Appointment } from '../../contract/spico';
import { instantMs, parisWallTimeOfMs } from '../calendar';
import type { Row, SheetSpec } from '../table';
import { DOSSIER_COLUMNS, type RowContext } from './common';

export const APPOINTMENT_STATUS_LABELS: Readonly<Record<Appointment['statut'], string>> = {
	prevu: 'Prévu',
	honore: 'Honoré',
	annule: 'Annulé',
	non_honore: 'Non honoré'
};

export const RDV_SHEET: SheetSpec = {
	name: 'RDV',
	columns: [
		...DOSSIER_COLUMNS,
		{ header: 'ID RDV', kind: 'text', description: 'Identifiant du rendez-vous.' },
		{ header: 'Date', kind: 'date', description: 'Jour du rendez-vous (heure de Paris).' },
		{
			header: 'Heure de début',
			kind: 'text',
			description: 'Heure de début (HH:mm, heure de Paris).'
		},
		{
			header: 'Heure de fin',
			kind: 'text',
			description:
				'Heure de fin (HH:mm, heure de Paris ; précédée de la date si le rendez-vous se termine un autre jour) ; vide si non renseignée.'
		},
		{
			header: 'Durée (min)',
			kind: 'integer',
			description: 'Durée en minutes entre le début et la fin ; vide si la fin est inconnue.'
		},
		{ header: 'Type', kind: 'text', description: 'Type de rendez-vous.' },
		{ header: 'Motif', kind: 'text', description: 'Motif du rendez-vous.' },
		{ header: 'Lieu', kind: 'text', description: 'Lieu du rendez-vous.' },
		{ header: 'Professionnel', kind: 'text', description: 'Professionnel rencontré.' },
		{
			header: 'Statut du RDV',
			kind: 'text',
			description: 'Prévu, Honoré, Annulé ou Non honoré.'
		},
		{ header: 'Commentaire', kind: 'text', description: 'Commentaire libre.' }
	]
};

export function rdvRow(a: Appointment, _ctx: RowContext): Row {
	const startMs = instantMs(a.start);
	const start = parisWallTimeOfMs(startMs);
	const day = start.slice(0, 10);
	let endText: string | null = null;
	let minutes: number | null = null;
	if (a.end !== null) {
		const endMs = instantMs(a.end);
		const end = parisWallTimeOfMs(endMs);
		endText = end.startsWith(day)
			? end.slice(11, 16)
			: `${end.slice(8, 10)}/${end.slice(5, 7)}/${end.slice(0, 4)} ${end.slice(11, 16)}`;
		minutes = Math.round((endMs - startMs) / 60_000);
	}
	return [
		a.dossierId,
		a.patient.nom,
		a.patient.prenom,
		a.patient.dateNaissance,
		a.id,
		day,
		start.slice(11, 16),
		endText,
		minutes,
		a.type,
		a.motif,
		a.lieu,
		a.professionnel,
		APPOINTMENT_STATUS_LABELS[a.statut],
		a.commentaire
	];
}
