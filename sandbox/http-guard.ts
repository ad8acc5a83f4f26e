/**
 * What keeps the sandbox standing (SPEC §9): no request, however malformed, stops the server,
 * and the control endpoints take only JSON without prototype keys. The sandbox listens on
 * loopback with open CORS, so any web page the developer visits can reach it.
 */

/** Keys that reach an object's prototype when written through a path: refused everywhere. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([
	'__proto__',
	'constructor',
	'prototype'
]);

/**
 * The request target as a URL, or null when it cannot be one. Only the origin form (`/path?q`)
 * is served; `//[/api/v1/me` used to throw out of `new URL(target, base)` (a host `[`).
 */
export function requestUrl(target: string | undefined): URL | null {
	const t = target ?? '/';
	if (!t.startsWith('/')) return null;
	try {
		// Prefixed, not resolved against a base: `//host/…` stays a path.
		return new URL(`http://sandbox.invalid${t}`);
	} catch {
		return null;
	}
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(value: string | undefined): boolean {
	return value !== undefined && /^application\/json\s*(;|$)/i.test(value.trim());
}

/** The path of the first prototype key in a parsed JSON value (`malformed.__proto__`), or null. */
export function prototypeKeyPath(value: unknown): string | null {
	const stack: [unknown, string][] = [[value, '']];
	while (stack.length > 0) {
		const [node, path] = stack.pop()!;
		if (node === null || typeof node !== 'object') continue;
		for (const key of Object.keys(node)) {
			const at = path ? `${path}.${key}` : key;
			if (PROTOTYPE_KEYS.has(key)) return at;
			stack.push([(node as Record<string, unknown>)[key], at]);
		}
	}
	return null;
}

/** True when a dotted field path (`patient.nom`) names a prototype key in any segment. */
export function hasPrototypeSegment(path: string): boolean {
	return path.split('.').some((key) => PROTOTYPE_KEYS.has(key));
}
