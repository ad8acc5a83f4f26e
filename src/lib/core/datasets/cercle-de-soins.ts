/** `cercle_de_soins`: care-circle memberships overlapping the period (SPEC §3, §6). */
import type { CareCircleMember } from '../../contract/spico';
import type { Row, SheetSpec } from '../table';
import { DOSSIER_COLUMNS, type RowContext } from './common';

export const CARE_CIRCLE_TYPE_LABELS: Readonly<Record<CareCircleMember['type'], string>> = {
	professionnel: 'Professionnel',
	structure: 'Structure',
	proche_aidant: 'Proche aidant'
};

export const CERCLE_DE_SOINS_SHEET: SheetSpec = {
	name: 'Cercle de soins',
	columns: [
		...DOSSIER_COLUMNS,
		{
			header: 'Intervenant',
			kind: 'text',
			description: 'Nom du professionnel, de la structure ou du proche aidant.'
		},
		{
			header: 'Type',
			kind: 'text',
			description: "Type d'intervenant : Professionnel, Structure ou Proche aidant."
		},
		{ header: 'Profession / spécialité', kind: 'text', description: 'Profession ou spécialité.' },
		{ header: 'Rôle', kind: 'text', description: 'Rôle dans le cercle de soins.' },
		{
			header: 'Identifiant RPPS / FINESS',
			kind: 'text',
			description: 'Numéro RPPS (professionnel) ou FINESS (structure).'
		},
		{ header: 'Téléphone', kind: 'text', description: "Téléphone de l'intervenant." },
		{ header: 'Courriel', kind: 'text', description: "Adresse électronique de l'intervenant." },
		{
			header: "Date d'entrée",
			kind: 'date',
			description: "Jour d'entrée dans le cercle de soins ; vide si inconnu."
		},
		{
			header: 'Date de sortie',
			kind: 'date',
			description: 'Jour de sortie du cercle de soins ; vide si toujours présent.'
		}
	]
};

export function cercleDeSoinsRow(m: CareCircleMember, _ctx: RowContext): Row {
	return [
		m.dossierId,
		m.patient.nom,
		m.patient.prenom,
		m.patient.dateNaissance,
		m.intervenant,
		CARE_CIRCLE_TYPE_LABELS[m.type],
		m.specialite,
		m.role,
		m.identifiant,
		m.telephone,
		m.courriel,
		m.debut,
		m.fin
	];
}
