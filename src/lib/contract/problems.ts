/** Errors (SPEC §8): the API's problem+json, and the module's own error for a response that breaks the contract. */
import * as v from 'valibot';

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

export function issuePath(issue: v.BaseIssue<unknown>): string {
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
export function reasonOf(issue: v.BaseIssue<unknown>): string {
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
