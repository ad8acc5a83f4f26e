import { describe, expect, it } from 'vitest';
import { STATUS_CODES } from '../../src/lib/contract/spico';
import {
	addYears,
	checkRequest,
	maxPeriodEnd,
	noKinds,
	normalizeRequest,
	validateRequest,
	type ExtractionDraft,
	type RequestField
} from '../../src/lib/core/request';

const TODAY = '2025-06-15';

function draft(patch: Partial<ExtractionDraft> = {}): ExtractionDraft {
	return {
		from: '2025-01-01',
		to: '2025-03-31',
		archived: false,
		statuses: [...STATUS_CODES],
		kinds: { ...noKinds(), administratif: true },
		forms: [],
		...patch
	};
}

function fields(d: ExtractionDraft, maxPeriodYears?: number): RequestField[] {
	return validateRequest(d, { today: TODAY, maxPeriodYears }).map((e) => e.field);
}

function messageFor(d: ExtractionDraft, field: RequestField, maxPeriodYears?: number) {
	return validateRequest(d, { today: TODAY, maxPeriodYears }).find((e) => e.field === field)
		?.message;
}

describe('validateRequest', () => {
	it('accepts a valid draft', () => {
		expect(validateRequest(draft(), { today: TODAY })).toEqual([]);
	});

	it('reports each missing date', () => {
		expect(fields(draft({ from: '' }))).toEqual(['from']);
		expect(fields(draft({ to: '' }))).toEqual(['to']);
		expect(fields(draft({ from: '', to: '  ' }))).toEqual(['from', 'to']);
		expect(messageFor(draft({ from: '' }), 'from')).toBe(
			"Veuillez indiquer la date de début de l'extraction brute."
		);
		expect(messageFor(draft({ to: '' }), 'to')).toBe(
			"Veuillez indiquer la date de fin de l'extraction brute."
		);
	});

	it('rejects a date that does not exist', () => {
		expect(messageFor(draft({ from: '2023-02-30' }), 'from')).toMatch(
			/est incomplète ou n'existe pas/
		);
		expect(messageFor(draft({ to: '15/03/2025' }), 'to')).toMatch(/est incomplète ou n'existe pas/);
	});

	it('rejects an end before the start, accepts a one-day period', () => {
		expect(fields(draft({ from: '2025-03-02', to: '2025-03-01' }))).toEqual(['to']);
		expect(messageFor(draft({ from: '2025-03-02', to: '2025-03-01' }), 'to')).toBe(
			'La date de fin doit être identique ou postérieure à la date de début.'
		);
		expect(fields(draft({ from: '2025-03-01', to: '2025-03-01' }))).toEqual([]);
	});

	it('accepts a start on today, rejects today + 1 (Paris day given by the caller)', () => {
		expect(fields(draft({ from: TODAY, to: TODAY }))).toEqual([]);
		expect(fields(draft({ from: '2025-06-16', to: '2025-06-20' }))).toEqual(['from']);
		expect(messageFor(draft({ from: '2025-06-16', to: '2025-06-20' }), 'from')).toBe(
			'La date de début ne peut pas être dans le futur : indiquez le 15/06/2025 au plus tard.'
		);
	});

	it('accepts an end in the future (the period is cut at today by the engine)', () => {
		expect(fields(draft({ from: '2025-06-01', to: '2025-12-31' }))).toEqual([]);
	});

	it('allows exactly 5 years and refuses one day more', () => {
		// 01/01/2020 + 5 years = 01/01/2025: the last allowed day is 31/12/2024.
		expect(fields(draft({ from: '2020-01-01', to: '2024-12-31' }))).toEqual([]);
		expect(fields(draft({ from: '2020-01-01', to: '2025-01-01' }))).toEqual(['to']);
		expect(messageFor(draft({ from: '2020-01-01', to: '2025-01-01' }), 'to')).toBe(
			'La période ne peut pas dépasser 5 ans : pour un début le 01/01/2020, ' +
				'la date de fin doit être au plus tard le 31/12/2024.'
		);
		// Mid-year start, spanning the leap day of 2024.
		expect(fields(draft({ from: '2020-06-15', to: '2025-06-14' }))).toEqual([]);
		expect(fields(draft({ from: '2020-06-15', to: '2025-06-15' }))).toEqual(['to']);
	});

	it('handles a start on a leap day', () => {
		// 29/02/2020 + 5 years → 01/03/2025 (no 29/02/2025): last allowed day 28/02/2025.
		expect(fields(draft({ from: '2020-02-29', to: '2025-02-28' }))).toEqual([]);
		expect(fields(draft({ from: '2020-02-29', to: '2025-03-01' }))).toEqual(['to']);
		// 29/02/2020 + 4 years is 29/02/2024 itself.
		expect(fields(draft({ from: '2020-02-29', to: '2024-02-28' }), 4)).toEqual([]);
		expect(fields(draft({ from: '2020-02-29', to: '2024-02-29' }), 4)).toEqual(['to']);
	});

	it('honours a configured maximum', () => {
		expect(fields(draft({ from: '2024-01-01', to: '2024-12-31' }), 1)).toEqual([]);
		expect(fields(draft({ from: '2024-01-01', to: '2025-01-01' }), 1)).toEqual(['to']);
		expect(messageFor(draft({ from: '2024-01-01', to: '2025-01-01' }), 'to', 1)).toMatch(
			/^La période ne peut pas dépasser 1 an :/
		);
		expect(fields(draft({ from: '2010-01-01', to: '2019-12-31' }), 10)).toEqual([]);
	});

	it('requires a status', () => {
		expect(fields(draft({ statuses: [] }))).toEqual(['statuses']);
		expect(messageFor(draft({ statuses: [] }), 'statuses')).toBe(
			'Sélectionnez au moins un statut de dossier.'
		);
		expect(fields(draft({ statuses: ['sortie'] }))).toEqual([]);
	});

	it('requires a file: the five files and Statuts all Non is an error', () => {
		const none = noKinds();
		expect(fields(draft({ kinds: none }))).toEqual(['files']);
		expect(messageFor(draft({ kinds: none }), 'files')).toBe(
			'Choisissez Oui pour au moins un fichier (étape 3) ou pour Statuts (étape 4).'
		);
		expect(fields(draft({ kinds: { ...none, statuts: true } }))).toEqual([]);
		expect(fields(draft({ kinds: { ...none, cercleDeSoins: true } }))).toEqual([]);
	});

	it('requires a form when Thématiques = Oui', () => {
		const kinds = { ...noKinds(), thematiques: true };
		expect(fields(draft({ kinds }))).toEqual(['forms']);
		expect(messageFor(draft({ kinds }), 'forms')).toBe(
			'Sélectionnez au moins un formulaire, ou choisissez Non pour Thématiques.'
		);
		expect(fields(draft({ kinds, forms: [{ thematicId: 't', formId: 'f' }] }))).toEqual([]);
		// Forms left selected while Thématiques = Non do not count as a file.
		const none = noKinds();
		expect(fields(draft({ kinds: none, forms: [{ thematicId: 't', formId: 'f' }] }))).toEqual([
			'files'
		]);
	});

	it('returns every error in page order', () => {
		const d = draft({
			from: '',
			to: '',
			statuses: [],
			kinds: noKinds()
		});
		expect(fields(d)).toEqual(['from', 'to', 'statuses', 'files']);
	});

	it('refuses a bad today or maximum (programming errors)', () => {
		expect(() => validateRequest(draft(), { today: '15/06/2025' })).toThrow(RangeError);
		expect(() => validateRequest(draft(), { today: TODAY, maxPeriodYears: 0 })).toThrow(RangeError);
	});
});

describe('checkRequest / normalizeRequest', () => {
	it('drops forms when Thématiques = Non and orders statuses as the contract does', () => {
		const r = normalizeRequest(
			draft({
				from: ' 2025-01-01 ',
				statuses: ['sortie', 'analyse_demande'],
				forms: [{ thematicId: 't', formId: 'f' }]
			})
		);
		expect(r.period).toEqual({ from: '2025-01-01', to: '2025-03-31' });
		expect(r.kinds).toEqual(['administratif']);
		expect(r.statuses).toEqual(['analyse_demande', 'sortie']);
		expect(r.forms).toEqual([]);
	});

	it('gives the request only when valid', () => {
		const ok = checkRequest(draft(), { today: TODAY });
		expect(ok.ok && ok.request.period.to).toBe('2025-03-31');
		const ko = checkRequest(draft({ to: '' }), { today: TODAY });
		expect(ko.ok).toBe(false);
	});
});

describe('dates', () => {
	it('adds years, leap day landing on 1 March', () => {
		expect(addYears('2020-02-29', 1)).toBe('2021-03-01');
		expect(addYears('2020-02-29', 4)).toBe('2024-02-29');
		expect(addYears('2023-12-31', 5)).toBe('2028-12-31');
		expect(maxPeriodEnd('2020-03-01', 5)).toBe('2025-02-28');
		expect(maxPeriodEnd('2023-03-01', 5)).toBe('2028-02-29');
	});
});
