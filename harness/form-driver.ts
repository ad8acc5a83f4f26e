/**
 * Driving the extraction form as a user does, for the browser tests and the bench: one place
 * that knows the form's labels. `scope` is a page or an element holding the module.
 */
import type { Locator, Page } from 'playwright-core';
import { STATUS_CODES, type Thematic } from '../src/lib/contract/spico';
import { FILE_KINDS } from '../src/lib/core/file-kinds';
import type { ExtractionRequest } from '../src/lib/core/request';

export type Scope = Page | Locator;

/** Step 3's Oui/Non groups, by their legends. */
export const FILE_LEGENDS = [
	'Données administratives patient',
	'RDV',
	'Hospitalisation',
	'Cercle de soins',
	'Thématiques'
] as const;

export const launchButton = (scope: Scope) =>
	scope.getByRole('button', { name: 'Lancer les extractions' });

export const yesNo = (scope: Scope, legend: string, answer: 'Oui' | 'Non') =>
	scope.getByRole('radiogroup', { name: legend, exact: true }).getByRole('radio', { name: answer });

export interface Period {
	from: string;
	to: string;
	/** « Dossiers archivés : Oui ». */
	archived?: boolean;
}

/** Every file, every thematic and form, Statuts: the whole form answered Oui. */
export async function fillEverything(scope: Scope, { from, to, archived }: Period): Promise<void> {
	await launchButton(scope).waitFor({ timeout: 30_000 });
	await scope.getByLabel('Date de début').fill(from);
	await scope.getByLabel('Date de fin').fill(to);
	if (archived) await yesNo(scope, 'Archivés', 'Oui').check();
	for (const legend of [...FILE_LEGENDS, 'Statuts']) await yesNo(scope, legend, 'Oui').check();
	await scope
		.getByRole('group', { name: 'Formulaires des thématiques' })
		.getByRole('checkbox', { name: /^Tout sélectionner/ })
		.first()
		.check();
}

/** The request `fillEverything` makes, for the same catalogue: to run the core without the UI. */
export function everythingRequest(
	catalogue: readonly Thematic[],
	period: Period
): ExtractionRequest {
	return {
		period: { from: period.from, to: period.to },
		archived: period.archived ?? false,
		statuses: [...STATUS_CODES],
		kinds: [...FILE_KINDS],
		forms: catalogue.flatMap((t) => t.forms.map((f) => ({ thematicId: t.id, formId: f.id })))
	};
}
