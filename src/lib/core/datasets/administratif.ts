/**
 * `donnees_administratives`: one row per in-scope dossier (SPEC §3, §6).
 *
 * Decisions: the date of birth appears once, as the fourth common column (the patient's, as for
 * every file); "Date de création du dossier" and "Date d'archivage" are date-times (Paris wall
 * time) because the API gives instants; code postal and téléphone are text (leading zeros).
 */
import { STATUS_LABELS, type Dossier } from '../../contract/spico';
import { parisWallTime } from '../calendar';
import { computeStatusDays } from '../status-days';
import type { Row, SheetSpec } from '../table';
import { DOSSIER_COLUMNS, ouiNon, type RowContext } from './common';

export const SEXE_LABELS: Readonly<Record<NonNullable<Dossier['sexe']>, string>> = {
	F: 'Féminin',
	M: 'Masculin',
	I: 'Indéterminé'
};

export const ADMINISTRATIF_SHEET: SheetSpec = {
	name: 'Données administratives',
	columns: [
		...DOSSIER_COLUMNS,
		{ header: 'INS', kind: 'text', description: 'Identifiant national de santé (matricule INS).' },
		{ header: 'Nom de naissance', kind: 'text', description: 'Nom de naissance.' },
		{ header: "Nom d'usage", kind: 'text', description: "Nom d'usage." },
		{ header: 'Prénom(s)', kind: 'text', description: 'Prénom(s) de naissance.' },
		{ header: 'Sexe', kind: 'text', description: 'Sexe : Féminin, Masculin ou Indéterminé.' },
		{ header: 'Adresse', kind: 'text', description: 'Adresse postale.' },
		{ header: 'Code postal', kind: 'text', description: 'Code postal.' },
		{ header: 'Commune', kind: 'text', description: 'Commune de résidence.' },
		{ header: 'Téléphone', kind: 'text', description: 'Numéro de téléphone.' },
		{ header: 'Courriel', kind: 'text', description: 'Adresse électronique.' },
		{ header: 'Médecin traitant', kind: 'text', description: 'Médecin traitant déclaré.' },
		{
			header: 'Date de création du dossier',
			kind: 'datetime',
			description: 'Date et heure (Paris) de création du dossier dans SPICO Dossiers.'
		},
		{
			header: 'Statut en fin de période',
			kind: 'text',
			description:
				"Statut du dossier le dernier jour de la période (ou le jour de l'extraction si la période se termine plus tard)."
		},
		{ header: 'Archivé', kind: 'text', description: 'Oui si le dossier est archivé, sinon Non.' },
		{
			header: "Date d'archivage",
			kind: 'datetime',
			description: "Date et heure (Paris) d'archivage du dossier ; vide s'il n'est pas archivé."
		}
	]
};

export function administratifRow(d: Dossier, ctx: RowContext): Row {
	const status = computeStatusDays({
		createdAt: d.createdAt,
		statusEvents: d.statusEvents,
		period: ctx.period,
		today: ctx.today
	}).statusAtEnd;
	return [
		d.dossierId,
		d.patient.nom,
		d.patient.prenom,
		d.patient.dateNaissance,
		d.ins,
		d.nomNaissance,
		d.nomUsage,
		d.prenoms,
		d.sexe === null ? null : SEXE_LABELS[d.sexe],
		d.adresse,
		d.codePostal,
		d.commune,
		d.telephone,
		d.courriel,
		d.medecinTraitant,
		parisWallTime(d.createdAt),
		status === null ? null : STATUS_LABELS[status],
		ouiNon(d.archivedAt !== null),
		d.archivedAt === null ? null : parisWallTime(d.archivedAt)
	];
}
