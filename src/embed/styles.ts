/**
 * The module's styles, for a shadow root. The components' CSS is compiled to one stylesheet by
 * the embed build and written into this file's placeholder (vite.embed.config.ts); it is adopted
 * as a constructable stylesheet rather than injected as `<style>`: a host whose CSP has no
 * `'unsafe-inline'` for styles refuses `<style>` elements, not adopted sheets.
 */

/** Replaced by the embed build with the components' CSS (a JSON string literal). */
const COMPONENT_CSS: string = '__EXTRACTIONS_BRUTES_CSS__';

/**
 * The shadow host stays a block unless the host page says otherwise (its rules on the element
 * win, as they should); everything inside is the module's alone.
 */
const HOST_CSS = ':host { display: block; }';

const sheets = new WeakMap<Document, CSSStyleSheet>();

/** One sheet per document, shared by every mounted instance. */
export function moduleStyleSheet(doc: Document): CSSStyleSheet {
	let sheet = sheets.get(doc);
	if (!sheet) {
		const View = doc.defaultView?.CSSStyleSheet ?? CSSStyleSheet;
		sheet = new View();
		sheet.replaceSync(`${HOST_CSS}\n${COMPONENT_CSS}`);
		sheets.set(doc, sheet);
	}
	return sheet;
}
