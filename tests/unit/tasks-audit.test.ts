/**
 * The audit outbox and the run hooks: an event per finished, failed or cancelled run, with the
 * filters and row counts and nothing about patients; retried under the same id until it lands.
 */
import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../src/lib/api/http';
import { ExtractionEventSchema, type ExtractionEvent } from '../../src/lib/contract/spico';
import { launchInstant } from '../../src/lib/core/calendar';
import type { ExtractionContext, ExtractionPlan } from '../../src/lib/core/extraction/plan';
import type { ExtractionOutcome } from '../../src/lib/engine/run-extraction';
import { AuditTrail, buildAuditEvent, directAudit } from '../../src/lib/tasks/audit';
import { openTasks } from '../../src/lib/tasks/index';
import { memoryOwnership } from '../../src/lib/tasks/ownership';
import { taskRecorder } from '../../src/lib/tasks/recorder';
import { MAX_REASON_LENGTH } from '../../src/lib/tasks/reason';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import {
	ALICE,
	BOB,
	blobBytes,
	freshDatabase,
	launched,
	manualClock,
	repository,
	request,
	storageKeyOf,
	zipBlob
} from './tasks-helpers';

/** A sender that fails `failures` times, then records; it keeps every attempt. */
function sender(failures = 0, error: unknown = new ApiError('unavailable', 'indisponible', 503)) {
	const attempts: { sid: string; event: ExtractionEvent }[] = [];
	const received = new Map<string, ExtractionEvent>();
	let left = failures;
	return {
		attempts,
		received,
		async recordExtraction(sid: string, event: ExtractionEvent) {
			attempts.push({ sid, event });
			if (left > 0) {
				left--;
				throw error;
			}
			// Like the sandbox: a known id is acknowledged but recorded once.
			if (!received.has(event.id!)) received.set(event.id!, event);
		}
	};
}

const PATIENT_KEYS = ['patient', 'nom', 'prenom', 'dateNaissance', 'ins', 'dossierId', 'adresse'];

function keysOf(value: unknown, into = new Set<string>()): Set<string> {
	if (value && typeof value === 'object') {
		for (const [k, v] of Object.entries(value)) {
			into.add(k);
			keysOf(v, into);
		}
	}
	return into;
}

describe('the audit event', () => {
	it('carries who, the filters, files with rows, the outcome and times — and no patient field', () => {
		const event = buildAuditEvent({
			id: 'task-9',
			userId: 'usr-alice',
			request: request(),
			outcome: 'done',
			files: [{ name: 'RDV 30062023_10072023.xlsx', rows: 1234 }],
			startedAt: Date.UTC(2023, 6, 11, 13, 0, 0),
			endedAt: Date.UTC(2023, 6, 11, 13, 5, 0)
		});
		expect(v.parse(ExtractionEventSchema, event)).toEqual(event);
		expect(event).toEqual({
			id: 'task-9',
			userId: 'usr-alice',
			filters: {
				from: '2023-06-30',
				to: '2023-07-10',
				archived: false,
				statuses: request().statuses,
				files: ['administratif', 'rdv', 'thematiques', 'statuts'],
				forms: ['form-7']
			},
			files: [{ name: 'RDV 30062023_10072023.xlsx', rows: 1234 }],
			pseudonymised: false,
			outcome: 'done',
			startedAt: '2023-07-11T13:00:00.000Z',
			endedAt: '2023-07-11T13:05:00.000Z'
		});
		const keys = keysOf(event);
		expect(PATIENT_KEYS.filter((k) => keys.has(k))).toEqual([]);
	});

	it('says whether the files are pseudonymised (SPEC §8, §13), and holds nothing else of it', () => {
		const event = buildAuditEvent({
			id: 'task-10',
			userId: 'usr-alice',
			request: { ...request(), pseudonymise: { keepFreeText: true } },
			outcome: 'done',
			files: [{ name: 'RDV 30062023_10072023.xlsx', rows: 12 }],
			startedAt: Date.UTC(2023, 6, 11, 13, 0, 0),
			endedAt: Date.UTC(2023, 6, 11, 13, 5, 0)
		});
		expect(v.parse(ExtractionEventSchema, event)).toEqual(event);
		expect(event.pseudonymised).toBe(true);
		expect(keysOf(event).has('keepFreeText')).toBe(false);
	});

	it('lists no form when Thématiques = Non', () => {
		const event = buildAuditEvent({
			id: 'x',
			userId: 'u',
			request: request({ kinds: ['administratif'] }),
			outcome: 'cancelled',
			files: [],
			startedAt: 0,
			endedAt: 1
		});
		expect(event.filters.files).toEqual(['administratif']);
		expect(event.filters.forms).toEqual([]);
	});
});

describe('the audit outbox', () => {
	const event = (id: string) =>
		buildAuditEvent({
			id,
			userId: ALICE.userId,
			request: request(),
			outcome: 'failed',
			reason: 'Session expirée',
			files: [],
			startedAt: 0,
			endedAt: 1
		});

	it('retries a failed call with backoff, under the same id, until it is recorded once', async () => {
		const db = freshDatabase();
		const api = sender(2);
		// The timers are the test's: it sees each wait asked for and decides when it ends.
		const waits: { ms: number; run: () => void }[] = [];
		const trail = new AuditTrail(db, ALICE, api, {
			retryDelays: [1000, 5000],
			schedule: (run, ms) => {
				waits.push({ ms, run });
				return () => {};
			}
		});
		await trail.record(event('evt-1'));
		await vi.waitFor(() => expect(waits).toHaveLength(1));
		expect(api.attempts).toHaveLength(1);
		expect(await trail.pending()).toBe(1);
		waits[0]!.run();
		await vi.waitFor(() => expect(waits).toHaveLength(2));
		expect(api.attempts).toHaveLength(2);
		waits[1]!.run();
		await vi.waitFor(async () => expect(await trail.pending()).toBe(0));
		expect(waits.map((w) => w.ms)).toEqual([1000, 5000]);
		expect(api.attempts.map((a) => a.event.id)).toEqual(['evt-1', 'evt-1', 'evt-1']);
		expect(api.attempts.every((a) => a.sid === ALICE.structureId)).toBe(true);
		expect([...api.received.keys()]).toEqual(['evt-1']);
		expect(await db.audit.count()).toBe(0);
		trail.stop();
	});

	it('keeps an event the API refused for now, and sends it at the next start', async () => {
		const db = freshDatabase();
		const down = sender(Infinity);
		const first = new AuditTrail(db, ALICE, down, { retryDelays: [60_000] });
		await first.record(event('evt-2'));
		await vi.waitFor(() => expect(down.attempts).toHaveLength(1));
		first.stop();
		const [waiting] = await db.audit.toArray();
		expect(waiting).toMatchObject({ id: 'evt-2', attempts: 1, lastError: 'indisponible' });

		const up = sender();
		const next = new AuditTrail(db, ALICE, up);
		expect(await next.flush()).toEqual({ sent: 1, failed: 0, dropped: 0 });
		expect([...up.received.keys()]).toEqual(['evt-2']);
		// Another user's outbox is not theirs to send.
		const bobs = new AuditTrail(db, BOB, up);
		await db.audit.add({ ...waiting!, id: 'evt-alice' });
		expect(await bobs.flush()).toEqual({ sent: 0, failed: 0, dropped: 0 });
		expect(await next.pending()).toBe(1);
	});

	it('drops an event the API rejects as invalid (422): no retry can change it', async () => {
		const db = freshDatabase();
		const api = sender(1, new ApiError('invalid-filters', 'refusé', 422));
		const trail = new AuditTrail(db, ALICE, api);
		await db.audit.add({
			...ALICE,
			id: 'evt-3',
			event: event('evt-3'),
			createdAt: 0,
			attempts: 0,
			lastError: null
		});
		expect(await trail.flush()).toEqual({ sent: 0, failed: 0, dropped: 1 });
		expect(await trail.pending()).toBe(0);
	});
});

describe('the run hooks', () => {
	const context: ExtractionContext = {
		structure: { id: ALICE.structureId, name: 'PLATEFORME TND TEST' },
		userId: ALICE.userId,
		request: request(),
		launch: launchInstant(Date.UTC(2023, 6, 11, 13, 5))
	};
	const plan = {
		zipName: 'Generic_extractions_brutes_30062023_10072023.zip',
		jobs: [
			{ id: 'rdv', kind: 'rdv', label: 'RDV', fileName: 'RDV 30062023_10072023.xlsx' },
			{
				id: 'statuts',
				kind: 'statuts',
				label: 'Statuts',
				fileName: 'statuts 30062023_10072023.xlsx'
			}
		]
	} as ExtractionPlan;

	function outcome(blob: Blob): ExtractionOutcome {
		return {
			zipName: plan.zipName,
			blob,
			size: blob.size,
			workbooks: [
				{
					jobId: 'rdv',
					fileName: 'RDV 30062023_10072023.xlsx',
					label: 'RDV',
					size: 100,
					sheets: [
						{ name: 'RDV', fullName: 'RDV', rows: 40 },
						{ name: 'RDV (2)', fullName: 'RDV', rows: 2, continuationOf: 'RDV' }
					],
					items: 42,
					warnings: [
						{
							kind: 'continuation',
							sheet: 'RDV (2)',
							message: 'La feuille RDV continue sur RDV (2).'
						}
					] as never,
					cutCells: 1,
					issues: {} as never,
					dataChanged: null,
					countMismatch: null
				},
				{
					jobId: 'statuts',
					fileName: 'statuts 30062023_10072023.xlsx',
					label: 'Statuts',
					size: 100,
					sheets: [
						{ name: 'Historique des statuts', fullName: 'Historique des statuts', rows: 7 },
						{ name: 'Synthèse', fullName: 'Synthèse', rows: 3 }
					],
					items: 3,
					warnings: [],
					cutCells: 0,
					issues: {} as never,
					dataChanged: null,
					countMismatch: null
				}
			]
		};
	}

	function setup(failures = 0) {
		const clock = manualClock();
		const db = freshDatabase();
		const repo = repository(db, ALICE, { now: clock.now });
		const api = sender(failures);
		const audit = new AuditTrail(db, ALICE, api, { now: clock.now, retryDelays: [10] });
		const ownership = memoryOwnership();
		return { clock, db, repo, api, audit, ownership };
	}

	it('a finished run: the task goes En cours → A traiter with its ZIP, one audit event with the counts', async () => {
		const { clock, repo, api, audit, ownership } = setup();
		const created: string[] = [];
		const hooks = taskRecorder({
			repo,
			ownership,
			audit,
			now: clock.now,
			onTaskCreated: (t) => created.push(t.state)
		});
		await hooks.onStart(context, plan);
		const id = hooks.taskId!;
		expect(created).toEqual(['En cours']);
		expect((await repo.get(id))?.files.map((f) => f.fileName)).toEqual(
			plan.jobs.map((j) => j.fileName)
		);
		// While it runs, its lock is held: another tab's start-up check leaves it alone.
		expect(await repo.recoverInterrupted(ownership)).toEqual([]);
		clock.advance(65_000);
		const blob = zipBlob(9000);
		await hooks.onDone(outcome(blob), context);
		const task = await repo.get(id);
		expect(task).toMatchObject({ state: 'A traiter', size: 9000, dueAt: clock.now() });
		expect(task?.files[0]).toEqual({
			fileName: 'RDV 30062023_10072023.xlsx',
			label: 'RDV',
			sheets: [
				{ name: 'RDV', rows: 40 },
				{ name: 'RDV (2)', rows: 2 }
			],
			rows: 42,
			cutCells: 1,
			continuations: ['La feuille RDV continue sur RDV (2).']
		});
		expect(await blobBytes((await repo.readZip(id)).blob)).toEqual(await blobBytes(blob));
		await vi.waitFor(() => expect(api.received.size).toBe(1));
		const event = api.received.get(id)!;
		expect(event).toMatchObject({
			id,
			userId: ALICE.userId,
			outcome: 'done',
			files: [
				{ name: 'RDV 30062023_10072023.xlsx', rows: 42 },
				{ name: 'statuts 30062023_10072023.xlsx', rows: 10 }
			]
		});
		expect(Date.parse(event.endedAt) - Date.parse(event.startedAt)).toBe(65_000);
		// Finished: its lock is free, and the check still leaves a finished task alone.
		expect(await repo.recoverInterrupted(ownership)).toEqual([]);
	});

	it('a failed run: « Échec » with the reason, and an audit event with the rows read so far', async () => {
		const { repo, api, audit, ownership } = setup();
		const hooks = taskRecorder({
			repo,
			ownership,
			audit,
			progress: () => [{ name: 'RDV 30062023_10072023.xlsx', rows: 5000 }]
		});
		await hooks.onStart(context, plan);
		await hooks.onFailed('Le service SPICO est momentanément indisponible (erreur 503).', context);
		expect(await repo.get(hooks.taskId!)).toMatchObject({
			state: 'Échec',
			reason: 'Le service SPICO est momentanément indisponible (erreur 503).'
		});
		await vi.waitFor(() => expect(api.received.size).toBe(1));
		expect([...api.received.values()][0]).toMatchObject({
			outcome: 'failed',
			reason: 'Le service SPICO est momentanément indisponible (erreur 503).',
			files: [{ name: 'RDV 30062023_10072023.xlsx', rows: 5000 }]
		});
	});

	it('a failure reason is kept and posted short: one line of at most 300 characters', async () => {
		const { repo, api, audit, ownership } = setup();
		const hooks = taskRecorder({ repo, ownership, audit });
		await hooks.onStart(context, plan);
		// What a 5,000-character thematic label in « Thématique « … » : … » would give.
		const long = `Thématique « ${'x'.repeat(5000)} » :\n Le service SPICO est indisponible.`;
		await hooks.onFailed(long, context);
		const reason = (await repo.get(hooks.taskId!))?.reason ?? '';
		expect(reason).toHaveLength(MAX_REASON_LENGTH);
		expect(reason).toMatch(/^Thématique « x+…$/);
		await vi.waitFor(() => expect(api.received.size).toBe(1));
		expect([...api.received.values()][0]?.reason).toBe(reason);
	});

	it('a cancelled run: « Annulée », and the audit event still reaches the API after a failure', async () => {
		const { repo, api, audit, ownership } = setup(1);
		const hooks = taskRecorder({ repo, ownership, audit });
		await hooks.onStart(context, plan);
		await hooks.onCancelled(context);
		expect((await repo.get(hooks.taskId!))?.state).toBe('Annulée');
		await vi.waitFor(() => expect(api.received.size).toBe(1), { timeout: 2000 });
		expect(api.attempts).toHaveLength(2);
		expect([...api.received.values()][0]).toMatchObject({
			outcome: 'cancelled',
			files: plan.jobs.map((j) => ({ name: j.fileName, rows: 0 }))
		});
		audit.stop();
	});

	it('still audits, and never throws from onDone, when the task could not be created', async () => {
		const { repo, api, audit, ownership } = setup();
		const hooks = taskRecorder({ repo, ownership, audit });
		const broken = {
			...context,
			request: { ...context.request, period: { from: 'pas une date', to: '2023-07-10' } }
		};
		// The comment builder refuses the date: the task is not created.
		await expect(hooks.onStart(broken, plan)).rejects.toThrow(RangeError);
		expect(hooks.taskId).toBeNull();
		await hooks.onDone(outcome(zipBlob(10)), context);
		expect(await repo.list()).toEqual([]);
		await vi.waitFor(() => expect(api.received.size).toBe(1));
	});
});

describe('without IndexedDB', () => {
	it('still audits every run, straight to the API, and never throws', async () => {
		const api = sender(1, new Error('réseau'));
		const hooks = taskRecorder({
			repo: null,
			ownership: null,
			audit: directAudit(api, ALICE.structureId)
		});
		const context = {
			structure: { id: ALICE.structureId, name: 'PLATEFORME TND TEST' },
			userId: ALICE.userId,
			request: request(),
			launch: launchInstant(Date.UTC(2023, 6, 11, 13, 5))
		};
		const plan = { zipName: 'x.zip', jobs: [] } as ExtractionPlan;
		await hooks.onStart(context, plan);
		expect(hooks.taskId).toBeNull();
		// The first attempt fails: nothing is kept to retry, and nothing reaches the user.
		await hooks.onCancelled(context);
		await hooks.onFailed('Erreur', context);
		expect(api.attempts.map((a) => a.event.outcome)).toEqual(['cancelled', 'failed']);
		expect([...api.received.values()].map((e) => e.outcome)).toEqual(['failed']);
	});
});

describe('openTasks: start-up housekeeping', () => {
	it('interrupts the task a closed tab left « En cours », purges what expired, flushes the outbox', async () => {
		const indexedDB = new IDBFactory();
		const clock = manualClock();
		const database = { indexedDB, IDBKeyRange };
		const api = sender();
		const ownership = memoryOwnership();
		const options = {
			...ALICE,
			audit: api,
			storageKey: async () => storageKeyOf(ALICE),
			retentionDays: 7,
			now: clock.now,
			database,
			ownership,
			storage: null
		};
		// A previous session: one task left running, one finished long ago.
		const first = openTasks(options);
		await first.ready;
		const stale = await launched(first.repo, 'stale');
		clock.advance(8 * 86_400_000);
		const recent = await launched(first.repo, 'recent');
		const release = await ownership.hold(recent);
		first.close();

		const second = openTasks(options);
		await second.ready;
		expect(await second.repo.get(stale)).toBeUndefined();
		expect((await second.repo.get(recent))?.state).toBe('En cours');
		release();
		await second.housekeep();
		expect(await second.repo.get(recent)).toMatchObject({ state: 'Échec', interrupted: true });
		second.close();
	});

	it('uses the prefixed, configurable database name', async () => {
		const indexedDB = new IDBFactory();
		const service = openTasks({
			...ALICE,
			audit: sender(),
			storageKey: async () => storageKeyOf(ALICE),
			retentionDays: 7,
			dbName: 'hote',
			database: { indexedDB, IDBKeyRange },
			storage: null
		});
		await service.ready;
		expect(service.db.name).toBe('extractions-brutes:hote');
		expect((await indexedDB.databases()).map((d) => d.name)).toEqual(['extractions-brutes:hote']);
		service.close();
	});
});
