/**
 * A pseudonymised workbook (SPEC §13): its sheets through the column policy, the pseudonyms of
 * each page's dossiers computed before the page is mapped, and what its Informations sheet says.
 */
import type { FieldType } from '../../contract/spico';
import type { AnyDataset } from '../datasets/index';
import type { WorkbookJob } from '../extraction/plan';
import type { SheetSpec } from '../table';
import type { InformationEntry } from '../xlsx/index';
import { PBKDF2_ITERATIONS } from './key';
import { PseudonymTable } from './pseudonym';
import { pseudonymiseSheet, summarise, type SheetPseudonymisation } from './policy';

export { derivePseudonymKey, MIN_PASSPHRASE_LENGTH, PBKDF2_ITERATIONS } from './key';
export { pseudonymOf, PseudonymTable } from './pseudonym';
export { validatePassphrase, type PassphraseError } from './passphrase';

export interface WorkbookPseudonymiser {
	sheets: SheetPseudonymisation[];
	/** Before a page is mapped: the pseudonyms of its dossiers. */
	prepare(items: readonly { readonly dossierId: unknown }[]): Promise<void>;
	informations: InformationEntry[];
	/** For the Informations sheet's warnings: free text kept. */
	notices: string[];
}

export const METHOD_TEXT =
	'« ID dossier » remplacé par « P- » suivi des 16 premiers chiffres hexadécimaux de ' +
	'HMAC-SHA-256(clé, identifiant de la structure + « : » + identifiant du dossier) ; la clé est ' +
	`dérivée de la phrase secrète par PBKDF2-SHA-256 (${new Intl.NumberFormat('fr-FR').format(PBKDF2_ITERATIONS)} itérations, ` +
	'sel = identifiant de la structure). La même phrase secrète donne les mêmes pseudonymes dans ' +
	'chaque fichier et chaque extraction de la structure ; elle n’est conservée nulle part.';

/** The field types of each sheet of a thematic job, in sheet order; null for the other kinds. */
function fieldTypesOf(job: WorkbookJob, dataset: AnyDataset): (readonly FieldType[])[] | null {
	if (job.kind !== 'thematiques') return null;
	return dataset.formIds.map((id) => {
		const form = job.thematic.forms.find((f) => f.id === id);
		if (!form) throw new Error(`Formulaire ${id} absent de la thématique.`);
		return form.fields.map((f) => f.type);
	});
}

export function workbookPseudonymiser(
	job: WorkbookJob,
	dataset: AnyDataset,
	options: {
		key: CryptoKey;
		structureId: string;
		keepFreeText: boolean;
		periodStart: string;
	}
): WorkbookPseudonymiser {
	const table = new PseudonymTable(options.key, options.structureId);
	const fieldTypes = fieldTypesOf(job, dataset);
	const sheetOptions = {
		keepFreeText: options.keepFreeText,
		periodStart: options.periodStart,
		pseudonym: (id: unknown) => table.get(id)
	};
	const sheets = dataset.sheets.map((spec: SheetSpec, i) =>
		pseudonymiseSheet(job.kind, spec, fieldTypes?.[i] ?? null, sheetOptions)
	);
	const summary = summarise(sheets, dataset.sheets, options.keepFreeText);
	const list = (items: string[]) => (items.length ? items.join(' ; ') : 'Aucune');
	const freeText =
		summary.freeText.length === 0
			? 'Aucun dans ce fichier'
			: options.keepFreeText
				? `Conservés : ${summary.freeText.join(' ; ')}`
				: `Supprimés : ${summary.freeText.join(' ; ')}`;
	const informations: InformationEntry[] = [
		{ label: 'Données pseudonymisées', value: 'Oui' },
		{ label: 'Méthode de pseudonymisation', value: METHOD_TEXT },
		{ label: 'Colonnes supprimées', value: list(summary.removed) },
		{ label: 'Colonnes transformées', value: list(summary.transformed) },
		{ label: 'Textes libres', value: freeText }
	];
	const notices =
		options.keepFreeText && summary.freeText.length > 0
			? [
					`Textes libres conservés (${summary.freeText.join(' ; ')}) : ils peuvent contenir des noms, ` +
						'des adresses ou d’autres éléments identifiants. Relisez-les avant toute diffusion.'
				]
			: [];
	return {
		sheets,
		prepare: (items) => table.prepare(items),
		informations,
		notices
	};
}
