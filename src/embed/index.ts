/**
 * The embeddable module (SPEC §10): `mount(target, options)` and the custom element
 * `<extractions-brutes>`. Built by vite.embed.config.ts into build/embed/extractions-brutes.js,
 * its workers beside it. The public types are in ./public.d.ts, checked against this file below.
 */
import { mount as mountComponent, unmount as unmountComponent } from 'svelte';
import { parseConfig, type AppConfig } from '../lib/config';
import { AppSession } from '../lib/state/session.svelte';
import type { TaskSummary } from '../lib/tasks/summary';
import EmbeddedApp from './EmbeddedApp.svelte';
import type * as Public from './public';
import { moduleStyleSheet } from './styles';

export type {
	MountOptions,
	TaskOutcome,
	TaskState,
	TaskSummary,
	TokenGetter,
	TokenRequest,
	Unmount,
	ExtractionsBrutesAttributes,
	ExtractionsBrutesEventMap
} from './public';

export const TAG_NAME = 'extractions-brutes';

/** Named in the messages of invalid options. */
const OPTIONS = 'options du module';

/** The host's options as the session's settings; a relative API URL is resolved on the page. */
function settingsOf(options: Public.MountOptions, doc: Document): AppConfig {
	const config = parseConfig(
		{
			apiBaseUrl: options.apiBaseUrl,
			maxPeriodYears: options.maxPeriodYears,
			retentionDays: options.retentionDays,
			tasksDatabase: options.tasksDatabase
		},
		OPTIONS
	);
	return { ...config, apiBaseUrl: new URL(config.apiBaseUrl, doc.baseURI).href };
}

/** The module in a shadow root; returns its detach (idempotent). */
function attach(root: ShadowRoot, options: Public.MountOptions): () => Promise<void> {
	const doc = root.ownerDocument;
	root.adoptedStyleSheets = [moduleStyleSheet(doc)];
	const session = new AppSession({
		config: async () => settingsOf(options, doc),
		...(options.getToken ? { getToken: options.getToken } : {}),
		...(options.onTaskCreated ? { onTaskCreated: options.onTaskCreated } : {}),
		...(options.onTaskDone ? { onTaskDone: options.onTaskDone } : {}),
		...(options.onSwitchAccount ? { onSwitchAccount: options.onSwitchAccount } : {})
	});
	const app = mountComponent(EmbeddedApp, { target: root, props: { session } });
	void session.load();
	let detached: Promise<void> | null = null;
	return () =>
		(detached ??= (async () => {
			// The view goes at once (its listeners with it); then the run and the database.
			await unmountComponent(app);
			await session.close();
			root.adoptedStyleSheets = [];
		})());
}

export function mount(target: Element, options: Public.MountOptions): Public.Unmount {
	if (!(target instanceof Element)) {
		throw new TypeError('mount() : un élément de la page est attendu comme cible.');
	}
	try {
		settingsOf(options, target.ownerDocument);
	} catch (error) {
		throw new TypeError(error instanceof Error ? error.message : String(error));
	}
	const host = target.ownerDocument.createElement('div');
	host.setAttribute('data-extractions-brutes', '');
	target.append(host);
	const detach = attach(host.attachShadow({ mode: 'open' }), options);
	let done: Promise<void> | null = null;
	return () => {
		if (!done) {
			host.remove();
			done = detach();
		}
		return done;
	};
}

const ATTRIBUTES: readonly (keyof Public.ExtractionsBrutesAttributes)[] = [
	'api-base-url',
	'tasks-database',
	'max-period-years',
	'retention-days'
];

function numberOf(value: string | null): number | undefined {
	return value === null || value.trim() === '' ? undefined : Number(value);
}

export class ExtractionsBrutesElement extends HTMLElement {
	static readonly observedAttributes = ATTRIBUTES;

	#getToken: Public.TokenGetter | null = null;
	#onSwitchAccount: (() => void) | null = null;
	#detach: (() => Promise<void>) | null = null;
	/** Mounts and unmounts one after the other, never two at once. */
	#queue: Promise<void> = Promise.resolve();
	#scheduled = false;

	get apiBaseUrl(): string | null {
		return this.getAttribute('api-base-url');
	}
	set apiBaseUrl(value: string | null) {
		if (value === null) this.removeAttribute('api-base-url');
		else this.setAttribute('api-base-url', value);
	}

	get getToken(): Public.TokenGetter | null {
		return this.#getToken;
	}
	set getToken(value: Public.TokenGetter | null) {
		this.#getToken = value;
	}

	get onSwitchAccount(): (() => void) | null {
		return this.#onSwitchAccount;
	}
	set onSwitchAccount(value: (() => void) | null) {
		const had = this.#onSwitchAccount !== null;
		this.#onSwitchAccount = value;
		// Whether « Changer de compte » is offered is decided at mount.
		if (had !== (value !== null) && this.isConnected) this.#schedule();
	}

	connectedCallback() {
		// Properties set on the element before the module defined it are own properties: take them.
		if (Object.hasOwn(this, 'getToken')) {
			const value = (this as { getToken: Public.TokenGetter | null }).getToken;
			delete (this as { getToken?: unknown }).getToken;
			this.getToken = value;
		}
		if (Object.hasOwn(this, 'onSwitchAccount')) {
			const value = (this as { onSwitchAccount: (() => void) | null }).onSwitchAccount;
			delete (this as { onSwitchAccount?: unknown }).onSwitchAccount;
			this.#onSwitchAccount = value;
		}
		this.#schedule();
	}

	disconnectedCallback() {
		this.#schedule();
	}

	attributeChangedCallback(_name: string, before: string | null, after: string | null) {
		if (before !== after) this.#schedule();
	}

	// In a microtask: the script that inserted the element may still be setting it up.
	#schedule() {
		if (this.#scheduled) return;
		this.#scheduled = true;
		queueMicrotask(() => {
			this.#scheduled = false;
			this.#queue = this.#queue.then(() => this.#render());
		});
	}

	async #render() {
		const detach = this.#detach;
		this.#detach = null;
		await detach?.();
		if (!this.isConnected) return;
		const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
		const dispatch = (type: 'task-created' | 'task-done') => (task: TaskSummary) =>
			this.dispatchEvent(new CustomEvent(type, { detail: task, bubbles: true }));
		this.#detach = attach(root, {
			apiBaseUrl: this.getAttribute('api-base-url') ?? '',
			getToken: async (request) => (await this.#getToken?.(request)) ?? null,
			...(this.#onSwitchAccount ? { onSwitchAccount: () => this.#onSwitchAccount?.() } : {}),
			onTaskCreated: dispatch('task-created'),
			onTaskDone: dispatch('task-done'),
			...optional('tasksDatabase', this.getAttribute('tasks-database') ?? undefined),
			...optional('maxPeriodYears', numberOf(this.getAttribute('max-period-years'))),
			...optional('retentionDays', numberOf(this.getAttribute('retention-days')))
		});
	}
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
	return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

if (typeof customElements !== 'undefined' && !customElements.get(TAG_NAME)) {
	customElements.define(TAG_NAME, ExtractionsBrutesElement);
}

// The hand-written public declarations must describe this implementation.
mount satisfies typeof Public.mount;
ExtractionsBrutesElement satisfies typeof Public.ExtractionsBrutesElement;
TAG_NAME satisfies typeof Public.TAG_NAME;
