/**
 * The Tâches page's state: the live list of the current user's tasks (Dexie `liveQuery`, so
 * every open tab sees a task appear and change), the guide's filters, paging, and the actions
 * (download → « Traité », delete, « Tout supprimer »).
 */
import { liveQuery, type Subscription } from 'dexie';
import { ExpiringObjectUrl } from './expiring-url';
import { fromDayNumber, parisDayNumberOfMs, parisWallTimeOfMs } from '../core/calendar';
import {
	TASK_STATES,
	TaskDataError,
	type TaskLevel,
	type TaskState,
	type TaskView,
	type TasksService
} from '../tasks/index';

export const PAGE_SIZES = [5, 10, 20, 50] as const;
export const DEFAULT_PAGE_SIZE = 10;

export type Notice = { kind: 'info' | 'error'; text: string } | null;

/** `dd/mm/yyyy HH:mm`, Paris time. */
export function formatDueAt(ms: number): string {
	const wall = parisWallTimeOfMs(ms);
	return `${wall.slice(8, 10)}/${wall.slice(5, 7)}/${wall.slice(0, 4)} ${wall.slice(11, 16)}`;
}

function dueDay(ms: number): string {
	return fromDayNumber(parisDayNumberOfMs(ms));
}

export class TaskList {
	tasks = $state.raw<TaskView[]>([]);
	status = $state<'loading' | 'ready' | 'error'>('loading');
	error = $state<string | null>(null);
	notice = $state<Notice>(null);
	/** The task whose action is running (a download being decrypted). */
	busy = $state<string | null>(null);
	/** The ZIP last handed to the browser from this list: the guide's warning is shown. */
	downloaded = $state<string | null>(null);

	#states = $state<TaskState[]>([...TASK_STATES]);
	#level = $state<'' | TaskLevel>('');
	#dueFrom = $state('');
	#dueTo = $state('');
	#perPage = $state<number>(DEFAULT_PAGE_SIZE);
	#page = $state(1);

	readonly filtered = $derived(
		this.tasks.filter((t) => {
			if (!this.#states.includes(t.state)) return false;
			if (this.#level && t.level !== this.#level) return false;
			if (this.#dueFrom || this.#dueTo) {
				if (t.dueAt === null) return false;
				const day = dueDay(t.dueAt);
				if (this.#dueFrom && day < this.#dueFrom) return false;
				if (this.#dueTo && day > this.#dueTo) return false;
			}
			return true;
		})
	);
	readonly pageCount = $derived(Math.max(1, Math.ceil(this.filtered.length / this.#perPage)));
	readonly page = $derived(Math.min(this.#page, this.pageCount));
	readonly visible = $derived(
		this.filtered.slice((this.page - 1) * this.#perPage, this.page * this.#perPage)
	);
	readonly rangeInvalid = $derived(
		this.#dueFrom !== '' && this.#dueTo !== '' && this.#dueTo < this.#dueFrom
	);

	readonly #service: TasksService;
	#lastUrl: ExpiringObjectUrl | null = null;

	constructor(service: TasksService) {
		this.#service = service;
	}

	// Filters: changing one goes back to the first page.
	get states(): TaskState[] {
		return this.#states;
	}
	set states(value: TaskState[]) {
		this.#states = TASK_STATES.filter((s) => value.includes(s));
		this.#page = 1;
	}
	get level(): '' | TaskLevel {
		return this.#level;
	}
	set level(value: '' | TaskLevel) {
		this.#level = value;
		this.#page = 1;
	}
	get dueFrom(): string {
		return this.#dueFrom;
	}
	set dueFrom(value: string) {
		this.#dueFrom = value;
		this.#page = 1;
	}
	get dueTo(): string {
		return this.#dueTo;
	}
	set dueTo(value: string) {
		this.#dueTo = value;
		this.#page = 1;
	}
	get perPage(): number {
		return this.#perPage;
	}
	set perPage(value: number) {
		this.#perPage = value;
		this.#page = 1;
	}

	goTo(page: number) {
		this.#page = Math.max(1, Math.min(page, this.pageCount));
	}

	/** Follows the database until the returned function is called (an `$effect`'s cleanup). */
	connect(): () => void {
		const repo = this.#service.repo;
		let subscription: Subscription | null = null;
		let stopped = false;
		// The start-up check first, so that a task a closed tab left running shows as interrupted.
		void this.#service.ready.finally(() => {
			if (stopped) return;
			subscription = liveQuery(() => repo.list()).subscribe({
				next: (tasks) => {
					this.tasks = tasks;
					this.status = 'ready';
					this.error = null;
				},
				error: () => {
					this.status = 'error';
					this.error =
						'Les tâches ne peuvent pas être lues dans ce navigateur (stockage local indisponible ou plein).';
				}
			});
		});
		return () => {
			stopped = true;
			subscription?.unsubscribe();
			this.#revoke();
		};
	}

	/** Decrypts the ZIP and hands it to the browser; the task becomes « Traité ». */
	async download(task: TaskView, save: (url: string, name: string) => void): Promise<void> {
		if (this.busy) return;
		this.busy = task.id;
		this.notice = null;
		try {
			const { blob, zipName } = await this.#service.repo.readZip(task.id);
			this.#revoke();
			// Revoked a few seconds after the download starts (SPEC §16), not at the view's end.
			this.#lastUrl = new ExpiringObjectUrl(blob);
			save(this.#lastUrl.take(), zipName);
			this.downloaded = zipName;
			await this.#service.repo.markDownloaded(task.id);
			this.notice = { kind: 'info', text: `Téléchargement de ${zipName} lancé.` };
		} catch (error) {
			this.notice = {
				kind: 'error',
				text:
					error instanceof TaskDataError
						? error.message
						: "Le fichier de cette tâche n'a pas pu être lu dans le navigateur."
			};
		} finally {
			this.busy = null;
		}
	}

	async remove(task: TaskView): Promise<void> {
		try {
			await this.#service.repo.remove(task.id);
			this.notice = { kind: 'info', text: 'Tâche supprimée.' };
		} catch {
			this.notice = { kind: 'error', text: "La tâche n'a pas pu être supprimée." };
		}
	}

	async removeAll(): Promise<void> {
		try {
			const n = await this.#service.repo.removeAll();
			this.notice = {
				kind: 'info',
				text:
					n === 0 ? 'Aucune tâche à supprimer.' : `${n} tâche(s) supprimée(s), avec leurs fichiers.`
			};
		} catch {
			this.notice = { kind: 'error', text: "Les tâches n'ont pas pu être supprimées." };
		}
	}

	#revoke() {
		this.#lastUrl?.revoke();
		this.#lastUrl = null;
	}
}
