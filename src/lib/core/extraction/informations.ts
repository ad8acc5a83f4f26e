/**
 * The Informations sheet of every workbook, in French: the extraction's key/value block, the rows
 * of each sheet, the full names of shortened sheets, the warnings and the column dictionary. The
 * writer (`core/xlsx`) only lays these rows out.
 */
import { STATUS_CODES, STATUS_LABELS } from '../../contract/spico';
import { formatFr } from '../calendar';
import {
	formatCount,
	MAX_CELL_LENGTH,
	type InformationEntry,
	type InformationRow,
	type WorkbookSummary
} from '../xlsx/index';
import type { ExtractionContext, WorkbookJob } from './plan';

function wallTimeFr(wallTime: string): string {
	return `${formatFr(wallTime.slice(0, 10))} ${wallTime.slice(11, 16)}`;
}

export function informationsOf(job: WorkbookJob, ctx: ExtractionContext) {
	const { request } = ctx;
	const statuses =
		request.statuses.length === STATUS_CODES.length
			? 'Tous'
			: request.statuses.map((s) => STATUS_LABELS[s]).join(' ; ');
	const entries = [
		{ label: 'Structure', value: ctx.structure.name },
		{ label: 'Fichier', value: job.label },
		{
			label: 'Période',
			value: `du ${formatFr(request.period.from)} au ${formatFr(request.period.to)}`
		},
		{ label: 'Dossiers archivés', value: request.archived ? 'Oui' : 'Non' },
		{ label: 'Statuts des dossiers', value: statuses },
		{ label: "Date et heure d'extraction", value: wallTimeFr(ctx.launch.wallTime) },
		{
			label: 'Origine',
			value: 'Extraction brute générée dans le navigateur à partir de l’API SPICO Dossiers'
		}
	];
	if (job.kind === 'thematiques') {
		const labels = job.thematic.forms.filter((f) => job.formIds.includes(f.id)).map((f) => f.label);
		entries.splice(2, 0, { label: 'Formulaires', value: labels.join(' ; ') });
	}
	return entries;
}

/**
 * The whole sheet: the key/value block (labels in bold), then one section per subject. `notices`
 * are the extraction's own warnings (pseudonymisation's kept free text), first under
 * « Avertissements ».
 */
export function informationRows(
	entries: readonly InformationEntry[],
	summary: WorkbookSummary,
	notices: readonly string[] = []
): InformationRow[] {
	const rows: InformationRow[] = [];
	const section = (title: string, header: string[]): void => {
		if (rows.length > 0) rows.push({ cells: [] });
		rows.push({ cells: [title], style: 'bold' });
		if (header.length > 0) rows.push({ cells: header, style: 'bold' });
	};
	for (const { label, value } of entries) rows.push({ cells: [label, value], style: 'label' });

	section('Nombre de lignes par feuille', ['Feuille', 'Lignes de données']);
	for (const s of summary.sheets) rows.push({ cells: [s.name, s.rows] });

	const renamed = summary.sheets.filter((s) => s.name !== s.fullName);
	if (renamed.length > 0) {
		section('Noms complets des feuilles', ['Feuille', 'Nom complet']);
		for (const s of renamed) rows.push({ cells: [s.name, s.fullName] });
	}

	const { warnings, cutCells, cutDetails, lateWarnings } = summary;
	if (notices.length > 0 || warnings.length > 0 || cutCells > 0 || lateWarnings.length > 0) {
		section('Avertissements', []);
		for (const w of lateWarnings) rows.push({ cells: [w] });
		for (const notice of notices) rows.push({ cells: [notice] });
		if (cutCells > 0) {
			const title = `Cellules tronquées (plus de ${formatCount(MAX_CELL_LENGTH)} caractères)`;
			rows.push({ cells: [title, cutCells] });
		}
		for (const w of warnings) rows.push({ cells: [w.message] });
		if (cutCells > cutDetails) {
			rows.push({
				cells: [`… et ${formatCount(cutCells - cutDetails)} autres cellules tronquées.`]
			});
		}
	}

	section('Dictionnaire des colonnes', ['Feuille', 'Colonne', 'Signification']);
	for (const { sheet, columns } of summary.columns) {
		for (const c of columns) rows.push({ cells: [sheet, c.header, c.description] });
	}
	return rows;
}
