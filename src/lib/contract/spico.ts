/**
 * The SPICO API contract (SPEC §8): the one typed, validated description of what the module
 * consumes. The module's client and the sandbox both import it, so neither can drift alone.
 */
import * as v from 'valibot';
import { isDay } from '../core/calendar.ts';
import { asIs, withFastPath } from './as-is.ts';

// --- Status codes -----------------------------------------------------------------------------

export const STATUS_CODES = [
	'analyse_demande',
	'en_attente',
	'non_suivi',
	'suivi_inclusion',
	'reorientation',
	'sortie',
	'non_renseigne'
] as const;
export type StatusCode = (typeof STATUS_CODES)[number];

/** The guide's labels, in the guide's order. */
export const STATUS_LABELS: Readonly<Record<StatusCode, string>> = {
	analyse_demande: 'Analyse de la demande',
	en_attente: 'En attente',
	non_suivi: 'Non suivi',
	suivi_inclusion: 'Suivi (Inclusion)',
	reorientation: 'Réorientation',
	sortie: 'Sortie',
	non_renseigne: 'Non renseigné'
};

// --- Scalars ----------------------------------------------------------------------------------

export const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const DATETIME_RE =
	/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * True for `YYYY-MM-DD` naming a day that exists in the proleptic Gregorian calendar (no
 * 2023-02-30; 0000-02-29 exists, year 0 being divisible by 400): the calendar's own rule, so
 * the contract, the form and the workbooks never disagree on what a day is.
 */
export function isIsoDate(s: string): boolean {
	return isDay(s);
}

/**
 * True for an ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`, up to ±23:59) whose
 * day exists (as `isIsoDate`) and whose time is 00:00–23:59:59, fractions of up to 9 digits.
 */
export function isIsoDateTime(s: string): boolean {
	const m = DATETIME_RE.exec(s);
	if (m === null || !isDay(s.slice(0, 10))) return false;
	if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return false;
	return m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
}

export const IsoDate = v.pipe(v.string(), v.check(isIsoDate, 'date attendue au format AAAA-MM-JJ'));
export const IsoDateTime = v.pipe(
	v.string(),
	v.check(isIsoDateTime, 'date-heure ISO 8601 avec décalage attendue')
);
const Text = v.nullable(v.string());
/** `.` and `..` would change a request's path once put in it (`forms/../responses`). */
export const isPathSafeId = (s: string) => s !== '.' && s !== '..';
const Id = v.pipe(
	v.string(),
	v.minLength(1),
	v.check(isPathSafeId, 'identifiant « . » ou « .. » refusé')
);

// --- /me --------------------------------------------------------------------------------------

export const MeSchema = v.object({
	user: v.object({ id: Id, name: v.string() }),
	account: v.variant('type', [
		v.object({ type: v.literal('structure'), structureId: Id, structureName: v.string() }),
		v.object({ type: v.literal('personal') })
	])
});
export type Me = v.InferOutput<typeof MeSchema>;

// --- Catalogue of thematics and forms ---------------------------------------------------------

export const FIELD_TYPES = [
	'text',
	'number',
	'date',
	'datetime',
	'boolean',
	'choice',
	'multichoice'
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FieldSchema = v.object({
	id: Id,
	label: v.string(),
	type: v.picklist(FIELD_TYPES),
	options: v.optional(v.array(v.object({ value: v.string(), label: v.string() })))
});
export type Field = v.InferOutput<typeof FieldSchema>;

export const FormSchema = v.object({ id: Id, label: v.string(), fields: v.array(FieldSchema) });
export type Form = v.InferOutput<typeof FormSchema>;

export const ThematicSchema = v.object({ id: Id, label: v.string(), forms: v.array(FormSchema) });
export type Thematic = v.InferOutput<typeof ThematicSchema>;

export const ThematicsSchema = v.object({ items: v.array(ThematicSchema) });

/**
 * Ids are unique within a list (SPEC §8): thematics in the catalogue, forms across it (their
 * responses are read by form id alone), fields within their form. The first duplicate is a
 * contract error, named, rather than two entries the screens and the columns would mix up.
 */
export function checkCatalogueIds(items: readonly Thematic[], endpoint: string): void {
	const thematics = new Set<string>();
	const forms = new Set<string>();
	const duplicate = (field: string, what: string, id: string): never => {
		throw new ContractError(endpoint, field, null, `${what} « ${id} » en double`);
	};
	items.forEach((t, i) => {
		if (thematics.has(t.id)) duplicate(`items[${i}].id`, 'identifiant de thématique', t.id);
		thematics.add(t.id);
		t.forms.forEach((f, j) => {
			if (forms.has(f.id))
				duplicate(`items[${i}].forms[${j}].id`, 'identifiant de formulaire', f.id);
			forms.add(f.id);
			const fields = new Set<string>();
			f.fields.forEach((field, k) => {
				const at = `items[${i}].forms[${j}].fields[${k}].id`;
				if (fields.has(field.id)) duplicate(at, 'identifiant de champ', field.id);
				fields.add(field.id);
			});
		});
	});
}

// --- Bulk lists -------------------------------------------------------------------------------

export const PatientSchema = v.object({
	nom: v.string(),
	prenom: v.string(),
	dateNaissance: v.nullable(IsoDate)
});
export type Patient = v.InferOutput<typeof PatientSchema>;

export const StatusEventSchema = v.object({ at: IsoDateTime, status: v.picklist(STATUS_CODES) });
export type StatusEvent = v.InferOutput<typeof StatusEventSchema>;

export const DossierSchema = v.object({
	dossierId: Id,
	patient: PatientSchema,
	ins: Text,
	nomNaissance: Text,
	nomUsage: Text,
	prenoms: Text,
	sexe: v.nullable(v.picklist(['F', 'M', 'I'])),
	adresse: Text,
	codePostal: Text,
	commune: Text,
	telephone: Text,
	courriel: Text,
	medecinTraitant: Text,
	createdAt: IsoDateTime,
	archivedAt: v.nullable(IsoDateTime),
	statusEvents: v.array(StatusEventSchema)
});
export type Dossier = v.InferOutput<typeof DossierSchema>;

export const APPOINTMENT_STATUSES = ['prevu', 'honore', 'annule', 'non_honore'] as const;
export const AppointmentSchema = v.object({
	id: Id,
	dossierId: Id,
	patient: PatientSchema,
	start: IsoDateTime,
	end: v.nullable(IsoDateTime),
	type: Text,
	motif: Text,
	lieu: Text,
	professionnel: Text,
	statut: v.picklist(APPOINTMENT_STATUSES),
	commentaire: Text
});
export type Appointment = v.InferOutput<typeof AppointmentSchema>;

export const HOSPITALISATION_MODES = ['complete', 'ambulatoire', 'hdj'] as const;
export const HospitalisationSchema = v.object({
	id: Id,
	dossierId: Id,
	patient: PatientSchema,
	etablissement: Text,
	service: Text,
	mode: v.nullable(v.picklist(HOSPITALISATION_MODES)),
	entree: IsoDate,
	sortie: v.nullable(IsoDate),
	motif: Text,
	commentaire: Text
});
export type Hospitalisation = v.InferOutput<typeof HospitalisationSchema>;

export const CARE_CIRCLE_TYPES = ['professionnel', 'structure', 'proche_aidant'] as const;
export const CareCircleMemberSchema = v.object({
	id: Id,
	dossierId: Id,
	patient: PatientSchema,
	intervenant: v.string(),
	type: v.picklist(CARE_CIRCLE_TYPES),
	specialite: Text,
	role: Text,
	identifiant: Text,
	telephone: Text,
	courriel: Text,
	debut: v.nullable(IsoDate),
	fin: v.nullable(IsoDate)
});
export type CareCircleMember = v.InferOutput<typeof CareCircleMemberSchema>;

export const FormValueSchema = v.nullable(
	v.union([v.string(), v.number(), v.boolean(), v.array(v.string())])
);
export type FormValue = v.InferOutput<typeof FormValueSchema>;

const NOT_KEPT_BY_RECORD = new Set(['__proto__', 'prototype', 'constructor']);

function isFormValue(x: unknown): boolean {
	switch (typeof x) {
		case 'string':
		case 'boolean':
			return true;
		case 'number':
			return !Number.isNaN(x);
		case 'object':
			if (x === null) return true;
			if (!Array.isArray(x)) return false;
			for (const s of x as unknown[]) if (typeof s !== 'string') return false;
			return true;
		default:
			return false;
	}
}

/**
 * True when `values` as parsed from JSON is already what the record schema would output: a plain
 * object of valid values, no key the record would drop. Anything else takes the schema's path.
 */
function isPlainFormValues(x: unknown): boolean {
	if (x === null || typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) {
		return false;
	}
	for (const key in x) {
		if (!Object.hasOwn(x, key) || NOT_KEPT_BY_RECORD.has(key)) return false;
		if (!isFormValue((x as Record<string, unknown>)[key])) return false;
	}
	return true;
}

export const FormResponseSchema = v.object({
	id: Id,
	dossierId: Id,
	patient: PatientSchema,
	formId: Id,
	date: IsoDateTime,
	auteur: Text,
	values: withFastPath(v.record(v.string(), FormValueSchema), isPlainFormValues)
});
export type FormResponse = v.InferOutput<typeof FormResponseSchema>;

/**
 * The bulk lists, by the path segment that names them under `/structures/{sid}/`. An item valid
 * as it is is taken without a copy (as-is.ts); any other goes through the schema.
 */
export const LIST_ITEM_SCHEMAS = {
	dossiers: asIs(DossierSchema),
	appointments: asIs(AppointmentSchema),
	hospitalisations: asIs(HospitalisationSchema),
	'care-circle': asIs(CareCircleMemberSchema),
	responses: asIs(FormResponseSchema)
} as const;
export type ListName = keyof typeof LIST_ITEM_SCHEMAS;
export type ListItem<L extends ListName> = v.InferOutput<(typeof LIST_ITEM_SCHEMAS)[L]>;

/** Path of a list under the API base URL; `responses` needs the form. */
export function listPath(structureId: string, list: ListName, formId?: string): string {
	const base = `structures/${encodeURIComponent(structureId)}`;
	if (list === 'responses') {
		if (formId === undefined) throw new Error('formId requis pour les réponses de formulaire');
		return `${base}/forms/${encodeURIComponent(formId)}/responses`;
	}
	return `${base}/${list}`;
}

/** The envelope of every bulk page; items are validated one by one (see `parsePage`). */
export const PageEnvelopeSchema = v.object({
	items: v.array(v.unknown()),
	nextCursor: v.nullable(v.string()),
	total: v.pipe(v.number(), v.integer(), v.minValue(0))
});

export interface Page<T> {
	items: T[];
	nextCursor: string | null;
	total: number;
}

export const PAGE_LIMIT_MAX = 5000;

/** Filters shared by every bulk list (SPEC §3, §8). */
export interface ListQuery {
	from: string;
	to: string;
	archived: boolean;
	statuses: readonly StatusCode[];
	cursor?: string | null;
	limit?: number;
}

/** Query string of a list request, in the contract's spelling (`status` repeated). */
export function listSearchParams(q: ListQuery): URLSearchParams {
	const p = new URLSearchParams();
	p.set('from', q.from);
	p.set('to', q.to);
	p.set('archived', q.archived ? 'true' : 'false');
	for (const s of q.statuses) p.append('status', s);
	if (q.cursor) p.set('cursor', q.cursor);
	if (q.limit !== undefined) p.set('limit', String(q.limit));
	return p;
}

// --- Errors -----------------------------------------------------------------------------------

const InvalidParamsSchema = v.array(v.object({ name: v.string(), reason: v.optional(v.string()) }));

/**
 * RFC 9457 problem details; every member optional as the RFC says. The invalid parameters of a
 * 422 (the RFC's `invalid-params` example, or `invalidParams`) let the user see which filter.
 */
export const ProblemSchema = v.object({
	type: v.optional(v.string()),
	title: v.optional(v.string()),
	status: v.optional(v.number()),
	detail: v.optional(v.string()),
	instance: v.optional(v.string()),
	invalidParams: v.optional(v.fallback(InvalidParamsSchema, [])),
	'invalid-params': v.optional(v.fallback(InvalidParamsSchema, []))
});
export type Problem = v.InferOutput<typeof ProblemSchema>;

/** A response that breaks the contract: names the endpoint, the dossier and the field. */
export class ContractError extends Error {
	override readonly name = 'ContractError';
	constructor(
		readonly endpoint: string,
		readonly field: string,
		readonly dossierId: string | null,
		readonly reason: string
	) {
		super(
			`Réponse non conforme de l'API (${endpoint})` +
				(dossierId ? `, dossier ${dossierId}` : '') +
				`, champ « ${field} » : ${reason}`
		);
	}
}

function issuePath(issue: v.BaseIssue<unknown>): string {
	const keys = (issue.path ?? []).map((p) => String(p.key));
	return keys.length ? keys.join('.') : '(racine)';
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
	string: 'texte',
	number: 'nombre',
	boolean: 'booléen',
	Array: 'liste',
	Object: 'objet',
	null: 'null'
};

/** What was received, by its kind only: the value itself may be patient data. */
function kindOf(input: unknown): string {
	if (input === undefined) return 'rien';
	if (input === null) return 'null';
	if (Array.isArray(input)) return 'une liste';
	switch (typeof input) {
		case 'string':
			return 'un texte';
		case 'number':
			return 'un nombre';
		case 'boolean':
			return 'un booléen';
		default:
			return 'un objet';
	}
}

/**
 * The reason of a contract issue in French. Valibot's own messages quote the received value
 * ("received \"Dupont\""), which must not reach a screen or a log: they are never used.
 */
function reasonOf(issue: v.BaseIssue<unknown>): string {
	if (issue.kind === 'validation') {
		switch (issue.type) {
			case 'check':
				return issue.message; // ours, in French, without the value
			case 'min_length':
				return 'valeur vide';
			case 'integer':
				return 'nombre entier attendu';
			case 'min_value':
				return `valeur inférieure au minimum (${issue.expected ?? '?'})`;
			default:
				return 'valeur invalide';
		}
	}
	if (issue.type === 'object' && issue.input === undefined && issue.expected?.startsWith('"')) {
		return 'champ manquant';
	}
	const expected = (issue.expected ?? '').replace(/^\((.*)\)$/, '$1');
	if (issue.type === 'picklist' || issue.type === 'literal' || issue.type === 'variant') {
		const codes = expected.replaceAll('"', '').split(' | ').join(', ');
		return typeof issue.input === 'string'
			? `code inconnu (attendu : ${codes})`
			: `code attendu (${codes}), reçu ${kindOf(issue.input)}`;
	}
	const names = expected.split(' | ').map((t) => TYPE_NAMES[t] ?? t);
	return `${names.join(' ou ')} attendu, reçu ${kindOf(issue.input)}`;
}

/** Validates `data` against `schema` or throws a ContractError naming the field. */
export function parseOrThrow<S extends v.GenericSchema>(
	schema: S,
	data: unknown,
	endpoint: string,
	dossierId: string | null = null
): v.InferOutput<S> {
	const r = v.safeParse(schema, data);
	if (r.success) return r.output;
	const issue = r.issues[0];
	throw new ContractError(endpoint, issuePath(issue), dossierId, reasonOf(issue));
}

function dossierIdOf(item: unknown): string | null {
	if (item && typeof item === 'object' && 'dossierId' in item) {
		const id = (item as { dossierId: unknown }).dossierId;
		if (typeof id === 'string' || typeof id === 'number') return String(id);
	}
	return null;
}

/**
 * Validates one bulk page; a bad item fails the whole page, naming its dossier and field. A
 * page of more than `limit` items (the limit asked for) is refused before any item is read.
 */
export function parsePage<L extends ListName>(
	list: L,
	data: unknown,
	endpoint: string,
	limit: number = PAGE_LIMIT_MAX
): Page<ListItem<L>> {
	const envelope = parseOrThrow(PageEnvelopeSchema, data, endpoint);
	if (envelope.items.length > limit) {
		throw new ContractError(
			endpoint,
			'items',
			null,
			`${envelope.items.length} éléments pour une limite de ${limit} par page`
		);
	}
	const schema = LIST_ITEM_SCHEMAS[list] as v.GenericSchema<unknown, ListItem<L>>;
	const items = envelope.items.map((item, i) => {
		const r = v.safeParse(schema, item);
		if (r.success) return r.output;
		const issue = r.issues[0];
		throw new ContractError(
			endpoint,
			`items[${i}].${issuePath(issue)}`,
			dossierIdOf(item),
			reasonOf(issue)
		);
	});
	return { items, nextCursor: envelope.nextCursor, total: envelope.total };
}

// --- Storage key (SPEC §8) -------------------------------------------------------------------

/** One key per (user, structure), 32 bytes in base64url without padding; a new `keyId` on rotation. */
export const StorageKeySchema = v.object({
	keyId: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
	key: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/))
});
export type StorageKey = v.InferOutput<typeof StorageKeySchema>;

// --- Audit trail (SPEC §8) --------------------------------------------------------------------

export const EXTRACTION_OUTCOMES = ['done', 'failed', 'cancelled'] as const;
export const ExtractionEventSchema = v.object({
	/**
	 * Chosen by the module (the task's id), so that a POST retried after a lost answer records
	 * the event once: the platform keeps the first event of an id and ignores the others.
	 */
	id: v.optional(Id),
	userId: Id,
	filters: v.object({
		from: IsoDate,
		to: IsoDate,
		archived: v.boolean(),
		statuses: v.array(v.picklist(STATUS_CODES)),
		files: v.array(v.string()),
		forms: v.array(v.string())
	}),
	files: v.array(v.object({ name: v.string(), rows: v.pipe(v.number(), v.integer()) })),
	/** SPEC §13: the files carry pseudonyms instead of identities (absent: identified). */
	pseudonymised: v.optional(v.boolean()),
	outcome: v.picklist(EXTRACTION_OUTCOMES),
	reason: v.optional(v.string()),
	startedAt: IsoDateTime,
	endedAt: IsoDateTime
});
export type ExtractionEvent = v.InferOutput<typeof ExtractionEventSchema>;
