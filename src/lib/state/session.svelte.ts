/**
 * The app's session: the settings (config.json standalone, the host's options embedded), the API
 * client, who is signed in (`/me`), the task list of that (user, structure), and the extraction
 * run. Whoever shows the app holds one (the standalone layout, an embedded `mount()`), so that a
 * run goes on while the user looks at the Tâches view.
 */
import {
	createSpicoClient,
	type SpicoClient,
	type TokenGetter,
	type TokenRequest
} from '../api/client';
import type { Thematic } from '../contract/spico';
import type { LaunchInstant } from '../core/calendar';
import type { ExtractionRequest } from '../core/request';
import type { AccountActions, SignIn } from '../auth/account';
import { unsupportedBrowserMessage } from '../browser-support';
import { configTokenSource, loadConfig, type AppConfig } from '../config';
import {
	directAudit,
	openTasks,
	taskRecorder,
	type TaskRecord,
	type TasksService
} from '../tasks/index';
import { taskSummary, type TaskSummary } from '../tasks/summary';
import { ExtractionRun } from './extraction-run.svelte';

type TaskCallback = (task: TaskRecord) => void;

export interface ReadySession {
	kind: 'ready';
	config: AppConfig;
	client: SpicoClient;
	/** The bearer token before each request (the host's getter, or config.json's demo token). */
	getToken: TokenGetter;
	userId: string;
	userName: string;
	structureId: string;
	structureName: string;
	/** Null when this browser cannot keep tasks (IndexedDB refused, e.g. some private modes). */
	tasks: TasksService | null;
	tasksError: string | null;
	/** What the header offers: sign-out, account switch (none with a host's or demo token). */
	account: AccountActions;
}

/** A personal account (SPEC §2 step 1): no extraction, but the header and its account switch. */
export interface PersonalSession {
	kind: 'personal';
	userName: string;
	account: AccountActions;
}

export type SessionView =
	| { kind: 'loading' }
	/** `signIn`: the way out of a sign-in failure (« Se reconnecter »). */
	| { kind: 'error'; message: string; signIn?: () => void }
	/** A browser too old for the module (no retry: nothing will change). */
	| { kind: 'unsupported'; message: string }
	/** Back from « Se déconnecter »: nothing of the previous session is shown. */
	| { kind: 'signed-out'; signIn: () => void }
	| PersonalSession
	| ReadySession;

/** Where a session gets its settings and token, and whom it tells about tasks. */
export interface SessionSource {
	/** The settings: config.json beside the app by default; an embedding host's options. */
	config?: () => Promise<AppConfig>;
	/** Called before each request; default: the `token` of the settings (sandbox and demos). */
	getToken?: (request?: TokenRequest) => Promise<string | null> | string | null;
	/** For hosts: counts and names only, never patient data. Their errors are ignored. */
	onTaskCreated?: (task: TaskSummary) => void;
	onTaskDone?: (task: TaskSummary) => void;
	/** Standalone: OpenID Connect when the settings have `auth` (src/lib/auth). */
	signIn?: SignIn;
	/** Embedded: the host's « Changer de compte » (the personal account's page offers it). */
	onSwitchAccount?: () => void;
}

/** A failed sign-in, or an API that refused the token: « Se reconnecter » is the way out. */
function isSignInFailure(error: unknown): boolean {
	const e = error as { name?: string; kind?: string };
	return e.name === 'AuthError' || (e.name === 'ApiError' && e.kind === 'unauthorized');
}

function messageOf(error: unknown): string {
	// ApiError, ContractError and ConfigError all carry a French message for the user.
	if (error instanceof Error && error.message) return error.message;
	return 'Une erreur inattendue est survenue.';
}

export const TASKS_UNAVAILABLE =
	'Les tâches ne peuvent pas être enregistrées dans ce navigateur (stockage local indisponible) : les extractions restent possibles, leur fichier est proposé au téléchargement à la fin.';

export class AppSession {
	view = $state.raw<SessionView>({ kind: 'loading' });
	/** The renewal after a 401 failed: « Session expirée », « Se reconnecter ». */
	expired = $state(false);
	readonly run = new ExtractionRun();
	readonly #source: SessionSource;
	/** The launch in progress, until its hooks (task, audit) are through. */
	#running: Promise<void> | null = null;
	#closed = false;

	constructor(source: SessionSource = {}) {
		this.#source = source;
	}

	async load(): Promise<void> {
		this.#closeTasks();
		const unsupported = unsupportedBrowserMessage();
		if (unsupported) {
			this.view = { kind: 'unsupported', message: unsupported };
			return;
		}
		this.view = { kind: 'loading' };
		this.expired = false;
		// Whether this load signs in with OpenID Connect: then « Se reconnecter » is the way out.
		let signingIn = false;
		try {
			const config = await (this.#source.config ?? (() => loadConfig()))();
			const hostToken = this.#source.getToken;
			const { signIn, onSwitchAccount } = this.#source;
			let account: AccountActions = onSwitchAccount ? { switchAccount: onSwitchAccount } : {};
			// A host's getter is called before each request, and with `{ refresh: true }` after a
			// 401; standalone, the OpenID Connect sign-in, or else the demo token of config.json
			// (sandbox only), re-read on a 401.
			let getToken: TokenGetter = hostToken
				? async (request) => (await hostToken(request)) ?? null
				: configTokenSource(config);
			if (!hostToken && config.auth && signIn) {
				signingIn = true;
				const outcome = await signIn.start(config.auth, () => (this.expired = true));
				if (this.#closed) return;
				if (outcome.kind === 'redirecting') return;
				if (outcome.kind === 'signed-out') {
					this.view = { kind: 'signed-out', signIn: () => void this.signInAgain() };
					return;
				}
				getToken = outcome.getToken;
				account = outcome.account;
			}
			const client = createSpicoClient({ baseUrl: config.apiBaseUrl, getToken });
			const me = await client.me();
			if (this.#closed) return;
			if (me.account.type === 'personal') {
				this.view = { kind: 'personal', userName: me.user.name, account };
				return;
			}
			const scope = { userId: me.user.id, structureId: me.account.structureId };
			let tasks: TasksService | null = null;
			let tasksError: string | null = null;
			try {
				tasks = openTasks({
					...scope,
					audit: client,
					storageKey: () => client.storageKey(scope.structureId),
					retentionDays: config.retentionDays,
					...(config.tasksDatabase ? { dbName: config.tasksDatabase } : {})
				});
				await tasks.db.open();
			} catch {
				tasks?.close();
				tasks = null;
				tasksError = TASKS_UNAVAILABLE;
			}
			if (this.#closed) {
				tasks?.close();
				return;
			}
			this.view = {
				kind: 'ready',
				config,
				client,
				getToken,
				userId: me.user.id,
				userName: me.user.name,
				structureId: me.account.structureId,
				structureName: me.account.structureName,
				tasks,
				tasksError,
				account
			};
		} catch (error) {
			if (this.#closed) return;
			this.view = {
				kind: 'error',
				message: messageOf(error),
				...(signingIn && isSignInFailure(error) ? { signIn: () => void this.signInAgain() } : {})
			};
		}
	}

	/** « Se déconnecter »: the provider's session ends too; nothing of the tasks stays shown. */
	signOut(): Promise<void> {
		const signOut = this.#account()?.signOut;
		return signOut ? this.#leave(signOut) : Promise.resolve();
	}

	/** « Changer de compte »: a new sign-in (standalone), or the host's callback (embedded). */
	async switchAccount(): Promise<void> {
		const account = this.#account();
		if (!account?.switchAccount) return;
		if (account.leavesPage) return this.#leave(account.switchAccount);
		await account.switchAccount();
	}

	/** « Se reconnecter » after « Session expirée ». */
	signInAgain(): Promise<void> {
		const signIn = this.#source.signIn;
		if (!signIn) return this.load();
		return this.#leave(async () => {
			// No sign-in started yet (the settings failed): load everything again.
			if (!(await signIn.again())) await this.load();
		});
	}

	#account(): AccountActions | null {
		const view = this.view;
		return view.kind === 'ready' || view.kind === 'personal' ? view.account : null;
	}

	/**
	 * Closes the session before the page goes to the provider: the run is cancelled, the task
	 * database closed, and the view emptied at once.
	 */
	async #leave(then: () => Promise<void> | void): Promise<void> {
		await this.close();
		this.view = { kind: 'loading' };
		this.#closed = false;
		try {
			await then();
		} catch (error) {
			this.view = { kind: 'error', message: messageOf(error) };
		}
	}

	/**
	 * A request « Relancer » put in the form (issue 14): « Nouvelle extraction » takes it once.
	 * Never a passphrase: requests carry none.
	 */
	prefill = $state.raw<ExtractionRequest | null>(null);

	/** Launches an extraction: its task « En cours » first, then the run, then the task's end. */
	launch(
		request: ExtractionRequest,
		catalogue: readonly Thematic[],
		launch: LaunchInstant,
		/** Never stored: turned into the run's key, then dropped (SPEC §13). */
		secret?: { passphrase: string },
		/** The Aperçu's rows per file, when known: the progress bar is weighted from the start. */
		expectedRows?: ReadonlyMap<string, number>
	): void {
		const ready = this.view;
		if (ready.kind !== 'ready' || this.run.running || this.#closed) return;
		const { client, structureId, structureName, userId, tasks } = ready;
		const run = this.run;
		const progress = () => run.files.map((f) => ({ name: f.fileName, rows: f.fetched }));
		const host = this.#hostCallbacks();
		const hooks = tasks
			? tasks.recorder({ progress, ...host })
			: taskRecorder({
					repo: null,
					ownership: null,
					audit: directAudit(client, structureId),
					progress
				});
		const running = run.start(
			request,
			catalogue,
			{
				// Absolute, resolved against the page: a relative URL would resolve against the worker's.
				apiBaseUrl: client.baseUrl,
				getToken: ready.getToken,
				...(ready.config.pageSize === undefined ? {} : { pageSize: ready.config.pageSize }),
				structure: { id: structureId, name: structureName },
				userId,
				launch,
				hooks
			},
			secret,
			expectedRows
		);
		this.#running = running;
		void running.finally(() => {
			if (this.#running === running) this.#running = null;
		});
	}

	/**
	 * Ends the session: a running extraction is cancelled (its workers terminated, its task
	 * « Annulée »), then the task database and its timers are closed.
	 */
	async close(): Promise<void> {
		this.#closed = true;
		this.run.cancel();
		await this.#running?.catch(() => {});
		this.run.releaseDownload();
		this.#closeTasks();
	}

	/** The host's callbacks, given a summary of the task instead of its record. */
	#hostCallbacks(): { onTaskCreated?: TaskCallback; onTaskDone?: TaskCallback } {
		const { onTaskCreated, onTaskDone } = this.#source;
		return {
			...(onTaskCreated ? { onTaskCreated: (t: TaskRecord) => onTaskCreated(taskSummary(t)) } : {}),
			...(onTaskDone ? { onTaskDone: (t: TaskRecord) => onTaskDone(taskSummary(t)) } : {})
		};
	}

	#closeTasks() {
		if (this.view.kind === 'ready') this.view.tasks?.close();
	}
}
