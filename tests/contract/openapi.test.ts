/**
 * docs/openapi.json: generated from the contract's valibot schemas (tools/openapi.ts), committed
 * up to date, a valid OpenAPI 3.1 document, served by the sandbox, and its response schemas accept
 * what the sandbox really answers (and refuse what breaks the contract).
 */
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxServer, type SandboxServer } from '../../sandbox/server';
import { OPENAPI_PATH, openApiText } from '../../tools/openapi';

type Json = Record<string, unknown>;
const committed = readFileSync(OPENAPI_PATH, 'utf8');
const doc = JSON.parse(committed) as Json;

let sandbox: SandboxServer;
beforeAll(async () => {
	sandbox = await createSandboxServer({ scale: 'small', port: 0, today: '2024-06-30' });
});
afterAll(async () => {
	await sandbox.close();
});

describe('docs/openapi.json', () => {
	it('is what `npm run openapi` generates from the valibot schemas', () => {
		// If this fails: run `npm run openapi` and commit docs/openapi.json.
		expect(committed).toBe(openApiText());
	});

	it('is a valid OpenAPI 3.1 document, and the validator does refuse a broken one', async () => {
		const validator = new Validator();
		const result = await validator.validate(structuredClone(doc));
		expect(result.errors).toBeUndefined();
		expect(result.valid).toBe(true);
		expect(validator.version).toBe('3.1');

		const broken = structuredClone(doc) as { paths: Record<string, Json> };
		// A response must have a description (OpenAPI 3.1, Response Object).
		delete (
			(broken.paths['/me']!.get as { responses: Record<string, Json> }).responses['200'] as Json
		).description;
		expect((await new Validator().validate(broken)).valid).toBe(false);
	});

	it('documents every endpoint of SPEC §8', () => {
		expect(Object.keys(doc.paths as Json).sort()).toEqual([
			'/me',
			'/structures/{sid}/appointments',
			'/structures/{sid}/care-circle',
			'/structures/{sid}/dossiers',
			'/structures/{sid}/extraction-events',
			'/structures/{sid}/forms/{formId}/responses',
			'/structures/{sid}/hospitalisations',
			'/structures/{sid}/storage-key',
			'/structures/{sid}/thematics'
		]);
	});

	it('is served by the sandbox at /api/v1/openapi.json, no-store', async () => {
		const res = await fetch(`${sandbox.url}/openapi.json`);
		expect(res.status).toBe(200);
		expect(res.headers.get('cache-control')).toBe('no-store');
		expect(res.headers.get('content-type')).toMatch(/^application\/json/);
		expect(await res.text()).toBe(committed);
	});
});

// --- The schemas against the sandbox's real answers ----------------------------------------------

const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats.default(ajv);
ajv.addSchema(doc, 'openapi');

function resolve(x: Json): Json {
	const ref = x.$ref as string | undefined;
	if (!ref) return x;
	return ref
		.slice(2)
		.split('/')
		.reduce<Json>((o, k) => o[k] as Json, doc);
}

/** The documented response of an operation for a status, or throws. */
function documented(path: string, method: string, status: number): Json {
	const op = ((doc.paths as Json)[path] as Json)[method] as Json;
	const response = (op.responses as Json)[String(status)] as Json | undefined;
	if (!response) throw new Error(`${method} ${path} ${status} non documenté`);
	return resolve(response);
}

/** Validates a real response against the document: media type, body schema, headers. */
async function conforms(path: string, method: string, res: Response): Promise<void> {
	const response = documented(path, method, res.status);
	const content = response.content as Record<string, { schema: Json }>;
	const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
	expect(Object.keys(content), `${method} ${path} ${res.status}`).toContain(mediaType);
	const validate = ajv.getSchema(`openapi${content[mediaType]!.schema.$ref as string}`)!;
	const body: unknown = await res.json();
	expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
	for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
		const h = resolve(header);
		const value = res.headers.get(name);
		if (h.required) expect(value, `${name} sur ${method} ${path}`).not.toBeNull();
		if (value !== null) expect(ajv.validate(h.schema as Json, value)).toBe(true);
	}
}

const SID = 'str-tnd-test';
const QUERY =
	'from=2019-01-01&to=2024-06-29&archived=true&limit=300&' +
	[
		'analyse_demande',
		'en_attente',
		'non_suivi',
		'suivi_inclusion',
		'reorientation',
		'sortie',
		'non_renseigne'
	]
		.map((s) => `status=${s}`)
		.join('&');
const get = (path: string, token: string | null = 'sandbox-alice') =>
	fetch(`${sandbox.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

describe('the document’s schemas accept the sandbox’s real answers', () => {
	it('/me, thematics, storage-key and their errors', async () => {
		await conforms('/me', 'get', await get('/me'));
		await conforms('/me', 'get', await get('/me', 'sandbox-claire'));
		await conforms('/me', 'get', await get('/me', null));
		await conforms('/structures/{sid}/thematics', 'get', await get(`/structures/${SID}/thematics`));
		await conforms(
			'/structures/{sid}/thematics',
			'get',
			await get('/structures/str-dac-loire/thematics')
		);
		await conforms(
			'/structures/{sid}/storage-key',
			'get',
			await get(`/structures/${SID}/storage-key`)
		);
	});

	it('every list, its pages and its 422', async () => {
		for (const list of ['dossiers', 'appointments', 'hospitalisations', 'care-circle']) {
			const path = `/structures/{sid}/${list}`;
			const res = await get(`/structures/${SID}/${list}?${QUERY}`);
			expect(res.status).toBe(200);
			await conforms(path, 'get', res);
			await conforms(path, 'get', await get(`/structures/${SID}/${list}?from=nope`));
		}
		const thematics = (await (await get(`/structures/${SID}/thematics`)).json()) as {
			items: { forms: { id: string }[] }[];
		};
		for (const form of thematics.items.flatMap((t) => t.forms)) {
			const res = await get(`/structures/${SID}/forms/${form.id}/responses?${QUERY}`);
			await conforms('/structures/{sid}/forms/{formId}/responses', 'get', res);
		}
	});

	it('extraction-events: 201, 200 when repeated, 422', async () => {
		const event = {
			id: 'openapi-test-1',
			userId: 'u-alice',
			filters: {
				from: '2023-01-01',
				to: '2023-12-31',
				archived: false,
				statuses: ['en_attente'],
				files: ['RDV'],
				forms: []
			},
			files: [{ name: 'RDV', rows: 3 }],
			outcome: 'done',
			startedAt: '2024-06-30T10:00:00+02:00',
			endedAt: '2024-06-30T10:00:04+02:00'
		};
		expect(ajv.validate({ $ref: 'openapi#/components/schemas/ExtractionEvent' }, event)).toBe(true);
		const post = (body: unknown) =>
			fetch(`${sandbox.url}/structures/${SID}/extraction-events`, {
				method: 'POST',
				headers: { Authorization: 'Bearer sandbox-alice', 'Content-Type': 'application/json' },
				body: JSON.stringify(body)
			});
		const path = '/structures/{sid}/extraction-events';
		const first = await post(event);
		expect(first.status).toBe(201);
		await conforms(path, 'post', first);
		const again = await post(event);
		expect(again.status).toBe(200);
		await conforms(path, 'post', again);
		await conforms(path, 'post', await post({ ...event, outcome: 'maybe' }));
	});

	it('and refuse what breaks the contract (the schemas are not vacuous)', async () => {
		const page = (await (await get(`/structures/${SID}/dossiers?${QUERY}`)).json()) as {
			items: Json[];
		};
		const dossier = page.items[0]!;
		const validate = ajv.getSchema('openapi#/components/schemas/Dossier')!;
		expect(validate(dossier)).toBe(true);
		expect(validate({ ...dossier, createdAt: '2023-02-30T10:00:00Z' })).toBe(false);
		expect(validate({ ...dossier, createdAt: '2023-02-03 10:00' })).toBe(false);
		expect(
			validate({ ...dossier, statusEvents: [{ at: dossier.createdAt, status: 'inconnu' }] })
		).toBe(false);
		const { archivedAt: _, ...withoutArchivedAt } = dossier;
		expect(validate(withoutArchivedAt)).toBe(false);
		// Unknown extra fields are allowed (SPEC §8: ignored by the module).
		expect(validate({ ...dossier, extra: 1 })).toBe(true);
		const key = ajv.getSchema('openapi#/components/schemas/StorageKey')!;
		expect(key({ keyId: 'k', key: 'A'.repeat(43) })).toBe(true);
		expect(key({ keyId: 'k', key: `${'A'.repeat(43)}=` })).toBe(false);
	});
});
