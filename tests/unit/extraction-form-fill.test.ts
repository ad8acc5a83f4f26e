/**
 * « Relancer » puts a task's request back in the form (ExtractionFormState.fill): the form then
 * gives back the very same request; a pseudonymised one comes back without its passphrase.
 */
import { describe, expect, it } from 'vitest';
import type { Thematic } from '../../src/lib/contract/spico';
import type { ExtractionRequest } from '../../src/lib/core/request';
import { ExtractionFormState } from '../../src/lib/state/extraction-form.svelte';

const CATALOGUE = [
	{
		id: 't1',
		label: 'Plateforme TND',
		forms: [
			{ id: 'f1', label: 'Entrée', fields: [] },
			{ id: 'f2', label: 'Sortie', fields: [] }
		]
	},
	{ id: 't2', label: 'TSLA', forms: [{ id: 'f3', label: 'Bilan', fields: [] }] }
] as unknown as Thematic[];

const REQUEST: ExtractionRequest = {
	period: { from: '2023-03-15', to: '2024-02-20' },
	archived: true,
	statuses: ['en_attente', 'suivi_inclusion', 'sortie'],
	kinds: ['rdv', 'cercleDeSoins', 'thematiques', 'statuts'],
	forms: [
		{ thematicId: 't1', formId: 'f2' },
		{ thematicId: 't2', formId: 'f3' }
	]
};

describe('ExtractionFormState.fill', () => {
	it('gives back the very request it was filled with', () => {
		const form = new ExtractionFormState({ thematics: () => CATALOGUE });
		form.fill(REQUEST);
		expect(form.toRequest()).toEqual(REQUEST);
		expect(form.validate('2024-06-01')).toEqual([]);
	});

	it('replaces what the form held, and drops forms no longer in the catalogue', () => {
		const form = new ExtractionFormState({ thematics: () => CATALOGUE });
		form.fill({ ...REQUEST, kinds: ['administratif'], forms: [], archived: false });
		form.fill({ ...REQUEST, forms: [...REQUEST.forms, { thematicId: 't9', formId: 'gone' }] });
		expect(form.toRequest()).toEqual(REQUEST);
	});

	it('brings the pseudonymisation option back, never the passphrase', () => {
		const form = new ExtractionFormState({ thematics: () => CATALOGUE });
		form.passphrase = form.passphraseConfirm = 'une phrase secrète assez longue';
		form.fill({ ...REQUEST, pseudonymise: { keepFreeText: true } });
		expect(form.pseudonymise).toBe(true);
		expect(form.keepFreeText).toBe(true);
		expect(form.passphrase).toBe('');
		expect(form.passphraseConfirm).toBe('');
		expect(form.toRequest()).toEqual({ ...REQUEST, pseudonymise: { keepFreeText: true } });
	});
});
