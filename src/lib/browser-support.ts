/**
 * What the module needs of the browser and cannot do without: Web Workers (every file is built
 * in one) and `CompressionStream` (Chrome 80, Firefox 113, Safari 16.4: its arrival marks the
 * versions SPEC §15 supports). Checked once at start, so that an older browser reads one clear
 * sentence instead of a form that would fail at the first extraction.
 */
export const UNSUPPORTED_BROWSER =
	'Ce navigateur ne permet pas les extractions brutes : utilisez une version à jour de Chrome, Edge ou Firefox (Firefox ESR compris), ou Safari 16.4 ou plus récent.';

/** The message to show instead of the module, or null when this browser has what it needs. */
export function unsupportedBrowserMessage(scope: object = globalThis): string | null {
	const has = (name: string) => typeof (scope as Record<string, unknown>)[name] === 'function';
	return has('Worker') && has('CompressionStream') ? null : UNSUPPORTED_BROWSER;
}
