/**
 * State of the extraction form: what the user chose, the tri-state selections and the errors.
 * The rules live in `core/request`; this class only holds choices and asks the core.
 */
import { SvelteSet } from 'svelte/reactivity';
import { STATUS_CODES, type StatusCode, type Thematic } from '../contract/spico';
import { validatePassphrase } from '../core/pseudonymise/passphrase';
import {
	noKinds,
	normalizeRequest,
	validateRequest,
	type ExtractionDraft,
	type ExtractionRequest,
	type RequestError,
	type RequestField,
	type SelectedForm
} from '../core/request';
import { FILE_KINDS } from '../core/file-kinds';

/** A group checkbox: every child selected, some, or none. */
export type TriState = 'all' | 'some' | 'none';

function triState(selected: number, total: number): TriState {
	if (selected === 0) return 'none';
	return selected === total ? 'all' : 'some';
}

/** Stands for a half-typed date in the draft: not a date, so the core calls it invalid. */
const INCOMPLETE_DATE = 'incomplete';

// JSON of the pair: ids are opaque API strings, any separator could occur in them.
function formKey(thematicId: string, formId: string): string {
	return JSON.stringify([thematicId, formId]);
}

export interface ExtractionFormOptions {
	/** The API catalogue; a getter so the form follows a prop that changes. */
	thematics?: () => readonly Thematic[];
}

export class ExtractionFormState {
	from = $state('');
	to = $state('');
	/**
	 * A date input left half-filled reports `''` like an empty one; the browser's `badInput` flag,
	 * copied here, lets the message say "incomplete" instead of "missing".
	 */
	fromIncomplete = $state(false);
	toIncomplete = $state(false);
	archived = $state(false);
	/** Oui/Non of every file and Statuts; the guide shows them all at Non. */
	kinds = $state(noKinds());
	/** « Pseudonymiser les données » (SPEC §13), Non by default. */
	pseudonymise = $state(false);
	keepFreeText = $state(false);
	/** Held only until the launch hands it to the run (see `takePassphrase`). */
	passphrase = $state('');
	passphraseConfirm = $state('');

	#getThematics: () => readonly Thematic[];
	#statuses = new SvelteSet<StatusCode>(STATUS_CODES);
	#forms = new SvelteSet<string>();
	/** Fields in error at the last launch attempt, and the options it was checked with. */
	#flagged = $state.raw<readonly RequestField[]>([]);
	#checkedWith = $state.raw<{ today: string; maxPeriodYears?: number } | null>(null);

	constructor(options: ExtractionFormOptions = {}) {
		this.#getThematics = options.thematics ?? (() => []);
	}

	get thematics(): readonly Thematic[] {
		return this.#getThematics();
	}

	// --- Statuses ------------------------------------------------------------------------------

	/** Selected statuses, in the guide's order. */
	statuses: StatusCode[] = $derived(STATUS_CODES.filter((s) => this.#statuses.has(s)));
	statusesState: TriState = $derived(triState(this.#statuses.size, STATUS_CODES.length));

	hasStatus(code: StatusCode): boolean {
		return this.#statuses.has(code);
	}

	setStatus(code: StatusCode, selected: boolean): void {
		if (selected) this.#statuses.add(code);
		else this.#statuses.delete(code);
	}

	toggleStatus(code: StatusCode): void {
		this.setStatus(code, !this.#statuses.has(code));
	}

	setAllStatuses(selected: boolean): void {
		if (selected) for (const s of STATUS_CODES) this.#statuses.add(s);
		else this.#statuses.clear();
	}

	/** All selected → none; otherwise (none or some) → all, as a checkbox click does. */
	toggleAllStatuses(): void {
		this.setAllStatuses(this.statusesState !== 'all');
	}

	// --- Thematics and forms -------------------------------------------------------------------

	/** Selected forms in catalogue order; selections absent from the catalogue are ignored. */
	selectedForms: SelectedForm[] = $derived(
		this.thematics.flatMap((t) =>
			t.forms
				.filter((f) => this.#forms.has(formKey(t.id, f.id)))
				.map((f) => ({ thematicId: t.id, formId: f.id }))
		)
	);

	#formCount = $derived(this.thematics.reduce((n, t) => n + t.forms.length, 0));
	formsState: TriState = $derived(triState(this.selectedForms.length, this.#formCount));

	#thematic(thematicId: string): Thematic | undefined {
		return this.thematics.find((t) => t.id === thematicId);
	}

	hasForm(thematicId: string, formId: string): boolean {
		return this.#forms.has(formKey(thematicId, formId));
	}

	setForm(thematicId: string, formId: string, selected: boolean): void {
		const key = formKey(thematicId, formId);
		if (selected) this.#forms.add(key);
		else this.#forms.delete(key);
	}

	toggleForm(thematicId: string, formId: string): void {
		this.setForm(thematicId, formId, !this.hasForm(thematicId, formId));
	}

	/** Number of selected forms of a thematic. */
	selectedCount(thematicId: string): number {
		const t = this.#thematic(thematicId);
		return t ? t.forms.filter((f) => this.hasForm(t.id, f.id)).length : 0;
	}

	thematicState(thematicId: string): TriState {
		const t = this.#thematic(thematicId);
		return triState(this.selectedCount(thematicId), t?.forms.length ?? 0);
	}

	setThematic(thematicId: string, selected: boolean): void {
		for (const f of this.#thematic(thematicId)?.forms ?? [])
			this.setForm(thematicId, f.id, selected);
	}

	toggleThematic(thematicId: string): void {
		this.setThematic(thematicId, this.thematicState(thematicId) !== 'all');
	}

	setAllForms(selected: boolean): void {
		if (!selected) {
			this.#forms.clear();
			return;
		}
		for (const t of this.thematics) for (const f of t.forms) this.#forms.add(formKey(t.id, f.id));
	}

	toggleAllForms(): void {
		this.setAllForms(this.formsState !== 'all');
	}

	// --- Request and validation ----------------------------------------------------------------

	get draft(): ExtractionDraft {
		return {
			from: this.from === '' && this.fromIncomplete ? INCOMPLETE_DATE : this.from,
			to: this.to === '' && this.toIncomplete ? INCOMPLETE_DATE : this.to,
			archived: this.archived,
			statuses: this.statuses,
			kinds: { ...this.kinds },
			forms: this.selectedForms,
			...(this.pseudonymise ? { pseudonymise: { keepFreeText: this.keepFreeText } } : {})
		};
	}

	/** The request's checks, then the passphrase's when pseudonymising, in page order. */
	#check(opts: { today: string; maxPeriodYears?: number }): RequestError[] {
		const errors = validateRequest(this.draft, opts);
		if (this.pseudonymise)
			errors.push(...validatePassphrase(this.passphrase, this.passphraseConfirm));
		return errors;
	}

	/**
	 * The passphrase for the run, once: the fields are emptied so that it stays on the page no
	 * longer than the derivation needs it.
	 */
	takePassphrase(): { passphrase: string } | undefined {
		const secret = this.pseudonymise ? { passphrase: this.passphrase } : undefined;
		// Emptied either way: one typed before switching back to Non is not kept either.
		this.passphrase = '';
		this.passphraseConfirm = '';
		return secret;
	}

	/** The request as the engine takes it; call `validate` first. */
	toRequest(): ExtractionRequest {
		return normalizeRequest(this.draft);
	}

	/**
	 * Errors shown: those of the last launch attempt that still hold. A corrected field loses its
	 * message at once; a new error appears only at the next attempt, never while the user types.
	 */
	errors: RequestError[] = $derived.by(() => {
		if (this.#checkedWith === null) return [];
		return this.#check(this.#checkedWith).filter((e) => this.#flagged.includes(e.field));
	});

	errorFor(field: RequestField): string | undefined {
		return this.errors.find((e) => e.field === field)?.message;
	}

	/** Checks the draft as at a launch attempt; returns the errors in page order. */
	validate(today: string, maxPeriodYears?: number): RequestError[] {
		const opts = { today, maxPeriodYears };
		const errors = this.#check(opts);
		this.#checkedWith = opts;
		this.#flagged = errors.map((e) => e.field);
		return errors;
	}

	/**
	 * Puts a request back in the form (« Relancer », or the run in progress when the view comes
	 * back): every choice, forms absent from today's catalogue left out. Messages are cleared.
	 */
	fill(request: ExtractionRequest): void {
		this.from = request.period.from;
		this.to = request.period.to;
		this.fromIncomplete = this.toIncomplete = false;
		this.archived = request.archived;
		this.setAllStatuses(false);
		for (const s of request.statuses) this.setStatus(s, true);
		for (const kind of FILE_KINDS) this.kinds[kind] = request.kinds.includes(kind);
		this.setAllForms(false);
		for (const f of request.forms) this.setForm(f.thematicId, f.formId, true);
		// The option comes back; the passphrase never does (SPEC §13): it is typed again.
		this.pseudonymise = request.pseudonymise !== undefined;
		this.keepFreeText = request.pseudonymise?.keepFreeText ?? false;
		this.passphrase = '';
		this.passphraseConfirm = '';
		this.#checkedWith = null;
		this.#flagged = [];
	}

	/** True when at least one of the five files or Statuts is Oui. */
	get anyFile(): boolean {
		return FILE_KINDS.some((k) => this.kinds[k]);
	}
}
