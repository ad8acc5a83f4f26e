/**
 * The extraction request (SPEC §2, §3) and its blocking validation. Plain TypeScript: the form,
 * the engine and the tests share it; nothing here touches the DOM or Svelte.
 */
import { STATUS_CODES, type StatusCode } from '../contract/spico';
import { addDays, formatFr, isDay, type Period } from './calendar';
import { FILE_KINDS, type FileKind } from './file-kinds';

export interface SelectedForm {
	thematicId: string;
	formId: string;
}

export interface ExtractionRequest {
	/** Paris calendar days, both inclusive. */
	period: Period;
	/** "Dossiers archivés : Oui" includes archived dossiers. */
	archived: boolean;
	statuses: StatusCode[];
	/** The workbooks asked for (steps 3 and 4), in the registry's order, each once. */
	kinds: FileKind[];
	/** Forms to export; empty unless `kinds` has `thematiques`. */
	forms: SelectedForm[];
	/**
	 * « Pseudonymiser les données : Oui » (SPEC §13). The passphrase is never here: it goes to the
	 * run on its own, so that no task, audit event or « Relancer » ever holds it.
	 */
	pseudonymise?: { keepFreeText: boolean };
}

/** What the form holds before validation: a date is `''` until the user enters one. */
export interface ExtractionDraft {
	from: string;
	to: string;
	archived: boolean;
	statuses: StatusCode[];
	/** Oui/Non of every kind. */
	kinds: Record<FileKind, boolean>;
	forms: SelectedForm[];
	pseudonymise?: { keepFreeText: boolean };
}

/** Every kind at Non, as the guide shows the form. */
export function noKinds(): Record<FileKind, boolean> {
	return Object.fromEntries(FILE_KINDS.map((k) => [k, false])) as Record<FileKind, boolean>;
}

export type RequestField =
	'from' | 'to' | 'statuses' | 'files' | 'forms' | 'passphrase' | 'passphraseConfirm';
export interface RequestError {
	field: RequestField;
	message: string;
}

/** The order of the fields on the page: errors come back in it, so the first is focused. */
export const REQUEST_FIELDS: readonly RequestField[] = [
	'from',
	'to',
	'statuses',
	'files',
	'forms',
	'passphrase',
	'passphraseConfirm'
];

export const DEFAULT_MAX_PERIOD_YEARS = 5;

export interface ValidateOptions {
	/** The day of the extraction, `YYYY-MM-DD` in Europe/Paris (see `todayInParis`). */
	today: string;
	/** Longest period allowed, in calendar years; default 5. */
	maxPeriodYears?: number;
}

function parts(day: string): [number, number, number] {
	const [y, m, d] = day.split('-').map(Number);
	return [y ?? NaN, m ?? NaN, d ?? NaN];
}

/**
 * `day` plus `years` calendar years. 29 February lands on 1 March when the target year is not a
 * leap year (the day after 28 February), so that `addYears(d, n)` is never before the real
 * anniversary and a period never loses a day.
 */
export function addYears(day: string, years: number): string {
	const [y, m, d] = parts(day);
	const date = new Date(Date.UTC(2000, m - 1, d));
	date.setUTCFullYear(y + years);
	return date.toISOString().slice(0, 10);
}

/**
 * Last `to` allowed for a period starting on `from`: the period [from, to] may span at most
 * `years` calendar years, i.e. `to` must be strictly before `from + years`
 * (01/01/2020 → 31/12/2024 at most for 5 years; 29/02/2020 → 28/02/2025).
 */
export function maxPeriodEnd(from: string, years: number): string {
	return addDays(addYears(from, years), -1);
}

function yearsText(n: number): string {
	return n === 1 ? '1 an' : `${n} ans`;
}

/**
 * Blocking checks of SPEC §2. Returns the errors in page order, at most one per field; an empty
 * array means the draft is a valid request.
 */
export function validateRequest(draft: ExtractionDraft, opts: ValidateOptions): RequestError[] {
	const { today } = opts;
	const maxYears = opts.maxPeriodYears ?? DEFAULT_MAX_PERIOD_YEARS;
	if (!isDay(today)) throw new RangeError(`today invalide : ${today}`);
	if (!Number.isInteger(maxYears) || maxYears < 1) {
		throw new RangeError(`maxPeriodYears invalide : ${maxYears}`);
	}

	const errors: RequestError[] = [];
	const from = draft.from.trim();
	const to = draft.to.trim();
	const fromOk = isDay(from);
	const toOk = isDay(to);

	if (from === '') {
		errors.push({
			field: 'from',
			message: "Veuillez indiquer la date de début de l'extraction brute."
		});
	} else if (!fromOk) {
		errors.push({
			field: 'from',
			message:
				"La date de début est incomplète ou n'existe pas : indiquez le jour, le mois et l'année."
		});
	} else if (from > today) {
		errors.push({
			field: 'from',
			message: `La date de début ne peut pas être dans le futur : indiquez le ${formatFr(today)} au plus tard.`
		});
	}

	if (to === '') {
		errors.push({
			field: 'to',
			message: "Veuillez indiquer la date de fin de l'extraction brute."
		});
	} else if (!toOk) {
		errors.push({
			field: 'to',
			message:
				"La date de fin est incomplète ou n'existe pas : indiquez le jour, le mois et l'année."
		});
	} else if (fromOk && to < from) {
		errors.push({
			field: 'to',
			message: 'La date de fin doit être identique ou postérieure à la date de début.'
		});
	} else if (fromOk && to > maxPeriodEnd(from, maxYears)) {
		errors.push({
			field: 'to',
			message:
				`La période ne peut pas dépasser ${yearsText(maxYears)} : ` +
				`pour un début le ${formatFr(from)}, la date de fin doit être au plus tard le ` +
				`${formatFr(maxPeriodEnd(from, maxYears))}.`
		});
	}

	if (!draft.statuses.some((s) => (STATUS_CODES as readonly string[]).includes(s))) {
		errors.push({ field: 'statuses', message: 'Sélectionnez au moins un statut de dossier.' });
	}

	if (!FILE_KINDS.some((k) => draft.kinds[k])) {
		errors.push({
			field: 'files',
			message: 'Choisissez Oui pour au moins un fichier (étape 3) ou pour Statuts (étape 4).'
		});
	}

	if (draft.kinds.thematiques && draft.forms.length === 0) {
		errors.push({
			field: 'forms',
			message: 'Sélectionnez au moins un formulaire, ou choisissez Non pour Thématiques.'
		});
	}

	return errors;
}

/** The request as the engine should get it: trimmed dates, forms only when Thématiques = Oui. */
export function normalizeRequest(draft: ExtractionDraft): ExtractionRequest {
	const statuses = STATUS_CODES.filter((s) => draft.statuses.includes(s));
	const kinds = FILE_KINDS.filter((k) => draft.kinds[k]);
	return {
		period: { from: draft.from.trim(), to: draft.to.trim() },
		archived: draft.archived,
		statuses,
		kinds,
		forms: draft.kinds.thematiques ? draft.forms.map((f) => ({ ...f })) : [],
		...(draft.pseudonymise
			? { pseudonymise: { keepFreeText: draft.pseudonymise.keepFreeText === true } }
			: {})
	};
}

export type RequestCheck =
	{ ok: true; request: ExtractionRequest } | { ok: false; errors: RequestError[] };

/** Validates and, when valid, normalises: the one way to turn a draft into a request. */
export function checkRequest(draft: ExtractionDraft, opts: ValidateOptions): RequestCheck {
	const errors = validateRequest(draft, opts);
	return errors.length ? { ok: false, errors } : { ok: true, request: normalizeRequest(draft) };
}
