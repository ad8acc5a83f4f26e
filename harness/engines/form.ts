/**
 * The extraction form driven through a `DriverPage` (Firefox, WebKit): the same answers as
 * `fillEverything` in ../form-driver.ts gives in Playwright, found by the same labels.
 */
import { FILE_LEGENDS, type Period } from '../form-driver';
import { findExpression, type DriverPage, type ElementQuery, type EngineName } from './driver';

export const LAUNCH = { button: 'Lancer les extractions' } as const;

/** Clicks a radio or checkbox unless it is already checked (as Playwright's `check`). */
export async function check(page: DriverPage, query: ElementQuery): Promise<void> {
	const checked = await page.evaluate<boolean | null>(
		`(() => { const el = ${findExpression(query)}; return el ? el.checked : null; })()`
	);
	if (checked !== true) await page.click(query);
	await page.waitFor(`${findExpression(query)}?.checked === true`, 5000, JSON.stringify(query));
}

/** Every file, every thematic and form, Statuts: the whole form answered Oui. */
export async function fillEverythingIn(page: DriverPage, period: Period): Promise<void> {
	await page.waitFor(`!!${findExpression(LAUNCH)}`, 30_000, 'le formulaire');
	await page.fillDate('Date de début', period.from);
	await page.fillDate('Date de fin', period.to);
	if (period.archived) await check(page, { legend: 'Archivés', answer: 'Oui' });
	for (const legend of [...FILE_LEGENDS, 'Statuts']) {
		await check(page, { legend, answer: 'Oui' });
	}
	await check(page, { legend: 'Formulaires des thématiques', checkbox: 'Tout sélectionner' });
}

/** Launches the engine's browser: Firefox ESR or WebKitGTK. */
export async function launchEngine(engine: Exclude<EngineName, 'chromium'>) {
	if (engine === 'firefox') return (await import('./firefox')).launchFirefox();
	return (await import('./webkit')).launchWebKit();
}
