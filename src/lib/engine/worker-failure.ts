/**
 * Why a worker of the pool stopped, in French. A worker the page's Content-Security-Policy
 * refuses (`worker-src`) never runs: Chromium reports a `securitypolicyviolation` on the document,
 * then a plain `error` event on the Worker (no ErrorEvent, no message). The watch remembers the
 * violation so that the user is told the real reason instead of waiting on a silent failure.
 */

export const WORKERS_REFUSED =
	"La politique de sécurité (Content-Security-Policy) de la page interdit les processus de calcul (Web Workers) du module d'extraction : l'extraction ne peut pas se faire ici. La page qui l'intègre doit autoriser « worker-src 'self' » (ou l'adresse d'où le module est servi).";

export const WORKERS_NOT_STARTED =
	"Le navigateur n'a pas pu démarrer les processus de calcul de l'extraction (Web Workers) : leurs fichiers sont introuvables ou ont été refusés.";

/** Directives that can forbid a worker (worker-src falls back to child-src, script-src, default-src). */
const WORKER_DIRECTIVES = new Set(['worker-src', 'child-src', 'script-src', 'default-src']);

export interface WorkerPolicyWatch {
	/** A worker was refused by the page's policy since the watch began. */
	readonly refused: boolean;
	stop(): void;
}

/** Listens for policy violations until `stop()` (the listener never outlives the run). */
export function watchWorkerPolicy(
	target: EventTarget | undefined = globalThis.document
): WorkerPolicyWatch {
	let refused = false;
	const onViolation = (event: Event) => {
		const directive = (event as Event & { effectiveDirective?: string }).effectiveDirective;
		if (directive && WORKER_DIRECTIVES.has(directive)) refused = true;
	};
	target?.addEventListener('securitypolicyviolation', onViolation);
	return {
		get refused() {
			return refused;
		},
		stop() {
			target?.removeEventListener('securitypolicyviolation', onViolation);
		}
	};
}

/** The error a pool worker's `error` or `messageerror` event becomes. */
export function workerFailure(event: Event, refusedByPolicy: boolean): Error {
	const message = (event as Event & { message?: unknown }).message;
	if (event.type === 'error' && !(typeof message === 'string' && message)) {
		// No message: the worker's script never ran (refused or not found).
		return new Error(refusedByPolicy ? WORKERS_REFUSED : WORKERS_NOT_STARTED);
	}
	const detail = typeof message === 'string' && message ? ` (${message})` : '';
	return new Error(`Le processus de calcul de ce fichier s'est arrêté${detail}.`);
}
