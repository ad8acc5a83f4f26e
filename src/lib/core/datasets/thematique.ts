/**
 * `thematique_<slug>`: one workbook per selected thematic, one sheet per selected form, one row
 * per response (SPEC §5, §6). Columns: the response, then one per field in catalogue order.
 *
 * Decisions on values (the contract lets any field hold any JSON scalar or a string array):
 * - choice / multichoice → option labels, joined with ` ; `; a code missing from the catalogue is
 *   written as the code itself (and counted), never dropped;
 * - boolean → Oui/Non; number → number; date → day; datetime → Paris wall time; text → text;
 * - a value of the wrong type for its field is written as its text form (booleans as Oui/Non,
 *   arrays joined with ` ; `) and counted, after two lossless readings: a decimal string in a
 *   number field becomes that number, a date-time in a date field becomes its Paris day;
 * - a single code in a multichoice field is read as a list of one;
 * - null, a missing value and an empty list give an empty cell.
 */
import type { Field, FormResponse, FormValue, Form } from '../../contract/spico';
import {
	fromDayNumber,
	isDay,
	parisDayNumberOfMs,
	parisWallTime,
	parisWallTimeOfMs,
	tryInstantMs
} from '../calendar';
import type { Column, ColumnKind, Row, SheetSpec } from '../table';
import { DOSSIER_COLUMNS, type MappingIssues, type RowContext } from './common';

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NON_ALNUM_RUNS = /[^a-z0-9]+/g;
const EDGE_UNDERSCORES = /^_+|_+$/g;
const LIGATURES = /[œæß]/g;
const LIGATURE_TEXT: Readonly<Record<string, string>> = { œ: 'oe', æ: 'ae', ß: 'ss' };

/**
 * Slug of a thematic label for its workbook name: lowercase ASCII, accents stripped, runs of
 * other characters → `_`, no `_` at the ends. 'Demande - Réponse' → 'demande_reponse'.
 * A label with no letter or digit gives 'sans_titre'.
 */
export function thematicSlug(label: string): string {
	const slug = label
		.toLowerCase()
		.replace(LIGATURES, (c) => LIGATURE_TEXT[c] ?? c)
		.normalize('NFD')
		.replace(COMBINING_MARKS, '')
		.replace(NON_ALNUM_RUNS, '_')
		.replace(EDGE_UNDERSCORES, '');
	return slug === '' ? 'sans_titre' : slug;
}

/** Workbook base name of a thematic (SPEC §5). */
export function thematicBaseName(thematicLabel: string): string {
	return `thematique_${thematicSlug(thematicLabel)}`;
}

const FIELD_KIND: Readonly<Record<Field['type'], ColumnKind>> = {
	text: 'text',
	number: 'number',
	date: 'date',
	datetime: 'datetime',
	boolean: 'text',
	choice: 'text',
	multichoice: 'text'
};

const FIELD_TYPE_TEXT: Readonly<Record<Field['type'], string>> = {
	text: 'texte',
	number: 'nombre',
	date: 'date',
	datetime: 'date et heure (Paris)',
	boolean: 'Oui/Non',
	choice: "choix unique, libellé de l'option",
	multichoice: 'choix multiple, libellés séparés par « ; »'
};

export const RESPONSE_COLUMNS: readonly Column[] = [
	...DOSSIER_COLUMNS,
	{ header: 'ID réponse', kind: 'text', description: 'Identifiant de la réponse au formulaire.' },
	{
		header: 'Date de saisie',
		kind: 'datetime',
		description: 'Date et heure (Paris) de la réponse au formulaire.'
	},
	{ header: 'Auteur', kind: 'text', description: 'Auteur de la saisie.' }
];

export interface CompiledField {
	readonly id: string;
	readonly type: Field['type'];
	/** Option code → label, for choice and multichoice fields. */
	readonly labels: ReadonlyMap<string, string> | null;
}

/** A form ready for mapping: its sheet and its fields with their option tables. */
export interface CompiledForm {
	readonly formId: string;
	readonly sheet: SheetSpec;
	readonly fields: readonly CompiledField[];
}

/** Done once per form, so that mapping a row allocates nothing but the row. */
export function compileForm(form: Form): CompiledForm {
	const columns: Column[] = [...RESPONSE_COLUMNS];
	const fields: CompiledField[] = [];
	for (const f of form.fields) {
		columns.push({
			header: f.label,
			kind: FIELD_KIND[f.type],
			description: `Champ « ${f.label} » du formulaire « ${form.label} » (${FIELD_TYPE_TEXT[f.type]} ; identifiant ${f.id}).`
		});
		const options = f.type === 'choice' || f.type === 'multichoice' ? (f.options ?? []) : null;
		fields.push({
			id: f.id,
			type: f.type,
			labels: options === null ? null : new Map(options.map((o) => [o.value, o.label]))
		});
	}
	return { formId: form.id, sheet: { name: form.label, fullName: form.label, columns }, fields };
}

const DECIMAL = /^\s*[-+]?\d+(?:[.,]\d+)?\s*$/;

function textForm(
	v: FormValue,
	labels: ReadonlyMap<string, string> | null,
	issues?: MappingIssues
): string | null {
	if (v === null) return null;
	if (typeof v === 'string') return v;
	if (typeof v === 'boolean') return v ? 'Oui' : 'Non';
	if (typeof v === 'number') return String(v);
	if (v.length === 0) return null;
	if (labels === null) return v.join(' ; ');
	let out = '';
	for (let i = 0; i < v.length; i++) {
		if (i > 0) out += ' ; ';
		out += choiceLabel(v[i] as string, labels, issues);
	}
	return out;
}

function choiceLabel(
	code: string,
	labels: ReadonlyMap<string, string>,
	issues?: MappingIssues
): string {
	const label = labels.get(code);
	if (label !== undefined) return label;
	if (issues) issues.unknownChoiceCodes++;
	return code;
}

function mismatch(v: FormValue, issues?: MappingIssues): string | null {
	if (issues) issues.mismatchedValues++;
	return textForm(v, null);
}

/** The cell of one form value, by the type of its field (see the decisions above). */
export function fieldCell(
	f: CompiledField,
	v: FormValue | undefined,
	issues?: MappingIssues
): string | number | null {
	if (v === null || v === undefined) return null;
	switch (f.type) {
		case 'text':
			return typeof v === 'string' ? v : mismatch(v, issues);
		case 'boolean':
			return typeof v === 'boolean' ? (v ? 'Oui' : 'Non') : mismatch(v, issues);
		case 'number':
			if (typeof v === 'number') return v;
			if (typeof v === 'string' && DECIMAL.test(v)) return Number(v.trim().replace(',', '.'));
			return mismatch(v, issues);
		case 'date':
			if (typeof v === 'string') {
				if (isDay(v)) return v;
				const ms = tryInstantMs(v);
				if (!Number.isNaN(ms)) return fromDayNumber(parisDayNumberOfMs(ms));
			}
			return mismatch(v, issues);
		case 'datetime':
			if (typeof v === 'string') {
				const ms = tryInstantMs(v);
				if (!Number.isNaN(ms)) return parisWallTimeOfMs(ms);
			}
			return mismatch(v, issues);
		case 'choice':
		case 'multichoice': {
			const labels = f.labels as ReadonlyMap<string, string>;
			if (typeof v === 'string') return choiceLabel(v, labels, issues);
			if (Array.isArray(v)) {
				if (f.type === 'choice' && v.length > 1 && issues) issues.mismatchedValues++;
				return textForm(v, labels, issues);
			}
			// A number may still be an option code written unquoted.
			if (typeof v === 'number' && labels.has(String(v))) return labels.get(String(v)) as string;
			return mismatch(v, issues);
		}
	}
}

export function responseRow(r: FormResponse, form: CompiledForm, ctx: RowContext): Row {
	const fields = form.fields;
	const row = new Array<string | number | null>(RESPONSE_COLUMNS.length + fields.length);
	row[0] = r.dossierId;
	row[1] = r.patient.nom;
	row[2] = r.patient.prenom;
	row[3] = r.patient.dateNaissance;
	row[4] = r.id;
	row[5] = parisWallTime(r.date);
	row[6] = r.auteur;
	const values = r.values;
	for (let i = 0; i < fields.length; i++) {
		const f = fields[i] as CompiledField;
		// Own properties only: a field id like 'constructor' must not read Object.prototype.
		const v = Object.hasOwn(values, f.id) ? values[f.id] : undefined;
		row[7 + i] = fieldCell(f, v, ctx.issues);
	}
	return row;
}
