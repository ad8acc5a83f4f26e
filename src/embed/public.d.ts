/**
 * Extractions brutes — the public API of the embeddable module `build/embed/extractions-brutes.js`
 * (SPEC §10). Importing the module defines the custom element `<extractions-brutes>`; `mount()`
 * does the same from script. Either way the module lives in a shadow root of its own and talks
 * only to `apiBaseUrl`; its workers load from beside the module (CSP `worker-src 'self'`).
 */

/** The task's état, as the Tâches view shows it. */
export type TaskState = 'En cours' | 'A traiter' | 'Traité' | 'Échec' | 'Annulée';

export type TaskOutcome = 'done' | 'failed' | 'cancelled';

/** What the host is told about a task: names and counts, never patient data. */
export interface TaskSummary {
	id: string;
	state: TaskState;
	/** Null while the task runs. */
	outcome: TaskOutcome | null;
	/** `Generic_extractions_brutes_<DDMMYYYY>_<DDMMYYYY>.zip` */
	zipName: string;
	/** Each workbook's name and data rows (the planned files with 0 rows while it runs). */
	files: { fileName: string; rows: number }[];
	/** Launch time, epoch ms. */
	createdAt: number;
	/** End time, epoch ms; null while it runs. */
	dueAt: number | null;
}

/**
 * Returns the bearer token for the next request (null: none). Called before each request with no
 * argument: a cached token is fine. After the API refused a token (401) it is called once with
 * `{ refresh: true }`: return a new token (renew it with your identity provider), and the request
 * is replayed once with it; a second refusal shows « Session expirée ».
 */
export type TokenGetter = (request?: TokenRequest) => Promise<string | null> | string | null;

export interface TokenRequest {
	/** True after a 401: the last token was refused, a fresh one is wanted. */
	refresh: boolean;
}

export interface MountOptions {
	/** Base URL of the SPICO API, e.g. `https://spico.example/api/v1` (relative: to the page). */
	apiBaseUrl: string;
	getToken?: TokenGetter;
	/** A task was created (« En cours »), before any data is fetched. */
	onTaskCreated?: (task: TaskSummary) => void;
	/** A task ended: done (its ZIP was offered), failed or cancelled. */
	onTaskDone?: (task: TaskSummary) => void;
	/**
	 * Offered as « Changer de compte » when the signed-in account is a personal one (it cannot
	 * extract): switch the user to the structure's account, then remount or reload the module.
	 * Absent: the personal account's page only says to switch.
	 */
	onSwitchAccount?: () => void;
	/** Task database name after the prefix `extractions-brutes:` (default `taches`). */
	tasksDatabase?: string;
	/** Longest period the form accepts, in years (default 5). */
	maxPeriodYears?: number;
	/** Days a task and its encrypted ZIP are kept in the browser (default 7). */
	retentionDays?: number;
}

/**
 * Removes the module: a running extraction is cancelled and its workers terminated, the task
 * database closed, every listener removed. Resolves when all of that is done; calling it again
 * returns the same promise.
 */
export type Unmount = () => Promise<void>;

/**
 * Shows the module inside `target` (appended, in a shadow root of its own). Throws a TypeError
 * when the options are invalid.
 */
export declare function mount(target: Element, options: MountOptions): Unmount;

/** The element's attributes (numbers as text); `getToken` is a property, never an attribute. */
export interface ExtractionsBrutesAttributes {
	'api-base-url': string;
	'tasks-database'?: string;
	'max-period-years'?: string;
	'retention-days'?: string;
}

/** The element's events: `detail` is the task's summary. They bubble. */
export interface ExtractionsBrutesEventMap extends HTMLElementEventMap {
	'task-created': CustomEvent<TaskSummary>;
	'task-done': CustomEvent<TaskSummary>;
}

/**
 * `<extractions-brutes api-base-url="…" tasks-database="…" max-period-years="…"
 * retention-days="…">`. Set the `getToken` property before inserting it. It mounts when
 * connected, unmounts when removed, and mounts again when an attribute changes.
 */
export declare class ExtractionsBrutesElement extends HTMLElement {
	static readonly observedAttributes: readonly (keyof ExtractionsBrutesAttributes)[];
	/** Reflects `api-base-url`. */
	apiBaseUrl: string | null;
	/** Read at every request: replacing it does not remount the module. */
	getToken: TokenGetter | null;
	/** See `MountOptions.onSwitchAccount`; set it before inserting the element. */
	onSwitchAccount: (() => void) | null;
	addEventListener<K extends keyof ExtractionsBrutesEventMap>(
		type: K,
		listener: (this: ExtractionsBrutesElement, ev: ExtractionsBrutesEventMap[K]) => unknown,
		options?: boolean | AddEventListenerOptions
	): void;
	addEventListener(
		type: string,
		listener: EventListenerOrEventListenerObject,
		options?: boolean | AddEventListenerOptions
	): void;
	removeEventListener<K extends keyof ExtractionsBrutesEventMap>(
		type: K,
		listener: (this: ExtractionsBrutesElement, ev: ExtractionsBrutesEventMap[K]) => unknown,
		options?: boolean | EventListenerOptions
	): void;
	removeEventListener(
		type: string,
		listener: EventListenerOrEventListenerObject,
		options?: boolean | EventListenerOptions
	): void;
}

/** `'extractions-brutes'` */
export declare const TAG_NAME: 'extractions-brutes';

declare global {
	interface HTMLElementTagNameMap {
		'extractions-brutes': ExtractionsBrutesElement;
	}
}
