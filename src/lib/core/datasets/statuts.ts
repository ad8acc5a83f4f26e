/**
 * `statuts`: the status history of each dossier over the period and the days in each status
 * (SPEC §4). Both sheets come from one computation per dossier (status-days.ts, which documents
 * the rules: end day = day of the next change, "depuis le" = start of the unbroken run).
 */
import { STATUS_CODES, STATUS_LABELS, type Dossier } from '../../contract/spico';
import { computeStatusDays } from '../status-days';
import type { Column, SheetSpec } from '../table';
import { DOSSIER_COLUMNS, ouiNon, type RowContext, type RowSink } from './common';

export const HISTORIQUE_SHEET: SheetSpec = {
	name: 'Historique des statuts',
	columns: [
		...DOSSIER_COLUMNS,
		{ header: 'Statut', kind: 'text', description: 'Statut du dossier sur cet intervalle.' },
		{
			header: 'Date de début',
			kind: 'date',
			description:
				'Premier jour dans ce statut (jour du changement, heure de Paris ; peut précéder la période).'
		},
		{
			header: 'Date de fin',
			kind: 'date',
			description:
				'Jour du changement de statut suivant (ce jour compte pour le statut suivant) ; vide si le statut est encore en cours à la fin de la période.'
		},
		{
			header: 'Jours sur la période',
			kind: 'integer',
			description:
				"Jours de l'intervalle compris dans la période (arrêtée au jour de l'extraction si elle se termine plus tard) ; 0 pour un statut remplacé le jour même."
		},
		{
			header: 'En cours',
			kind: 'text',
			description: 'Oui si ce statut est celui du dossier à la fin de la période, sinon Non.'
		}
	]
};

const STATUS_DAY_COLUMNS: readonly Column[] = STATUS_CODES.map((code) => ({
	header: `${STATUS_LABELS[code]} (jours)`,
	kind: 'integer',
	description: `Nombre de jours passés dans le statut « ${STATUS_LABELS[code]} » sur la période.`
}));

export const SYNTHESE_SHEET: SheetSpec = {
	name: 'Synthèse',
	columns: [
		...DOSSIER_COLUMNS,
		{
			header: 'Statut en fin de période',
			kind: 'text',
			description:
				"Statut du dossier le dernier jour de la période (ou le jour de l'extraction si la période se termine plus tard)."
		},
		{
			header: 'Depuis le',
			kind: 'date',
			description:
				'Premier jour de la suite ininterrompue de jours passés dans ce statut (peut précéder la période).'
		},
		{
			header: "Jours dans ce statut jusqu'à la fin de période",
			kind: 'integer',
			description:
				"Jours passés dans ce statut depuis cette date, jusqu'à la fin de la période incluse."
		},
		...STATUS_DAY_COLUMNS
	]
};

/** Sheet indices in `STATUTS_SHEETS`. */
export const HISTORIQUE = 0;
export const SYNTHESE = 1;
export const STATUTS_SHEETS: readonly SheetSpec[] = [HISTORIQUE_SHEET, SYNTHESE_SHEET];

/** Writes the dossier's history rows (sheet 0) and its summary row (sheet 1). */
export function statutsRows(d: Dossier, ctx: RowContext, sink: RowSink): void {
	const r = computeStatusDays({
		createdAt: d.createdAt,
		statusEvents: d.statusEvents,
		period: ctx.period,
		today: ctx.today
	});
	const p = d.patient;
	for (const i of r.intervals) {
		sink(HISTORIQUE, [
			d.dossierId,
			p.nom,
			p.prenom,
			p.dateNaissance,
			STATUS_LABELS[i.status],
			i.startDay,
			i.endDay,
			i.daysInPeriod,
			ouiNon(i.current)
		]);
	}
	const days = r.days;
	sink(SYNTHESE, [
		d.dossierId,
		p.nom,
		p.prenom,
		p.dateNaissance,
		r.statusAtEnd === null ? null : STATUS_LABELS[r.statusAtEnd],
		r.since,
		r.daysInStatus,
		// STATUS_CODES order, as STATUS_DAY_COLUMNS.
		days.analyse_demande,
		days.en_attente,
		days.non_suivi,
		days.suivi_inclusion,
		days.reorientation,
		days.sortie,
		days.non_renseigne
	]);
}
