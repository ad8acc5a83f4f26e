/** The signed-in account and the catalogue of thematics and forms (SPEC §8). */
import * as v from 'valibot';
import { ContractError } from './problems.ts';
import { Id } from './scalars.ts';

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
