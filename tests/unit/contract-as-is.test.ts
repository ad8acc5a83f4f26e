/**
 * List items valid as they are skip valibot's copy (src/lib/contract/as-is.ts). Whatever the
 * input, the outcome must be the schema's own: the same output, or the same breach naming the
 * same field. Checked on real sandbox items of every list, then on each of them broken field by
 * field in every way JSON allows.
 */
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxServer, type SandboxServer } from '../../sandbox/server';
import { compileAcceptor } from '../../src/lib/contract/as-is';
import {
	AppointmentSchema,
	CareCircleMemberSchema,
	DossierSchema,
	FormResponseSchema,
	FormValueSchema,
	HospitalisationSchema,
	LIST_ITEM_SCHEMAS,
	listPath,
	listSearchParams,
	STATUS_CODES,
	type ListName
} from '../../src/lib/contract/spico';

// The schemas without any fast path: the reference.
const REFERENCE: Record<ListName, v.GenericSchema> = {
	dossiers: DossierSchema,
	appointments: AppointmentSchema,
	hospitalisations: HospitalisationSchema,
	'care-circle': CareCircleMemberSchema,
	responses: v.object({
		...FormResponseSchema.entries,
		values: v.record(v.string(), FormValueSchema)
	})
};

const LISTS = Object.keys(REFERENCE) as ListName[];
let sandbox: SandboxServer;
const items = new Map<ListName, unknown[]>();

beforeAll(async () => {
	sandbox = await createSandboxServer({ scale: 'small' });
	const get = async (path: string) => {
		const r = await fetch(`${sandbox.url}/${path}`, {
			headers: { authorization: 'Bearer sandbox-alice' }
		});
		return (await r.json()) as Record<string, unknown>;
	};
	const me = (await get('me')) as { account: { structureId: string } };
	const sid = me.account.structureId;
	const thematics = (await get(`structures/${sid}/thematics`)) as {
		items: { forms: { id: string }[] }[];
	};
	const query = listSearchParams({
		from: '2019-01-01',
		to: '2026-06-30',
		archived: true,
		statuses: STATUS_CODES,
		limit: 40
	});
	for (const list of LISTS) {
		const formId = list === 'responses' ? thematics.items[0]!.forms[0]!.id : undefined;
		const page = await get(`${listPath(sid, list, formId)}?${query}`);
		items.set(list, page['items'] as unknown[]);
	}
});

afterAll(() => sandbox?.close());

type Outcome = { output: unknown } | { path: string; message: string };

function outcome(schema: v.GenericSchema, input: unknown): Outcome {
	// Each schema gets its own copy, as from JSON.parse (an own `__proto__` key included).
	const copy = input === undefined ? undefined : (JSON.parse(JSON.stringify(input)) as unknown);
	const r = v.safeParse(schema, copy);
	if (r.success) return { output: r.output };
	const issue = r.issues[0];
	return {
		path: (issue.path ?? []).map((p) => String(p.key)).join('.'),
		message: issue.message
	};
}

/** Every field's path (objects and arrays followed), the item itself first. */
function paths(x: unknown, prefix: (string | number)[] = []): (string | number)[][] {
	const out = [prefix];
	if (x !== null && typeof x === 'object') {
		for (const [k, child] of Object.entries(x)) {
			out.push(...paths(child, [...prefix, Array.isArray(x) ? Number(k) : k]));
		}
	}
	return out;
}

const REPLACEMENTS: unknown[] = [
	null,
	0,
	-1.5,
	'',
	'x',
	'2024-02-30',
	'2024-03-04T10:30:00+01:00',
	'prevu',
	true,
	[],
	['x'],
	{},
	{ a: 1 }
];

/** The item with the value at `path` replaced (or removed, for `undefined`). */
function broken(item: unknown, path: (string | number)[], value: unknown): unknown {
	const copy = JSON.parse(JSON.stringify(item)) as unknown;
	if (path.length === 0) return value;
	let at = copy as Record<string | number, unknown>;
	for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
	const last = path[path.length - 1]!;
	if (value === undefined) delete at[last];
	else at[last] = value;
	return copy;
}

describe('list items taken as they are', () => {
	it.each(LISTS)('%s: real items give the schema’s output, without a copy', (list) => {
		const list_ = items.get(list)!;
		expect(list_.length).toBeGreaterThan(0);
		const accepts = compileAcceptor(LIST_ITEM_SCHEMAS[list])!;
		for (const item of list_) {
			expect(accepts(item)).toBe(true);
			expect(outcome(LIST_ITEM_SCHEMAS[list], item)).toEqual(outcome(REFERENCE[list], item));
			// The very object comes back: no copy was made.
			const r = v.safeParse(LIST_ITEM_SCHEMAS[list], item);
			expect(r.success && r.output).toBe(item);
		}
	});

	it.each(LISTS)('%s: every field broken every way gives the schema’s outcome', (list) => {
		const item = items.get(list)![0]!;
		let breaches = 0;
		let cases = 0;
		for (const path of paths(item)) {
			for (const value of [...REPLACEMENTS, undefined]) {
				const input = broken(item, path, value);
				const fast = outcome(LIST_ITEM_SCHEMAS[list], input);
				expect(fast, `${path.join('.')} = ${JSON.stringify(value)}`).toEqual(
					outcome(REFERENCE[list], input)
				);
				cases++;
				if ('message' in fast) breaches++;
			}
		}
		// Both outcomes were exercised, at length.
		expect(breaches).toBeGreaterThan(cases / 4);
		expect(cases - breaches).toBeGreaterThan(0);
	});

	it.each(LISTS)('%s: an unknown field is still stripped', (list) => {
		const item = items.get(list)![0] as Record<string, unknown>;
		for (const extra of [{ inconnu: 'x' }, JSON.parse('{"__proto__": {"x": 1}}') as object]) {
			const input = { ...item, ...extra };
			const fast = outcome(LIST_ITEM_SCHEMAS[list], input);
			expect(fast).toEqual(outcome(REFERENCE[list], input));
			expect(fast).toEqual({ output: item });
		}
		const patient = { ...(item['patient'] as object), age: 7 };
		expect(outcome(LIST_ITEM_SCHEMAS[list], { ...item, patient })).toEqual({ output: item });
	});
});
