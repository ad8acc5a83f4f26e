/**
 * The extraction form in the built app against the sandbox API (SPEC §2): account check,
 * thematics tree, every blocking validation message, keyboard use and axe checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { addDays, formatFr, todayInParis } from '../../src/lib/core/calendar';
import { GUIDE_THEMATICS, PLATEFORME_TND_FORMS } from '../helpers/guide';
import { axeViolations, e2e, launchBrowser, openApp, type OpenedApp } from './harness';

let browser: Browser;
const opened: OpenedApp[] = [];

beforeAll(async () => {
	browser = await launchBrowser();
});

afterAll(async () => {
	for (const app of opened) await app.close();
	await browser?.close();
});

async function open(options: Parameters<typeof openApp>[1] = {}): Promise<OpenedApp> {
	const app = await openApp(browser, options);
	opened.push(app);
	return app;
}

/** Opens the app as alice and waits for the form. */
async function openForm(): Promise<OpenedApp> {
	const app = await open();
	await app.page.getByRole('heading', { level: 1, name: 'Extractions brutes' }).waitFor();
	await launchButton(app.page).waitFor();
	return app;
}

const launchButton = (page: Page) => page.getByRole('button', { name: 'Lancer les extractions' });
const dateDebut = (page: Page) => page.getByLabel('Date de début');
const dateFin = (page: Page) => page.getByLabel('Date de fin');
const statusesStep = (page: Page) =>
	page.getByRole('group', { name: /^2\) Choisir le\(s\) statut/ });
const filesStep = (page: Page) => page.getByRole('group', { name: /^3\) Choisir les fichiers/ });
const yesNo = (page: Page, legend: string, answer: 'Oui' | 'Non') =>
	page.getByRole('radiogroup', { name: legend, exact: true }).getByRole('radio', { name: answer });
const tree = (page: Page) => page.getByRole('group', { name: 'Formulaires des thématiques' });

async function isFocused(control: Locator): Promise<boolean> {
	return control.evaluate((el) => el === document.activeElement);
}

async function isIndeterminate(control: Locator): Promise<boolean> {
	return control.evaluate((el) => (el as HTMLInputElement).indeterminate);
}

/**
 * The error message that describes `control` (through aria-describedby) and sits inside
 * `container`: the message is both announced with the field and shown next to it.
 */
async function errorNextTo(control: Locator, container: Locator): Promise<string | null> {
	const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(/\s+/);
	for (const id of ids.filter((i) => i.endsWith('-error'))) {
		const message = container.locator(`[id="${id}"]`);
		if ((await message.count()) === 1) {
			return ((await message.textContent()) ?? '').replace(/\s+/g, ' ').trim();
		}
	}
	return null;
}

/** The parent element of a date input: its label, message and input. */
const fieldOf = (control: Locator) => control.locator('xpath=..');

async function submitAndExpectFocus(page: Page, control: Locator): Promise<void> {
	await launchButton(page).click();
	await expect.poll(() => isFocused(control)).toBe(true);
}

describe('account check', () => {
	it('shows the switch message for a personal account, under the header, with no form', async () => {
		const { page, consoleErrors } = await open({ token: 'sandbox-claire' });
		const message = 'Basculez sur le compte de la structure pour lancer une extraction';
		await page.getByText(message).waitFor();
		expect(await page.locator('header').innerText()).toMatch(/Compte personnel — Claire Dubois/);
		await page.getByRole('link', { name: 'Tâches' }).waitFor();
		expect(await page.locator('form, input').count()).toBe(0);
		// A demo token has no sign-in to switch or end: no account actions.
		expect(await page.getByRole('button').count()).toBe(0);
		expect(await axeViolations(page)).toEqual([]);
		expect(consoleErrors).toEqual([]);
	});

	it('shows the French 401 message with a retry that re-reads the configuration', async () => {
		const { page } = await open({ token: 'jeton-inconnu' });
		const alert = page.getByRole('alert');
		await alert.waitFor();
		expect(await alert.innerText()).toContain('Session expirée — reconnectez-vous puis relancez.');
		expect(await axeViolations(page)).toEqual([]);
		await page.unroute('**/config.json');
		await page.route('**/config.json', (route) =>
			route.fulfill({ json: { apiBaseUrl: e2e().apiUrl, token: 'sandbox-alice' } })
		);
		await alert.getByRole('button', { name: 'Réessayer' }).click();
		await launchButton(page).waitFor();
	});

	it('shows the structure and loads nothing but the app and the API', async () => {
		const { page, consoleErrors, requests } = await openForm();
		expect(await page.locator('header').innerText()).toContain('PLATEFORME TND TEST');
		const allowed = [new URL(e2e().appUrl).origin, new URL(e2e().apiUrl).origin];
		expect(requests.filter((url) => !allowed.includes(new URL(url).origin))).toEqual([]);
		expect(consoleErrors).toEqual([]);
	});
});

describe('defaults and selections', () => {
	it('starts with Archivés Non, every status, every file Non', async () => {
		const { page } = await openForm();
		expect(await yesNo(page, 'Archivés', 'Non').isChecked()).toBe(true);
		const statuses = statusesStep(page).getByRole('checkbox');
		expect(await statuses.count()).toBe(8);
		for (const box of await statuses.all()) expect(await box.isChecked()).toBe(true);
		for (const legend of ['Données administratives patient', 'RDV', 'Hospitalisation']) {
			expect(await yesNo(page, legend, 'Non').isChecked()).toBe(true);
		}
		expect(await yesNo(page, 'Cercle de soins', 'Non').isChecked()).toBe(true);
		expect(await yesNo(page, 'Thématiques', 'Non').isChecked()).toBe(true);
		expect(await yesNo(page, 'Statuts', 'Non').isChecked()).toBe(true);
		expect(await tree(page).count()).toBe(0);
	});

	it('"Tout sélectionner" of the statuses is tri-state', async () => {
		const { page } = await openForm();
		const all = statusesStep(page).getByRole('checkbox', { name: 'Tout sélectionner' });
		await statusesStep(page).getByRole('checkbox', { name: 'Sortie' }).uncheck();
		expect(await all.isChecked()).toBe(false);
		expect(await isIndeterminate(all)).toBe(true);
		await all.click();
		expect(await all.isChecked()).toBe(true);
		expect(await isIndeterminate(all)).toBe(false);
		await all.click();
		for (const box of await statusesStep(page).getByRole('checkbox').all()) {
			expect(await box.isChecked()).toBe(false);
		}
	});

	it('shows the thematics tree with the guide thematics and the 10 Plateforme TND forms', async () => {
		const { page } = await openForm();
		await yesNo(page, 'Thématiques', 'Oui').check();
		const t = tree(page);
		await t.waitFor();
		for (const label of GUIDE_THEMATICS) {
			expect(await t.getByRole('checkbox', { name: new RegExp(`^${label} \\(`) }).count()).toBe(1);
		}
		const disclosure = t.getByRole('button', { name: 'Formulaires de Plateforme TND' });
		expect(await disclosure.getAttribute('aria-expanded')).toBe('false');
		await disclosure.click();
		expect(await disclosure.getAttribute('aria-expanded')).toBe('true');
		const list = page.locator(`[id="${await disclosure.getAttribute('aria-controls')}"]`);
		const forms = list.getByRole('checkbox');
		expect((await list.locator('label').allInnerTexts()).map((l) => l.trim())).toEqual(
			PLATEFORME_TND_FORMS
		);
		await list.getByRole('checkbox', { name: PLATEFORME_TND_FORMS[3] }).waitFor();

		// One form: its thematic and the top box become indeterminate.
		const top = t.getByRole('checkbox', { name: /^Tout sélectionner/ });
		const theme = t.getByRole('checkbox', { name: /^Plateforme TND \(/ });
		await forms.nth(3).check();
		expect(await isIndeterminate(theme)).toBe(true);
		expect(await isIndeterminate(top)).toBe(true);
		expect(await t.getByText('(1 / 10)').count()).toBe(1);

		// The thematic box selects all its forms (indeterminate → all).
		await theme.click();
		expect(await theme.isChecked()).toBe(true);
		expect(await isIndeterminate(theme)).toBe(false);
		for (const box of await forms.all()) expect(await box.isChecked()).toBe(true);
		expect(await isIndeterminate(top)).toBe(true);

		// The top box selects everything, then nothing.
		await top.click();
		expect(await top.isChecked()).toBe(true);
		expect(await isIndeterminate(top)).toBe(false);
		const tsla = t.getByRole('checkbox', { name: /^TSLA \(/ });
		expect(await tsla.isChecked()).toBe(true);
		await top.click();
		for (const box of await t.getByRole('checkbox').all()) {
			expect(await box.isChecked()).toBe(false);
		}
		expect(await isIndeterminate(theme)).toBe(false);
	});
});

describe('validation (SPEC §2)', () => {
	it('missing dates and no file: messages beside the fields, focus on the first', async () => {
		const { page } = await openForm();
		await submitAndExpectFocus(page, dateDebut(page));
		expect(await errorNextTo(dateDebut(page), fieldOf(dateDebut(page)))).toBe(
			"Erreur : Veuillez indiquer la date de début de l'extraction brute."
		);
		expect(await errorNextTo(dateFin(page), fieldOf(dateFin(page)))).toBe(
			"Erreur : Veuillez indiquer la date de fin de l'extraction brute."
		);
		expect(await dateDebut(page).getAttribute('aria-invalid')).toBe('true');
		const adminNon = yesNo(page, 'Données administratives patient', 'Non');
		expect(await errorNextTo(filesStep(page), filesStep(page))).toBe(
			'Erreur : Choisissez Oui pour au moins un fichier (étape 3) ou pour Statuts (étape 4).'
		);
		expect(await page.getByRole('status').innerText()).toBe(
			'Le formulaire contient 3 erreurs : corrigez les champs signalés.'
		);
		expect(await page.locator('[data-launched]').count()).toBe(0);

		// Statuts = Oui is a file: that message goes at once, the others stay.
		await yesNo(page, 'Statuts', 'Oui').check();
		await expect.poll(() => errorNextTo(filesStep(page), filesStep(page))).toBeNull();
		expect(await errorNextTo(dateDebut(page), fieldOf(dateDebut(page)))).not.toBeNull();

		// With no file the focus goes to the files (the checked radio of the first group).
		await dateDebut(page).fill('2024-01-01');
		await dateFin(page).fill('2024-01-31');
		await yesNo(page, 'Statuts', 'Non').check();
		await submitAndExpectFocus(page, adminNon);
		expect(await page.getByRole('status').innerText()).toBe(
			'Le formulaire contient 1 erreur : corrigez le champ signalé.'
		);
	});

	it('a half-typed date is called incomplete, not missing', async () => {
		const { page } = await openForm();
		await yesNo(page, 'RDV', 'Oui').check();
		await dateDebut(page).click();
		await page.keyboard.type('12');
		await dateFin(page).fill('2024-01-31');
		await submitAndExpectFocus(page, dateDebut(page));
		expect(await errorNextTo(dateDebut(page), fieldOf(dateDebut(page)))).toBe(
			"Erreur : La date de début est incomplète ou n'existe pas : indiquez le jour, le mois et l'année."
		);
	});

	it('end before start', async () => {
		const { page } = await openForm();
		await yesNo(page, 'RDV', 'Oui').check();
		await dateDebut(page).fill('2024-03-10');
		await dateFin(page).fill('2024-03-01');
		await submitAndExpectFocus(page, dateFin(page));
		expect(await errorNextTo(dateFin(page), fieldOf(dateFin(page)))).toBe(
			'Erreur : La date de fin doit être identique ou postérieure à la date de début.'
		);
		expect(await dateDebut(page).getAttribute('aria-invalid')).toBeNull();
	});

	it('start in the future (Paris day)', async () => {
		const { page } = await openForm();
		const today = todayInParis();
		await yesNo(page, 'RDV', 'Oui').check();
		await dateDebut(page).fill(addDays(today, 1));
		await dateFin(page).fill(addDays(today, 5));
		await submitAndExpectFocus(page, dateDebut(page));
		expect(await errorNextTo(dateDebut(page), fieldOf(dateDebut(page)))).toBe(
			`Erreur : La date de début ne peut pas être dans le futur : indiquez le ${formatFr(today)} au plus tard.`
		);
		// Today itself is allowed.
		await dateDebut(page).fill(today);
		await expect.poll(() => errorNextTo(dateDebut(page), fieldOf(dateDebut(page)))).toBeNull();
	});

	it('period longer than 5 years', async () => {
		const { page } = await openForm();
		await yesNo(page, 'RDV', 'Oui').check();
		await dateDebut(page).fill('2019-01-01');
		await dateFin(page).fill('2024-01-01');
		await submitAndExpectFocus(page, dateFin(page));
		expect(await errorNextTo(dateFin(page), fieldOf(dateFin(page)))).toBe(
			'Erreur : La période ne peut pas dépasser 5 ans : pour un début le 01/01/2019, ' +
				'la date de fin doit être au plus tard le 31/12/2023.'
		);
	});

	it('no status selected', async () => {
		const { page } = await openForm();
		await dateDebut(page).fill('2024-01-01');
		await dateFin(page).fill('2024-12-31');
		await yesNo(page, 'RDV', 'Oui').check();
		const all = statusesStep(page).getByRole('checkbox', { name: 'Tout sélectionner' });
		await all.uncheck();
		await submitAndExpectFocus(page, all);
		expect(await errorNextTo(all, statusesStep(page))).toBe(
			'Erreur : Sélectionnez au moins un statut de dossier.'
		);
	});

	it('Thématiques = Oui with no form selected', async () => {
		const { page } = await openForm();
		await dateDebut(page).fill('2024-01-01');
		await dateFin(page).fill('2024-12-31');
		await yesNo(page, 'Thématiques', 'Oui').check();
		const top = tree(page).getByRole('checkbox', { name: /^Tout sélectionner/ });
		await submitAndExpectFocus(page, top);
		expect(await errorNextTo(top, tree(page))).toBe(
			'Erreur : Sélectionnez au moins un formulaire, ou choisissez Non pour Thématiques.'
		);
		expect(await axeViolations(page)).toEqual([]);
	});

	it('a valid request launches the extraction it describes (exactly 5 years, one thematic)', async () => {
		const { page, context, consoleErrors } = await openForm();
		// The workers' requests say which filters reached the engine.
		const apiCalls: URL[] = [];
		context.on('request', (r) => {
			if (r.url().startsWith(e2e().apiUrl)) apiCalls.push(new URL(r.url()));
		});
		await dateDebut(page).fill('2019-01-01');
		await dateFin(page).fill('2023-12-31');
		await yesNo(page, 'Archivés', 'Oui').check();
		await statusesStep(page).getByRole('checkbox', { name: 'Non renseigné' }).uncheck();
		await yesNo(page, 'RDV', 'Oui').check();
		await yesNo(page, 'Thématiques', 'Oui').check();
		await tree(page)
			.getByRole('checkbox', { name: /^Plateforme TND \(/ })
			.check();
		await yesNo(page, 'Statuts', 'Oui').check();
		await launchButton(page).click();
		await page.getByRole('heading', { name: 'Extraction terminée' }).waitFor();
		const files = await page
			.getByRole('table', { name: "Contenu de l'archive" })
			.locator('tbody th')
			.allInnerTexts();
		expect(files).toEqual([
			'RDV 01012019_31122023.xlsx',
			'statuts 01012019_31122023.xlsx',
			'thematique_plateforme_tnd 01012019_31122023.xlsx'
		]);
		const lists = apiCalls.filter((u) => u.searchParams.has('from'));
		// RDV, the dossiers (statuts) and the 10 forms of Plateforme TND, at least one page each.
		expect(new Set(lists.map((u) => u.pathname.replace(/.*\/structures\/[^/]+\//, ''))).size).toBe(
			12
		);
		for (const u of lists) {
			expect(u.searchParams.get('from')).toBe('2019-01-01');
			expect(u.searchParams.get('to')).toBe('2023-12-31');
			expect(u.searchParams.get('archived')).toBe('true');
			expect(u.searchParams.getAll('status')).toEqual([
				'analyse_demande',
				'en_attente',
				'non_suivi',
				'suivi_inclusion',
				'reorientation',
				'sortie'
			]);
		}
		// No error summary (the statuses shown now are the Aperçu's and the run's).
		expect(await page.locator('form.extraction-form .summary').innerText()).toBe('');
		expect(consoleErrors).toEqual([]);
	});
});

describe('keyboard and accessibility', () => {
	it('works with the keyboard alone: radios, checkboxes, disclosure, launch', async () => {
		const { page } = await openForm();
		const lastStatus = statusesStep(page).getByRole('checkbox', { name: 'Non renseigné' });
		await lastStatus.focus();
		// Tab leaves the statuses for the first Oui/Non group, on its checked radio (Non).
		await page.keyboard.press('Tab');
		const adminNon = yesNo(page, 'Données administratives patient', 'Non');
		const adminOui = yesNo(page, 'Données administratives patient', 'Oui');
		expect(await isFocused(adminNon)).toBe(true);
		await page.keyboard.press('ArrowUp');
		expect(await adminOui.isChecked()).toBe(true);
		expect(await isFocused(adminOui)).toBe(true);
		const outline = await adminOui.evaluate((el) => getComputedStyle(el).outlineStyle);
		expect(outline).not.toBe('none');

		// Back to the last status and Space: unchecked, "Tout sélectionner" indeterminate.
		await page.keyboard.press('Shift+Tab');
		expect(await isFocused(lastStatus)).toBe(true);
		await page.keyboard.press('Space');
		expect(await lastStatus.isChecked()).toBe(false);
		const all = statusesStep(page).getByRole('checkbox', { name: 'Tout sélectionner' });
		expect(await isIndeterminate(all)).toBe(true);

		// Thématiques Oui, open a thematic with Enter, tick a form with Space.
		await yesNo(page, 'Thématiques', 'Non').focus();
		await page.keyboard.press('ArrowUp');
		expect(await yesNo(page, 'Thématiques', 'Oui').isChecked()).toBe(true);
		const disclosure = tree(page).getByRole('button', { name: 'Formulaires de TSLA' });
		await disclosure.focus();
		await page.keyboard.press('Enter');
		expect(await disclosure.getAttribute('aria-expanded')).toBe('true');
		await page.keyboard.press('Tab'); // the TSLA box
		await page.keyboard.press('Tab'); // its first form
		await page.keyboard.press('Space');
		const form = tree(page).getByRole('checkbox', { name: 'Aménagements scolaires' });
		expect(
			await tree(page)
				.getByRole('checkbox', { name: /^Bilan orthophonique/ })
				.isChecked()
		).toBe(true);
		expect(await form.isChecked()).toBe(false);

		// Dates typed, Enter in a field submits the form.
		await dateDebut(page).fill('2024-01-01');
		await dateFin(page).fill('2024-06-30');
		await dateFin(page).press('Enter');
		await page.getByRole('heading', { name: 'Extraction terminée' }).waitFor();
	});

	it('has no serious or critical axe violation, initially and with errors', async () => {
		const { page } = await openForm();
		expect(await axeViolations(page)).toEqual([]);
		await yesNo(page, 'Thématiques', 'Oui').check();
		await tree(page).getByRole('button', { name: 'Formulaires de Plateforme TND' }).click();
		await launchButton(page).click();
		await expect.poll(() => isFocused(dateDebut(page))).toBe(true);
		expect(await axeViolations(page)).toEqual([]);
		await page.screenshot({ path: '/tmp/eb-form-errors.png', fullPage: true });
	});

	it('reflows without horizontal scrolling at 320 px wide (400 % zoom of 1280 px)', async () => {
		for (const width of [640, 320]) {
			const { page } = await open({ viewport: { width, height: 800 } });
			await launchButton(page).waitFor();
			await yesNo(page, 'Thématiques', 'Oui').check();
			await tree(page).getByRole('button', { name: 'Formulaires de Plateforme TND' }).click();
			await launchButton(page).click();
			const overflow = await page.evaluate(
				() => document.documentElement.scrollWidth - document.documentElement.clientWidth
			);
			expect(overflow, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(0);
			// Nothing cut off inside its box either (a label running out of its card).
			const outside = await page.evaluate(() =>
				[...document.querySelectorAll('main *')]
					.filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth)
					.map(
						(el) => `${el.tagName.toLowerCase()}.${el.className}: ${el.textContent?.slice(0, 40)}`
					)
			);
			expect(outside, `elements beyond ${width} px`).toEqual([]);
			if (width === 320) await tree(page).screenshot({ path: '/tmp/eb-tree-320.png' });
		}
	});
});
