/** The Tâches page's state: the guide's filters, « Nombre d'items par page », paging. */
import { describe, expect, it } from 'vitest';
import { TaskList, formatDueAt } from '../../src/lib/state/tasks.svelte';
import type { TaskState, TaskView, TasksService } from '../../src/lib/tasks/index';
import { ALICE, request } from './tasks-helpers';

const STATES: TaskState[] = ['En cours', 'A traiter', 'Traité', 'Échec', 'Annulée'];

/** Paris noon of `day` in epoch ms (summer time: UTC+2). */
const noon = (day: string) => Date.parse(`${day}T10:00:00Z`);

function task(i: number, state: TaskState, due: string | null): TaskView {
	return {
		id: `t${i}`,
		...ALICE,
		structureName: 'PLATEFORME TND TEST',
		label: 'Extraction brute des données',
		level: 'Très haute',
		document: 'EXTRACTIONS - BRUTES - GENERIQUES',
		comment: '',
		state,
		interrupted: false,
		reason: null,
		createdAt: i,
		dueAt: due === null ? null : noon(due),
		downloadedAt: null,
		request: request(),
		zipName: 'x.zip',
		files: [],
		size: null,
		storage: { kind: 'none' },
		availability: 'none'
	};
}

function listOf(n: number): TaskList {
	const list = new TaskList({} as TasksService);
	list.tasks = Array.from({ length: n }, (_, i) =>
		task(
			i,
			STATES[i % STATES.length]!,
			i % 5 === 0 ? null : `2024-06-${String(1 + i).padStart(2, '0')}`
		)
	);
	return list;
}

describe('the task list', () => {
	it('shows 10 tasks a page by default, every état selected', () => {
		const list = listOf(23);
		expect(list.perPage).toBe(10);
		expect(list.states).toEqual(STATES);
		expect(list.pageCount).toBe(3);
		expect(list.visible.map((t) => t.id)).toEqual(Array.from({ length: 10 }, (_, i) => `t${i}`));
		list.goTo(3);
		expect(list.visible.map((t) => t.id)).toEqual(['t20', 't21', 't22']);
		list.goTo(99);
		expect(list.page).toBe(3);
		list.perPage = 20;
		expect(list.page).toBe(1);
		expect(list.pageCount).toBe(2);
	});

	it('filters by état and goes back to the first page', () => {
		const list = listOf(23);
		list.goTo(2);
		list.states = ['A traiter', 'En cours'];
		expect(list.page).toBe(1);
		// The guide's order is kept whatever the order of the clicks.
		expect(list.states).toEqual(['En cours', 'A traiter']);
		expect(new Set(list.filtered.map((t) => t.state))).toEqual(new Set(['En cours', 'A traiter']));
		expect(list.filtered).toHaveLength(10);
	});

	it('filters by niveau', () => {
		const list = listOf(6);
		list.level = 'Très haute';
		expect(list.filtered).toHaveLength(6);
		list.level = '';
		expect(list.filtered).toHaveLength(6);
	});

	it('filters by échéance, both bounds included, and leaves out tasks without one', () => {
		const list = listOf(12);
		list.dueFrom = '2024-06-03';
		list.dueTo = '2024-06-07';
		// Tasks 2..6 are due 3 to 7 June; task 5 has no échéance.
		expect(list.filtered.map((t) => t.id)).toEqual(['t2', 't3', 't4', 't6']);
		expect(list.rangeInvalid).toBe(false);
		list.dueTo = '2024-06-02';
		expect(list.rangeInvalid).toBe(true);
		expect(list.filtered).toEqual([]);
	});

	it('writes the date d’échéance in Paris time, dd/mm/yyyy HH:mm', () => {
		expect(formatDueAt(Date.parse('2023-07-11T13:05:42Z'))).toBe('11/07/2023 15:05');
		expect(formatDueAt(Date.parse('2023-12-31T23:30:00Z'))).toBe('01/01/2024 00:30');
	});
});
