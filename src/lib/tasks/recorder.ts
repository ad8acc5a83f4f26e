/**
 * The run hooks of one launch (ExtractionRun's `env.hooks`): the task « En cours » before any
 * request, then its end state, the encrypted ZIP, and the audit event. The ZIP is offered for
 * download before `onDone` is called; nothing here delays it, and no failure here changes the
 * outcome the user sees.
 */
import type { ExtractionContext, ExtractionPlan } from '../core/extraction/plan';
import type { ExtractionOutcome } from '../engine/run-extraction';
import { buildAuditEvent, type AuditRecorder } from './audit';
import { shortReason } from './reason';
import type { TaskFile, TaskRecord } from './model';
import type { TaskOwnership } from './ownership';
import type { TaskRepository } from './repository';

export interface RecorderDeps {
	/** Null when this browser cannot keep tasks: the run is then only audited. */
	repo: TaskRepository | null;
	ownership: TaskOwnership | null;
	audit: AuditRecorder;
	now?: () => number;
	newId?: () => string;
	/** Rows read so far per file: what the audit reports for a run that did not finish. */
	progress?: () => { name: string; rows: number }[];
	/** For hosts (SPEC §10 `onTaskCreated`, `onTaskDone`); their errors are ignored. */
	onTaskCreated?: (task: TaskRecord) => void;
	onTaskDone?: (task: TaskRecord) => void;
}

/** The shape of ExtractionRun's RunHooks, written here so the tasks stay framework-free. */
export interface RecorderHooks {
	onStart(context: ExtractionContext, plan: ExtractionPlan): Promise<void>;
	onDone(outcome: ExtractionOutcome, context: ExtractionContext): Promise<void>;
	onFailed(message: string, context: ExtractionContext): Promise<void>;
	onCancelled(context: ExtractionContext): Promise<void>;
	/** The task of this launch, once created. */
	readonly taskId: string | null;
}

/** A workbook of the outcome as the task keeps it: counts and warnings, no data. */
export function taskFileOf(wb: ExtractionOutcome['workbooks'][number]): TaskFile {
	return {
		fileName: wb.fileName,
		label: wb.label,
		sheets: wb.sheets.map((s) => ({ name: s.name, rows: s.rows })),
		rows: wb.sheets.reduce((sum, s) => sum + s.rows, 0),
		cutCells: wb.cutCells,
		continuations: wb.warnings.filter((w) => w.kind === 'continuation').map((w) => w.message)
	};
}

function plannedFile(job: ExtractionPlan['jobs'][number]): TaskFile {
	return {
		fileName: job.fileName,
		label: job.label,
		sheets: [],
		rows: 0,
		cutCells: 0,
		continuations: []
	};
}

function quietly(fn: (() => void) | undefined): void {
	try {
		fn?.();
	} catch {
		// A host callback must not break the run.
	}
}

export function taskRecorder(deps: RecorderDeps): RecorderHooks {
	const now = deps.now ?? Date.now;
	const id = (deps.newId ?? (() => crypto.randomUUID()))();
	let created = false;
	let release: (() => void) | null = null;
	let startedAt = now();
	let planned: TaskFile[] = [];

	const finish = () => {
		release?.();
		release = null;
	};

	const audit = (
		context: ExtractionContext,
		outcome: 'done' | 'failed' | 'cancelled',
		files: { name: string; rows: number }[],
		reason?: string
	) =>
		deps.audit.record(
			buildAuditEvent({
				id,
				userId: context.userId,
				request: context.request,
				outcome,
				...(reason === undefined ? {} : { reason }),
				files,
				startedAt,
				endedAt: now()
			})
		);

	const soFar = () => {
		const progress = deps.progress?.();
		if (progress) return progress;
		return planned.map((f) => ({ name: f.fileName, rows: 0 }));
	};

	const notify = async (callback: RecorderDeps['onTaskDone']) => {
		if (!callback || !created) return;
		const task = await deps.repo?.get(id).catch(() => undefined);
		if (task) quietly(() => callback(task));
	};

	return {
		get taskId() {
			return created ? id : null;
		},

		async onStart(context, plan) {
			startedAt = now();
			planned = plan.jobs.map(plannedFile);
			const { repo, ownership } = deps;
			if (!repo || !ownership) return;
			// The lock first: from the moment the task exists, its tab is seen as alive.
			release = await ownership.hold(id);
			try {
				const task = await repo.create({
					id,
					structureName: context.structure.name,
					madeOn: context.launch.today,
					request: context.request,
					zipName: plan.zipName,
					files: planned
				});
				created = true;
				quietly(() => deps.onTaskCreated?.(task));
			} catch (error) {
				finish();
				throw error;
			}
		},

		async onDone(outcome, context) {
			const files = outcome.workbooks.map(taskFileOf);
			// Queued at once: the audit never waits on the storage of the ZIP.
			const audited = audit(
				context,
				'done',
				files.map((f) => ({ name: f.fileName, rows: f.rows }))
			);
			try {
				if (created) await deps.repo?.complete(id, { files, blob: outcome.blob });
			} finally {
				finish();
			}
			await notify(deps.onTaskDone);
			await audited;
		},

		async onFailed(message, context) {
			const reason = shortReason(message);
			const audited = audit(context, 'failed', soFar(), reason);
			try {
				if (created) await deps.repo?.fail(id, reason);
			} finally {
				finish();
			}
			await notify(deps.onTaskDone);
			await audited;
		},

		async onCancelled(context) {
			const audited = audit(context, 'cancelled', soFar());
			try {
				if (created) await deps.repo?.cancel(id);
			} finally {
				finish();
			}
			await notify(deps.onTaskDone);
			await audited;
		}
	};
}
