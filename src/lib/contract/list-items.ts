/** The items of the bulk lists (SPEC §8): dossiers and the rows attached to them. */
import * as v from 'valibot';
import { asIs, withFastPath } from './as-is.ts';
import { Id, IsoDate, IsoDateTime, STATUS_CODES, Text } from './scalars.ts';

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
