/**
 * The app's session: config.json, the API client, who is signed in (`/me`), the task list of that
 * (user, structure), and the extraction run. The layout holds one, so that a run goes on while the
 * user looks at the Tâches page; an embedding host can build one the same way.
 */
import { createContext } from 'svelte';
import { createSpicoClient, type SpicoClient, type TokenGetter } from '../api/client';
import { configTokenSource, loadConfig, type AppConfig } from '../config';
import { openTasks, type TasksService } from '../tasks/index';
import { ExtractionRun } from './extraction-run.svelte';

export interface ReadySession {
	kind: 'ready';
	config: AppConfig;
	client: SpicoClient;
	getToken: TokenGetter;
	userId: string;
	userName: string;
	structureId: string;
	structureName: string;
	/** Null when this browser cannot keep tasks (IndexedDB refused, e.g. some private modes). */
	tasks: TasksService | null;
	tasksError: string | null;
}

export type SessionView =
	{ kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'personal' } | ReadySession;

function messageOf(error: unknown): string {
	// ApiError, ContractError and ConfigError all carry a French message for the user.
	if (error instanceof Error && error.message) return error.message;
	return 'Une erreur inattendue est survenue.';
}

export const TASKS_UNAVAILABLE =
	'Les tâches ne peuvent pas être enregistrées dans ce navigateur (stockage local indisponible) : les extractions restent possibles, leur fichier est proposé au téléchargement à la fin.';

export class AppSession {
	view = $state.raw<SessionView>({ kind: 'loading' });
	readonly run = new ExtractionRun();

	async load(): Promise<void> {
		this.#closeTasks();
		this.view = { kind: 'loading' };
		try {
			const config = await loadConfig();
			// The token in config.json serves sandbox and demo deployments only; a 401 re-reads it.
			const getToken = configTokenSource(config);
			const client = createSpicoClient({ baseUrl: config.apiBaseUrl, getToken });
			const me = await client.me();
			if (me.account.type === 'personal') {
				this.view = { kind: 'personal' };
				return;
			}
			const scope = { userId: me.user.id, structureId: me.account.structureId };
			let tasks: TasksService | null = null;
			let tasksError: string | null = null;
			try {
				tasks = openTasks({
					...scope,
					audit: client,
					retentionDays: config.retentionDays,
					...(config.tasksDatabase ? { dbName: config.tasksDatabase } : {})
				});
				await tasks.db.open();
			} catch {
				tasks?.close();
				tasks = null;
				tasksError = TASKS_UNAVAILABLE;
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
				tasksError
			};
		} catch (error) {
			this.view = { kind: 'error', message: messageOf(error) };
		}
	}

	close(): void {
		this.#closeTasks();
	}

	#closeTasks() {
		if (this.view.kind === 'ready') this.view.tasks?.close();
	}
}

export const [getSession, setSession] = createContext<AppSession>();
