/**
 * What a task is (SPEC §7, the guide's « Tâches »): its fixed wording, its record, and the state
 * machine of its états. Plain TypeScript: no DOM, no Svelte, no IndexedDB.
 */
import type { ExtractionRequest } from '../core/request';
import type { WrappedKey } from './keyring';

export const TASK_LABEL = 'Extraction brute des données';
export const TASK_LEVEL = 'Très haute';
export const TASK_DOCUMENT = 'EXTRACTIONS - BRUTES - GENERIQUES';

/** The only level this module creates; the Niveau filter lists what exists. */
export const TASK_LEVELS = [TASK_LEVEL] as const;
export type TaskLevel = (typeof TASK_LEVELS)[number];

/** The guide's états, in the order of the Etat filter. */
export const TASK_STATES = ['En cours', 'A traiter', 'Traité', 'Échec', 'Annulée'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Reason written on a task whose tab was closed or crashed while it ran. */
export const INTERRUPTED_REASON =
	"L'onglet qui réalisait l'extraction a été fermé ou s'est arrêté avant la fin.";

/** Whose task it is: tasks are read and written only for the current (user, structure). */
export interface TaskScope {
	userId: string;
	structureId: string;
}

export interface TaskSheet {
	name: string;
	rows: number;
}

/** One workbook of the ZIP as the result screen lists it: rows and warnings, no data. */
export interface TaskFile {
	fileName: string;
	label: string;
	sheets: TaskSheet[];
	/** Data rows over all sheets (continuations included). */
	rows: number;
	/** Cells cut at 32,767 characters. */
	cutCells: number;
	/** Sheets continued on another one (`RDV (2)`), as the result screen words them. */
	continuations: string[];
}

/**
 * Where the encrypted ZIP stands. `keyId` names the API's storage key the data key was wrapped
 * under: after a rotation (a new keyId) the file cannot be read and the task says so.
 */
export type TaskStorage =
	| { kind: 'none' }
	| { kind: 'kept'; keyId: string; wrappedKey: WrappedKey; chunks: number }
	| { kind: 'not-kept'; reason: string };

export interface TaskRecord extends TaskScope {
	id: string;
	structureName: string;
	label: string;
	level: TaskLevel;
	document: string;
	comment: string;
	state: TaskState;
	/** Set with « Échec » when the tab that ran the task disappeared. */
	interrupted: boolean;
	/** Why it failed (« Échec »), in French. */
	reason: string | null;
	/** When it was launched, epoch ms: retention counts from here. */
	createdAt: number;
	/** Date d'échéance: when it ended (done, failed, cancelled), epoch ms. */
	dueAt: number | null;
	downloadedAt: number | null;
	/** The filters of the extraction (no patient data). */
	request: ExtractionRequest;
	zipName: string;
	/** Planned workbooks while running, then what was built. */
	files: TaskFile[];
	/** Size of the ZIP in bytes, once built. */
	size: number | null;
	storage: TaskStorage;
}

export type TaskEvent = 'done' | 'failed' | 'cancelled' | 'interrupted' | 'downloaded';

/** A transition the state machine does not allow (e.g. finishing a task already cancelled). */
export class TaskTransitionError extends Error {
	override readonly name = 'TaskTransitionError';
	constructor(
		readonly from: TaskState,
		readonly event: TaskEvent
	) {
		super(`Transition impossible : « ${from} » → ${event}`);
	}
}

/**
 * En cours → A traiter (ready, not downloaded yet) → Traité (downloaded, again and again);
 * En cours → Échec (with its reason, or interrupted) or Annulée. Nothing leaves Échec or Annulée.
 */
export function nextState(from: TaskState, event: TaskEvent): TaskState {
	switch (event) {
		case 'done':
			if (from === 'En cours') return 'A traiter';
			break;
		case 'failed':
		case 'interrupted':
			if (from === 'En cours') return 'Échec';
			break;
		case 'cancelled':
			if (from === 'En cours') return 'Annulée';
			break;
		case 'downloaded':
			if (from === 'A traiter' || from === 'Traité') return 'Traité';
			break;
	}
	throw new TaskTransitionError(from, event);
}

/** The état as shown: an interrupted failure says so. */
export function stateText(task: Pick<TaskRecord, 'state' | 'interrupted'>): string {
	return task.state === 'Échec' && task.interrupted ? 'Échec — interrompue' : task.state;
}
