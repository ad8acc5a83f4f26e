/**
 * What an embedding host is told about a task (`onTaskCreated`, `onTaskDone`, the element's
 * events): its id, state, file names and row counts, times. No patient data, no failure reason
 * (it may name a dossier), no file content.
 */
import type { TaskRecord, TaskState } from './model';

export type TaskOutcome = 'done' | 'failed' | 'cancelled';

export interface TaskSummary {
	id: string;
	state: TaskState;
	/** Null while the task runs. */
	outcome: TaskOutcome | null;
	/** The ZIP's name (`Generic_extractions_brutes_<DDMMYYYY>_<DDMMYYYY>.zip`). */
	zipName: string;
	/** Each workbook's name and data rows (planned files, 0 rows, while running). */
	files: { fileName: string; rows: number }[];
	/** Launch time, epoch ms. */
	createdAt: number;
	/** End time (date d'échéance), epoch ms; null while running. */
	dueAt: number | null;
}

const OUTCOMES: Partial<Record<TaskState, TaskOutcome>> = {
	'A traiter': 'done',
	Traité: 'done',
	Échec: 'failed',
	Annulée: 'cancelled'
};

export function taskSummary(task: TaskRecord): TaskSummary {
	return {
		id: task.id,
		state: task.state,
		outcome: OUTCOMES[task.state] ?? null,
		zipName: task.zipName,
		files: task.files.map((f) => ({ fileName: f.fileName, rows: f.rows })),
		createdAt: task.createdAt,
		dueAt: task.dueAt
	};
}
