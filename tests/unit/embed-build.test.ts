/**
 * The pieces of the embeddable module that run without a browser: the rem rewrite of its CSS
 * (src/embed/rem.ts), the French reason of a worker that never started (worker-failure.ts), and
 * the task summary handed to hosts.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as Public from '../../src/embed/public';
import { hostIndependentRem } from '../../src/embed/rem';
import {
	WORKERS_NOT_STARTED,
	WORKERS_REFUSED,
	watchWorkerPolicy,
	workerFailure
} from '../../src/lib/engine/worker-failure';
import { taskSummary } from '../../src/lib/tasks/summary';
import type { TaskRecord } from '../../src/lib/tasks/model';

describe('hostIndependentRem', () => {
	it('rewrites rem in declarations, whatever the number’s form', () => {
		expect(hostIndependentRem('.a{margin:0 0 .25rem;padding:1rem 1.5rem;top:-2rem}')).toBe(
			'.a{margin:0 0 calc(.25 * var(--eb-rem));padding:calc(1 * var(--eb-rem)) calc(1.5 * var(--eb-rem));top:calc(-2 * var(--eb-rem))}'
		);
		expect(hostIndependentRem('.b{width:calc(100% - 2rem)}')).toBe(
			'.b{width:calc(100% - calc(2 * var(--eb-rem)))}'
		);
	});

	it('leaves media queries, selectors, other units and names alone', () => {
		const css =
			'@media (max-width:30rem){.tree-2rem.x{padding:.5rem}}.c{font-size:2em;width:3px;--rem:1}';
		expect(hostIndependentRem(css)).toBe(
			'@media (max-width:30rem){.tree-2rem.x{padding:calc(.5 * var(--eb-rem))}}.c{font-size:2em;width:3px;--rem:1}'
		);
	});
});

describe('workerFailure', () => {
	const violation = (directive: string) =>
		Object.assign(new Event('securitypolicyviolation'), { effectiveDirective: directive });

	it('names the page’s CSP when a worker-src violation came before the silent error', () => {
		const target = new EventTarget();
		const watch = watchWorkerPolicy(target);
		expect(workerFailure(new Event('error'), watch.refused).message).toBe(WORKERS_NOT_STARTED);
		target.dispatchEvent(violation('img-src'));
		expect(watch.refused).toBe(false);
		target.dispatchEvent(violation('worker-src'));
		expect(watch.refused).toBe(true);
		expect(workerFailure(new Event('error'), watch.refused).message).toBe(WORKERS_REFUSED);
		expect(WORKERS_REFUSED).toContain("worker-src 'self'");
	});

	it('stops listening when stopped', () => {
		const target = new EventTarget();
		const watch = watchWorkerPolicy(target);
		watch.stop();
		target.dispatchEvent(violation('worker-src'));
		expect(watch.refused).toBe(false);
	});

	it('keeps the message of a worker that crashed while running', () => {
		const crash = Object.assign(new Event('error'), { message: 'Uncaught RangeError: boom' });
		expect(workerFailure(crash, true).message).toBe(
			"Le processus de calcul de ce fichier s'est arrêté (Uncaught RangeError: boom)."
		);
		expect(workerFailure(new Event('messageerror'), false).message).toBe(
			"Le processus de calcul de ce fichier s'est arrêté."
		);
	});
});

describe('taskSummary', () => {
	it('gives names, counts, state and times, and nothing about patients or the failure', () => {
		const task = {
			id: 't1',
			userId: 'u1',
			structureId: 's1',
			structureName: 'PLATEFORME TND TEST',
			label: 'Extraction brute des données',
			level: 'Très haute',
			document: 'EXTRACTIONS - BRUTES - GENERIQUES',
			comment: 'Document…',
			state: 'Échec',
			interrupted: false,
			reason: 'Réponse invalide pour le dossier D-0042 (champ nom)',
			createdAt: 1000,
			dueAt: 2000,
			downloadedAt: null,
			request: {} as TaskRecord['request'],
			zipName: 'Generic_extractions_brutes_01012024_31012024.zip',
			files: [
				{
					fileName: 'RDV 01012024_31012024.xlsx',
					label: 'RDV',
					sheets: [{ name: 'RDV', rows: 12 }],
					rows: 12,
					cutCells: 0,
					continuations: []
				}
			],
			size: null,
			storage: { kind: 'none' }
		} satisfies TaskRecord;
		expect(taskSummary(task)).toEqual({
			id: 't1',
			state: 'Échec',
			outcome: 'failed',
			zipName: 'Generic_extractions_brutes_01012024_31012024.zip',
			files: [{ fileName: 'RDV 01012024_31012024.xlsx', rows: 12 }],
			createdAt: 1000,
			dueAt: 2000
		});
		expect(taskSummary({ ...task, state: 'En cours', dueAt: null }).outcome).toBeNull();
		expect(taskSummary({ ...task, state: 'Traité' }).outcome).toBe('done');
		expect(taskSummary({ ...task, state: 'Annulée' }).outcome).toBe('cancelled');
	});
});

// The public declarations (src/embed/public.d.ts, shipped as extractions-brutes.d.ts), used as a
// host would: type-level only, checked by svelte-check in `npm run check`.
expectTypeOf<Public.MountOptions['getToken']>().toEqualTypeOf<Public.TokenGetter | undefined>();
// After a 401 the getter is asked for a fresh token: `{ refresh: true }` (SPEC §12).
expectTypeOf<Parameters<Public.TokenGetter>>().toEqualTypeOf<[request?: Public.TokenRequest]>();
expectTypeOf<Public.TokenRequest['refresh']>().toEqualTypeOf<boolean>();
expectTypeOf<Public.MountOptions['onSwitchAccount']>().toEqualTypeOf<(() => void) | undefined>();
expectTypeOf(useAsAHost).returns.toEqualTypeOf<Promise<Public.TaskOutcome | null>>();
expectTypeOf<
	HTMLElementTagNameMap['extractions-brutes']
>().toEqualTypeOf<Public.ExtractionsBrutesElement>();
expectTypeOf<keyof Public.ExtractionsBrutesAttributes>().toEqualTypeOf<
	'api-base-url' | 'tasks-database' | 'max-period-years' | 'retention-days'
>();

/** What a host writes, checked against the declarations (never called). */
async function useAsAHost(mount: typeof Public.mount): Promise<Public.TaskOutcome | null> {
	const unmount = mount(document.body, {
		apiBaseUrl: 'https://spico.example/api/v1',
		// A host that caches its token and renews it only when asked to.
		getToken: async (request) => (request?.refresh ? 'jeton-neuf' : 'jeton'),
		onTaskDone: (task) => void task.files.map((f) => f.rows),
		onSwitchAccount: () => void 0
	});
	await unmount();
	const el = document.createElement('extractions-brutes');
	el.getToken = () => null;
	return new Promise((done) =>
		el.addEventListener('task-done', (event) => done(event.detail.outcome))
	);
}
