/**
 * The contract of SPEC §8 as an OpenAPI 3.1 document (SPEC §14), generated from the valibot
 * schemas of `src/lib/contract/spico.ts` by `@valibot/to-json-schema`, so the document cannot say
 * something the module does not check.
 *
 * `npm run openapi` writes `docs/openapi.json`; `npm run openapi -- --check` exits 1 when the
 * committed file differs from what the schemas give (the tests check the same).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toJsonSchemaDefs, type JsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import {
	AppointmentSchema,
	CareCircleMemberSchema,
	DATE_RE,
	DATETIME_RE,
	DossierSchema,
	ExtractionEventSchema,
	FieldSchema,
	FormResponseSchema,
	FormSchema,
	HospitalisationSchema,
	IsoDate,
	IsoDateTime,
	MeSchema,
	PAGE_LIMIT_MAX,
	PageEnvelopeSchema,
	PatientSchema,
	ProblemSchema,
	STATUS_CODES,
	StatusEventSchema,
	StorageKeySchema,
	ThematicSchema,
	ThematicsSchema,
	isIsoDate,
	isIsoDateTime,
	isPathSafeId
} from '../src/lib/contract/spico.ts';

export const OPENAPI_PATH = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

/** A page of a bulk list: the contract's envelope with its items' schema. */
function page<S extends v.GenericSchema>(item: S) {
	return v.object({ ...PageEnvelopeSchema.entries, items: v.array(item) });
}

/** What the platform answers to a recorded audit event (the sandbox's answer). */
const RecordedEventSchema = v.object({ id: v.pipe(v.string(), v.minLength(1)) });

const LISTS = {
	dossiers: { schema: 'DossierPage', summary: 'Dossiers in scope (one per in-scope dossier)' },
	appointments: {
		schema: 'AppointmentPage',
		summary: 'Appointments of in-scope dossiers whose start day (Paris) is in [from, to]'
	},
	hospitalisations: {
		schema: 'HospitalisationPage',
		summary:
			'Stays of in-scope dossiers overlapping the period: entree ≤ to and (sortie null or ≥ from)'
	},
	'care-circle': {
		schema: 'CareCircleMemberPage',
		summary:
			'Care-circle memberships of in-scope dossiers overlapping the period: (debut null or ≤ to) and (fin null or ≥ from)'
	}
} as const;

/** The components' schemas, converted from the contract's valibot schemas. */
export function contractSchemas(): Record<string, JsonSchema> {
	return toJsonSchemaDefs(
		{
			Date: IsoDate,
			DateTime: IsoDateTime,
			Me: MeSchema,
			Field: FieldSchema,
			Form: FormSchema,
			Thematic: ThematicSchema,
			Thematics: ThematicsSchema,
			Patient: PatientSchema,
			StatusEvent: StatusEventSchema,
			Dossier: DossierSchema,
			Appointment: AppointmentSchema,
			Hospitalisation: HospitalisationSchema,
			CareCircleMember: CareCircleMemberSchema,
			FormResponse: FormResponseSchema,
			DossierPage: page(DossierSchema),
			AppointmentPage: page(AppointmentSchema),
			HospitalisationPage: page(HospitalisationSchema),
			CareCircleMemberPage: page(CareCircleMemberSchema),
			FormResponsePage: page(FormResponseSchema),
			StorageKey: StorageKeySchema,
			ExtractionEvent: ExtractionEventSchema,
			RecordedEvent: RecordedEventSchema,
			Problem: ProblemSchema
		},
		{
			target: 'draft-2020-12',
			// Anything the converter cannot express is an error here, never silently dropped.
			errorMode: 'throw',
			overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
			overrideAction: ({ valibotAction, jsonSchema }) => {
				const action = valibotAction as { type: string; requirement?: unknown };
				if (action.type !== 'check') return undefined;
				// The contract's two calendar checks, as formats plus the regex they start with.
				if (action.requirement === isIsoDate) {
					return { ...jsonSchema, format: 'date', pattern: DATE_RE.source };
				}
				if (action.requirement === isIsoDateTime) {
					return { ...jsonSchema, format: 'date-time', pattern: DATETIME_RE.source };
				}
				// Ids go into request paths: `.` and `..` are refused (the client's paging guard).
				if (action.requirement === isPathSafeId) {
					return { ...jsonSchema, not: { enum: ['.', '..'] } };
				}
				return undefined;
			}
		}
	);
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const NO_STORE = { $ref: '#/components/headers/CacheControl' };

function problem(description: string, headers: Record<string, unknown> = {}) {
	return {
		description,
		headers: { 'Cache-Control': NO_STORE, ...headers },
		content: { 'application/problem+json': { schema: ref('Problem') } }
	};
}

function ok(description: string, schema: string, headers: Record<string, unknown> = {}) {
	return {
		description,
		headers: { 'Cache-Control': NO_STORE, ...headers },
		content: { 'application/json': { schema: ref(schema) } }
	};
}

const COMMON_ERRORS = {
	'401': { $ref: '#/components/responses/Unauthorized' },
	'429': { $ref: '#/components/responses/TooManyRequests' },
	'503': { $ref: '#/components/responses/Unavailable' }
};
const STRUCTURE_ERRORS = { ...COMMON_ERRORS, '403': { $ref: '#/components/responses/Forbidden' } };

const LIST_PARAMETERS = ['from', 'to', 'archived', 'status', 'cursor', 'limit'].map((name) => ({
	$ref: `#/components/parameters/${name}`
}));

function listOperation(operationId: string, summary: string, schema: string) {
	return {
		get: {
			operationId,
			summary,
			description:
				'Bulk list (SPEC §3, §8): only dossiers of the structure’s file active, archived ones only with archived=true, and only dossiers with at least one day (SPEC §4) in a selected status over [from, min(to, today)]. `total` is on every page; a page may hold fewer items than `limit`: follow `nextCursor` until it is null. A cursor is bound to its query (limit aside): reused with other filters it is refused with 422.',
			parameters: LIST_PARAMETERS,
			responses: {
				'200': ok('One page', schema),
				...STRUCTURE_ERRORS,
				'422': { $ref: '#/components/responses/InvalidFilters' }
			}
		}
	};
}

export function buildOpenApi(): Record<string, unknown> {
	const paths: Record<string, unknown> = {
		'/me': {
			get: {
				operationId: 'getMe',
				summary: 'The token’s user and account',
				responses: { '200': ok('The user and their account', 'Me'), ...COMMON_ERRORS }
			}
		},
		'/structures/{sid}/thematics': {
			parameters: [{ $ref: '#/components/parameters/sid' }],
			get: {
				operationId: 'getThematics',
				summary: 'Catalogue of thematics, forms and fields',
				responses: { '200': ok('The catalogue', 'Thematics'), ...STRUCTURE_ERRORS }
			}
		}
	};
	for (const [list, { schema, summary }] of Object.entries(LISTS)) {
		const name = list.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
		paths[`/structures/{sid}/${list}`] = {
			parameters: [{ $ref: '#/components/parameters/sid' }],
			...listOperation(`list${name[0]!.toUpperCase()}${name.slice(1)}`, summary, schema)
		};
	}
	paths['/structures/{sid}/forms/{formId}/responses'] = {
		parameters: [
			{ $ref: '#/components/parameters/sid' },
			{ $ref: '#/components/parameters/formId' }
		],
		...listOperation(
			'listFormResponses',
			'Responses to one form, of in-scope dossiers, whose date (Paris day) is in [from, to]',
			'FormResponsePage'
		)
	};
	paths['/structures/{sid}/storage-key'] = {
		parameters: [{ $ref: '#/components/parameters/sid' }],
		get: {
			operationId: 'getStorageKey',
			summary: 'The key that protects the module’s kept data on this browser',
			description:
				'32 random bytes (base64url, no padding), one per (user, structure), stable until the platform rotates it (then a new keyId). Only for the token’s own user.',
			responses: {
				'200': ok('The current key', 'StorageKey'),
				...STRUCTURE_ERRORS,
				'404': problem('The platform does not offer a storage key')
			}
		}
	};
	paths['/structures/{sid}/extraction-events'] = {
		parameters: [{ $ref: '#/components/parameters/sid' }],
		post: {
			operationId: 'recordExtractionEvent',
			summary: 'Audit trail: an extraction finished, failed or was cancelled',
			description:
				'Never patient data. `id` is chosen by the module: the platform keeps the first event of an id and acknowledges the others without recording them again.',
			requestBody: {
				required: true,
				content: { 'application/json': { schema: ref('ExtractionEvent') } }
			},
			responses: {
				'201': ok('Recorded', 'RecordedEvent', {
					Location: { $ref: '#/components/headers/Location' }
				}),
				'200': ok('Already recorded (same id): not recorded again', 'RecordedEvent', {
					Location: { $ref: '#/components/headers/Location' }
				}),
				...STRUCTURE_ERRORS,
				'422': problem('Invalid event (the invalid field named in invalidParams)')
			}
		}
	};

	return {
		openapi: '3.1.0',
		info: {
			title: 'SPICO API — contract consumed by Extractions brutes',
			version: '1.0.0',
			description:
				'Generated from src/lib/contract/spico.ts by `npm run openapi`: do not edit by hand. SPEC §8 is the prose; `npm run conformance` checks a server against it. Every response carries `Cache-Control: no-store`; a redirect is an error; errors are application/problem+json (RFC 9457); unknown extra fields are ignored by the module. Days are Europe/Paris calendar days.'
		},
		servers: [
			{ url: '/api/v1', description: 'Relative to the platform (the sandbox serves it here)' }
		],
		security: [{ bearer: [] }],
		paths,
		components: {
			securitySchemes: {
				bearer: { type: 'http', scheme: 'bearer', description: 'Access token of the user' }
			},
			schemas: contractSchemas(),
			parameters: {
				sid: { name: 'sid', in: 'path', required: true, schema: { type: 'string', minLength: 1 } },
				formId: {
					name: 'formId',
					in: 'path',
					required: true,
					schema: { type: 'string', minLength: 1 }
				},
				from: {
					name: 'from',
					in: 'query',
					required: true,
					description: 'First day of the period, inclusive (Paris calendar day)',
					schema: ref('Date')
				},
				to: {
					name: 'to',
					in: 'query',
					required: true,
					description: 'Last day of the period, inclusive; from ≤ to',
					schema: ref('Date')
				},
				archived: {
					name: 'archived',
					in: 'query',
					required: false,
					description: 'true includes archived dossiers (archivedAt not null)',
					schema: { type: 'string', enum: ['true', 'false'], default: 'false' }
				},
				status: {
					name: 'status',
					in: 'query',
					required: true,
					description: 'Selected statuses, repeated (status=a&status=b)',
					style: 'form',
					explode: true,
					schema: { type: 'array', minItems: 1, items: { enum: [...STATUS_CODES] } }
				},
				cursor: {
					name: 'cursor',
					in: 'query',
					required: false,
					description: 'Opaque `nextCursor` of the previous page of the same query',
					schema: { type: 'string' }
				},
				limit: {
					name: 'limit',
					in: 'query',
					required: false,
					description: 'Most items per page (a page may hold fewer)',
					schema: { type: 'integer', minimum: 1, maximum: PAGE_LIMIT_MAX }
				}
			},
			headers: {
				CacheControl: {
					description: 'On every response: no page of patient data may rest in a cache',
					required: true,
					schema: { type: 'string', const: 'no-store' }
				},
				RetryAfter: {
					description: 'Seconds (or an HTTP date) to wait before retrying',
					required: true,
					schema: { type: 'string' }
				},
				WWWAuthenticate: {
					description: 'Bearer challenge',
					schema: { type: 'string' }
				},
				Location: {
					description: 'Address of the recorded event',
					schema: { type: 'string' }
				}
			},
			responses: {
				Unauthorized: problem('Token missing, unknown or expired', {
					'WWW-Authenticate': { $ref: '#/components/headers/WWWAuthenticate' }
				}),
				Forbidden: problem('No right to extract for this structure'),
				InvalidFilters: problem(
					'Invalid filters (from, to, archived, status, limit, or a cursor of another query), named in invalidParams'
				),
				TooManyRequests: problem('Too many requests', {
					'Retry-After': { $ref: '#/components/headers/RetryAfter' }
				}),
				Unavailable: problem('Service unavailable', {
					'Retry-After': { $ref: '#/components/headers/RetryAfter' }
				})
			}
		}
	};
}

/** The document as committed: tabs, a final newline. */
export function openApiText(): string {
	return `${JSON.stringify(buildOpenApi(), null, '\t')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const text = openApiText();
	if (process.argv.includes('--check')) {
		let committed = '';
		try {
			committed = readFileSync(OPENAPI_PATH, 'utf8');
		} catch {
			// missing: reported below
		}
		if (committed !== text) {
			console.error('docs/openapi.json n’est pas à jour : lancer `npm run openapi`.');
			process.exit(1);
		}
		console.log('docs/openapi.json est à jour.');
	} else {
		writeFileSync(OPENAPI_PATH, text);
		console.log(`docs/openapi.json écrit (${text.length} octets).`);
	}
}
