import { describe, expect, it } from 'vitest';
import { taskComment } from '../../src/lib/tasks/comment';
import {
	TASK_STATES,
	TaskTransitionError,
	nextState,
	stateText,
	type TaskEvent,
	type TaskState
} from '../../src/lib/tasks/model';
import { isExpired, retentionMs } from '../../src/lib/tasks/retention';
import { databaseName } from '../../src/lib/tasks/db';

describe('the commentaire', () => {
	it('is worded as in the guide', () => {
		expect(
			taskComment({
				structureName: 'PLATEFORME TND TEST',
				madeOn: '2023-07-11',
				from: '2023-06-30',
				to: '2023-07-10'
			})
		).toBe(
			"Document d'extraction brute des données pour la structure PLATEFORME TND TEST réalisée le 11072023 Période du 30062023 au 10072023"
		);
	});

	it('folds the whitespace of the structure name', () => {
		expect(
			taskComment({
				structureName: '  DAC \n LOIRE ',
				madeOn: '2024-01-02',
				from: '2023-12-01',
				to: '2023-12-31'
			})
		).toContain('pour la structure DAC LOIRE réalisée le 02012024 Période du 01122023 au 31122023');
	});
});

describe('the états', () => {
	const allowed: [TaskState, TaskEvent, TaskState][] = [
		['En cours', 'done', 'A traiter'],
		['En cours', 'failed', 'Échec'],
		['En cours', 'interrupted', 'Échec'],
		['En cours', 'cancelled', 'Annulée'],
		['A traiter', 'downloaded', 'Traité'],
		['Traité', 'downloaded', 'Traité']
	];

	it.each(allowed)('%s --%s--> %s', (from, event, to) => {
		expect(nextState(from, event)).toBe(to);
	});

	it('refuses every other transition', () => {
		const events: TaskEvent[] = ['done', 'failed', 'interrupted', 'cancelled', 'downloaded'];
		let refused = 0;
		for (const from of TASK_STATES) {
			for (const event of events) {
				if (allowed.some(([f, e]) => f === from && e === event)) continue;
				expect(() => nextState(from, event), `${from} ${event}`).toThrow(TaskTransitionError);
				refused++;
			}
		}
		expect(refused).toBe(TASK_STATES.length * events.length - allowed.length);
	});

	it('shows an interrupted failure as such', () => {
		expect(stateText({ state: 'Échec', interrupted: true })).toBe('Échec — interrompue');
		expect(stateText({ state: 'Échec', interrupted: false })).toBe('Échec');
		expect(stateText({ state: 'Annulée', interrupted: false })).toBe('Annulée');
	});
});

describe('retention', () => {
	const week = retentionMs(7);

	it('keeps a task up to its retention and no longer', () => {
		const created = Date.UTC(2024, 0, 1);
		expect(isExpired(created, created + week - 1, week)).toBe(false);
		expect(isExpired(created, created + week, week)).toBe(false);
		expect(isExpired(created, created + week + 1, week)).toBe(true);
	});

	it('refuses a retention that is not a positive number of days', () => {
		expect(() => retentionMs(0)).toThrow(RangeError);
		expect(() => retentionMs(Number.NaN)).toThrow(RangeError);
		expect(retentionMs(1)).toBe(86_400_000);
	});
});

describe('the database name', () => {
	it('is always prefixed, and only plain names can be configured', () => {
		expect(databaseName()).toBe('extractions-brutes:taches');
		expect(databaseName('hote-42')).toBe('extractions-brutes:hote-42');
		expect(() => databaseName('')).toThrow(RangeError);
		expect(() => databaseName('a/b')).toThrow(RangeError);
		expect(() => databaseName(':x')).toThrow(RangeError);
	});
});
