/**
 * `hospitalisations`: stays overlapping the period (SPEC §3, §6).
 *
 * Decision: "Durée (jours)" = sortie − entrée in calendar days (the number of nights, as the PMSI
 * counts a stay: 0 for a same-day stay), empty while the patient has not left.
 */
import type { Hospitalisation } from '../../contract/spico';
import { daysBetween } from '../calendar';
import type { Row, SheetSpec } from '../table';
import { DOSSIER_COLUMNS, type RowContext } from './common';

export const HOSPITALISATION_MODE_LABELS: Readonly<
	Record<NonNullable<Hospitalisation['mode']>, string>
> = {
	complete: 'Complète',
	ambulatoire: 'Ambulatoire',
	hdj: 'HDJ'
};

export const HOSPITALISATIONS_SHEET: SheetSpec = {
	name: 'Hospitalisations',
	columns: [
		...DOSSIER_COLUMNS,
		{ header: 'ID séjour', kind: 'text', description: 'Identifiant du séjour.' },
		{ header: 'Établissement', kind: 'text', description: "Établissement d'hospitalisation." },
		{ header: 'Service', kind: 'text', description: "Service d'hospitalisation." },
		{
			header: 'Mode',
			kind: 'text',
			description: "Mode d'hospitalisation : Complète, Ambulatoire ou HDJ (hôpital de jour)."
		},
		{ header: "Date d'entrée", kind: 'date', description: "Jour d'entrée." },
		{ header: 'Date de sortie', kind: 'date', description: 'Jour de sortie ; vide si en cours.' },
		{
			header: 'Durée (jours)',
			kind: 'integer',
			description:
				"Date de sortie moins date d'entrée, en jours (0 pour un séjour dans la journée) ; vide sans date de sortie."
		},
		{ header: 'Motif', kind: 'text', description: "Motif de l'hospitalisation." },
		{ header: 'Commentaire', kind: 'text', description: 'Commentaire libre.' }
	]
};

export function hospitalisationRow(h: Hospitalisation, _ctx: RowContext): Row {
	return [
		h.dossierId,
		h.patient.nom,
		h.patient.prenom,
		h.patient.dateNaissance,
		h.id,
		h.etablissement,
		h.service,
		h.mode === null ? null : HOSPITALISATION_MODE_LABELS[h.mode],
		h.entree,
		h.sortie,
		h.sortie === null ? null : daysBetween(h.entree, h.sortie),
		h.motif,
		h.commentaire
	];
}
