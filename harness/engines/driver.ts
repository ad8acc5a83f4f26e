/**
 * One small interface over the browsers that Playwright does not drive here: Firefox ESR
 * (puppeteer-core over WebDriver BiDi) and WebKitGTK (selenium-webdriver over WebDriver classic).
 * The tests and the bench drive the app through it as a user does (native clicks on elements
 * found by their labels), read the page with scripts, and get each download's bytes.
 *
 *   const browser = await launchEngine('firefox');     // or 'webkit'
 *   const page = await browser.newPage();
 *   await page.goto(appUrl);
 *   await fillEverythingIn(page, { from, to });
 *   const zip = await page.downloadAfter(() => page.click({ button: 'Lancer les extractions' }));
 *   await browser.close();
 */
export type EngineName = 'chromium' | 'firefox' | 'webkit';

/** An element as a user finds it: by its visible text, label or legend. */
export type ElementQuery =
	/** A button or link whose text starts with this. */
	| { button: string; within?: string }
	/** The form control that this `<label>` names. */
	| { label: string }
	/** The radio answering `answer` in the group whose legend is `legend`. */
	| { legend: string; answer: string }
	/** The checkbox whose label starts with this, in the fieldset whose legend is `legend`. */
	| { legend: string; checkbox: string };

export interface Download {
	/** The file name the page asked for (`download` attribute). */
	name: string;
	bytes: Uint8Array;
}

export interface DriverPage {
	readonly engine: EngineName;
	goto(url: string): Promise<void>;
	reload(): Promise<void>;
	/** Evaluates a JavaScript expression in the page (promises awaited); JSON-like results. */
	evaluate<T>(expression: string): Promise<T>;
	/** A native click on the element, once it is there (within `timeoutMs`). */
	click(query: ElementQuery, timeoutMs?: number): Promise<void>;
	/** Sets a date field's value as the picker would (`YYYY-MM-DD`), with its input event. */
	fillDate(label: string, value: string): Promise<void>;
	/** Resolves once `expression` is truthy in the page; rejects after `timeoutMs`. */
	waitFor(expression: string, timeoutMs?: number, what?: string): Promise<void>;
	/** Runs `action` (a click), then waits for the file it makes the page download. */
	downloadAfter(action: () => Promise<void>, timeoutMs?: number): Promise<Download>;
	/** Errors the page reported on its console or left uncaught, when the engine tells. */
	readonly consoleErrors: string[];
}

export interface EngineBrowser {
	readonly engine: EngineName;
	/** Version string, e.g. `Firefox 153.8.0esr` or `WebKitGTK 2.50.6`. */
	readonly version: string;
	newPage(): Promise<DriverPage>;
	/** Process id of the browser (the root of its process tree), when known. */
	readonly pid: number | null;
	close(): Promise<void>;
}

/**
 * The page-side finder, as source (not a serialised function: the test runner's transform may
 * wrap functions in helpers the page does not have). `__ebFind(query)` returns the element or null.
 */
export const FINDER = String.raw`(function (q) {
	const text = (el) => (el && el.textContent ? el.textContent.replace(/\s+/g, ' ').trim() : '');
	const shown = (el) => !!el && el.getClientRects().length > 0;
	const legendOf = (fs) => text(fs.querySelector(':scope > legend'));
	if ('button' in q) {
		const root = q.within ? document.querySelector(q.within) : document;
		if (!root) return null;
		return Array.from(root.querySelectorAll('button, a[href]')).find(
			(b) => shown(b) && !b.disabled && text(b).startsWith(q.button)
		) || null;
	}
	if ('label' in q) {
		const label = Array.from(document.querySelectorAll('label')).find((l) => text(l) === q.label);
		return (label && label.control) || null;
	}
	const group = Array.from(document.querySelectorAll('fieldset')).find((f) => legendOf(f) === q.legend);
	if (!group) return null;
	const inputs = Array.from(group.querySelectorAll('input'));
	if ('answer' in q) {
		return inputs.find((i) => i.type === 'radio' && i.labels && text(i.labels[0]) === q.answer) || null;
	}
	return inputs.find((i) => i.type === 'checkbox' && i.labels && text(i.labels[0]).startsWith(q.checkbox)) || null;
})`;

/**
 * Put in the page after each load: keeps each Blob given a URL, and each click on a `download`
 * link (the link is still followed: the browser does what it does with it).
 */
export const DOWNLOAD_CAPTURE = `(() => {
	if (window.__ebCapture) return true;
	const blobs = new Map();
	const clicks = [];
	const create = URL.createObjectURL;
	URL.createObjectURL = function (object) {
		const url = create.call(URL, object);
		if (object instanceof Blob) blobs.set(url, object);
		return url;
	};
	const click = HTMLAnchorElement.prototype.click;
	HTMLAnchorElement.prototype.click = function () {
		if (this.download && blobs.has(this.href)) clicks.push({ url: this.href, name: this.download, at: Date.now() });
		return click.call(this);
	};
	document.addEventListener('click', (e) => {
		const a = e.target instanceof Element ? e.target.closest('a[download]') : null;
		if (a && e.isTrusted && blobs.has(a.href)) clicks.push({ url: a.href, name: a.download, at: Date.now() });
	}, true);
	window.__ebCapture = { blobs, clicks };
	return true;
})()`;

/** An expression that finds `query` in the page. */
export const findExpression = (query: ElementQuery): string =>
	`${FINDER}(${JSON.stringify(query)})`;

/** An expression that sets a date field by its label and tells Svelte (input, change). */
export const fillDateExpression = (label: string, value: string): string =>
	`(() => {
		const el = ${findExpression({ label })};
		if (!el) return false;
		el.value = ${JSON.stringify(value)};
		el.dispatchEvent(new Event('input', { bubbles: true }));
		el.dispatchEvent(new Event('change', { bubbles: true }));
		el.dispatchEvent(new Event('blur'));
		return el.value === ${JSON.stringify(value)};
	})()`;

/** Polls `check` every 100 ms until it is truthy, or fails after `timeoutMs` naming `what`. */
export async function poll<T>(
	check: () => Promise<T>,
	timeoutMs: number,
	what: string
): Promise<NonNullable<T>> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > end) throw new Error(`${what} : rien après ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, 100));
	}
}
