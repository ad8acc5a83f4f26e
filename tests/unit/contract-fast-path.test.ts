/**
 * Form responses' `values` skip valibot's record and union when they are already what those would
 * output. Whatever the values, the outcome must be the schema's own: the same output, or the same
 * breach, naming the same field.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	FormResponseSchema,
	FormValueSchema,
	parseOrThrow,
	parsePage
} from '../../src/lib/contract/spico';

// The schema without the fast path: the reference.
const Reference = v.object({
	...FormResponseSchema.entries,
	values: v.record(v.string(), FormValueSchema)
});

function response(values: unknown): unknown {
	return {
		id: 'r1',
		dossierId: 'd7',
		formId: 'f1',
		patient: { nom: 'Nom', prenom: 'Prénom', dateNaissance: null },
		date: '2024-03-04T10:30:00+01:00',
		auteur: null,
		values,
		inconnu: 'ignoré'
	};
}

function outcome(schema: v.GenericSchema, values: unknown): unknown {
	// Each schema gets its own copy, as from JSON.parse (an own `__proto__` key included).
	const input = JSON.parse(JSON.stringify(response(values))) as unknown;
	try {
		return { output: parseOrThrow(schema, input, 'GET /forms/f1/responses', 'd7') };
	} catch (error) {
		return { error: (error as Error).message };
	}
}

const CASES: [string, unknown][] = [
	[
		'every kind of value',
		{ a: 'x', b: 1.5, c: 0, d: true, e: false, f: null, g: ['o', 'p'], h: [] }
	],
	['no values', {}],
	['an object as a value', { a: 'x', b: { c: 1 } }],
	['a number in a list', { a: ['x', 2] }],
	['a null in a list', { a: ['x', null] }],
	['a list of lists', { a: [['x']] }],
	['values as a list', ['x', 'y']],
	['values as a string', 'x'],
	['values null', null],
	['values missing', undefined],
	['a key the record drops', JSON.parse('{"a":"x","__proto__":"y","constructor":"z"}')]
];

describe('form values fast path', () => {
	it.each(CASES)('%s: the same outcome as the schema', (_, values) => {
		const fast = outcome(FormResponseSchema, values);
		expect(fast).toEqual(outcome(Reference, values));
	});

	it('both outcomes were exercised, and the unknown field is still stripped', () => {
		const outcomes = CASES.map(([, values]) => outcome(FormResponseSchema, values));
		expect(outcomes.filter((o) => 'error' in (o as object)).length).toBeGreaterThan(3);
		expect(outcomes.filter((o) => 'output' in (o as object)).length).toBeGreaterThan(2);
		const page = parsePage(
			'responses',
			{ items: [response({ a: 'x' })], nextCursor: null, total: 1 },
			'e'
		);
		expect(page.items[0]).not.toHaveProperty('inconnu');
		expect(page.items[0]?.values).toEqual({ a: 'x' });
	});

	it('a breach in a page names the item, its dossier and the value’s field', () => {
		const bad = response({ a: 'x', b: { c: 1 } });
		expect(() =>
			parsePage('responses', { items: [response({}), bad], nextCursor: null, total: 2 }, 'GET /r')
		).toThrow(expect.objectContaining({ dossierId: 'd7', field: 'items[1].values.b' }));
	});
});
