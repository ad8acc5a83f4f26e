// Validation without copies. valibot's `v.object` builds a new object for every item it checks
// (and a dataset for every field): on a bulk page that was as much work as `JSON.parse`, and the
// garbage of it. An input the schema would output unchanged — every field valid, no field it
// would strip — is taken as it is; anything else goes through the schema itself, whose output or
// breach (naming the field) is what the caller gets, exactly as before.
import type * as v from 'valibot';

/** True when the schema would output `x` unchanged (deep-equal). */
export type Acceptor = (x: unknown) => boolean;

const ACCEPTOR = Symbol('acceptor');

type AnySchema = v.GenericSchema & {
	[ACCEPTOR]?: Acceptor;
	options?: readonly unknown[];
	wrapped?: AnySchema;
	default?: unknown;
	item?: AnySchema;
	entries?: Record<string, AnySchema>;
	pipe?: readonly { kind: string; type: string; requirement?: unknown }[];
	literal?: unknown;
};

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
	x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype;

/**
 * The acceptor of a schema built from the pieces the contract uses (object, array, nullable,
 * optional, picklist, literal, string, number, boolean, and pipes of `check` and `minLength`),
 * or null when it has anything else: such a schema gets no fast path.
 */
export function compileAcceptor(schema: v.GenericSchema): Acceptor | null {
	const s = schema as AnySchema;
	const own = s[ACCEPTOR];
	if (own) return own;
	// A piped schema keeps the type of its first piece: the pipe's checks come first.
	if (s.pipe) return pipeAcceptor(s);
	switch (s.type) {
		// Named functions, so that a CPU profile says where validation time goes.
		case 'string':
			return function acceptString(x) {
				return typeof x === 'string';
			};
		case 'number':
			return function acceptNumber(x) {
				return typeof x === 'number' && !Number.isNaN(x);
			};
		case 'boolean':
			return function acceptBoolean(x) {
				return typeof x === 'boolean';
			};
		case 'literal': {
			const literal = s.literal;
			return function acceptLiteral(x) {
				return x === literal;
			};
		}
		case 'picklist': {
			const options = new Set(s.options);
			return function acceptPicklist(x) {
				return options.has(x);
			};
		}
		case 'nullable': {
			// A default would replace null: not an output equal to the input.
			if (s.default !== undefined || !s.wrapped) return null;
			const inner = compileAcceptor(s.wrapped);
			return (
				inner &&
				function acceptNullable(x) {
					return x === null || inner(x);
				}
			);
		}
		case 'array': {
			const item = s.item && compileAcceptor(s.item);
			if (!item) return null;
			return function acceptArray(x) {
				if (!Array.isArray(x)) return false;
				for (const e of x as unknown[]) if (!item(e)) return false;
				return true;
			};
		}
		case 'object':
			return s.entries ? objectAcceptor(s.entries) : null;
		default:
			return null;
	}
}

function objectAcceptor(entries: Record<string, AnySchema>): Acceptor | null {
	const fields: { key: string; optional: boolean; accepts: Acceptor }[] = [];
	for (const [key, entry] of Object.entries(entries)) {
		const optional = entry.type === 'optional';
		if (optional && entry.default !== undefined) return null;
		const target = optional ? entry.wrapped : entry;
		const accepts = target && compileAcceptor(target);
		if (!accepts) return null;
		fields.push({ key, optional, accepts });
	}
	return function acceptObject(x) {
		if (!isPlainObject(x)) return false;
		let present = 0;
		for (const field of fields) {
			if (!Object.hasOwn(x, field.key)) {
				if (field.optional) continue;
				return false;
			}
			present++;
			if (!field.accepts(x[field.key])) return false;
		}
		// Any other key (unknown, `__proto__`…) would be stripped: the output would differ.
		return Object.keys(x).length === present;
	};
}

function pipeAcceptor(s: AnySchema): Acceptor | null {
	const [first, ...actions] = s.pipe!;
	const base = compileAcceptor(first as unknown as v.GenericSchema);
	if (!base) return null;
	const checks: Acceptor[] = [];
	for (const action of actions) {
		if (action.kind !== 'validation') return null;
		if (action.type === 'check') {
			checks.push(action.requirement as Acceptor);
		} else if (action.type === 'min_length') {
			const min = action.requirement as number;
			checks.push((x) => (x as { length: number }).length >= min);
		} else {
			return null;
		}
	}
	return function acceptPipe(x) {
		if (!base(x)) return false;
		for (const check of checks) if (!check(x)) return false;
		return true;
	};
}

/**
 * `schema`, taking the inputs `accepts` approves as they are (no copy). Anything else goes
 * through `schema`, whose issues name the field as before. The acceptor also serves the
 * acceptors of the schemas built around this one.
 */
export function withFastPath<S extends v.GenericSchema>(schema: S, accepts: Acceptor): S {
	const run: S['~run'] = (dataset, config) => {
		if (!accepts(dataset.value)) return schema['~run'](dataset, config);
		(dataset as { typed: boolean }).typed = true;
		return dataset as ReturnType<S['~run']>;
	};
	return Object.assign(Object.create(schema) as S, { '~run': run, [ACCEPTOR]: accepts });
}

/** `schema` with its own compiled acceptor; throws if it has a piece the compiler skips. */
export function asIs<S extends v.GenericSchema>(schema: S): S {
	const accepts = compileAcceptor(schema);
	if (!accepts) throw new Error(`Schéma sans chemin rapide : ${schema.type}`);
	return withFastPath(schema, accepts);
}
