/**
 * What a failed extraction tells the user (SPEC §2, issue 14): the fault in one plain sentence,
 * what to do next, and the technical detail (endpoint, field, status) kept for a disclosure and
 * for the administrator. Errors come back from the workers with their name and message only
 * (comlink), so the cause is recognised from those: the API client's and the contract's
 * messages are this module's own (src/lib/api/client.ts, src/lib/contract/spico.ts).
 */
import { WORKERS_NOT_STARTED, WORKERS_REFUSED } from './worker-failure';

export type FailureKind =
	'transient' | 'session' | 'forbidden' | 'contract' | 'filters' | 'browser' | 'unknown';

export interface FailureText {
	kind: FailureKind;
	/** One plain sentence: what went wrong. */
	sentence: string;
	/** What to do now. */
	next: string;
	/** The code to give the administrator, when there is one to give. */
	code: string | null;
	/** The technical message, word for word. */
	detail: string;
}

export const RETRY_LATER = 'Réessayez dans quelques minutes.';
const CONTACT = "Contactez l'administrateur de la plateforme en lui transmettant ce code : ";

const CODE_TAGS: Record<FailureKind, string> = {
	transient: 'RESEAU',
	session: 'SESSION',
	forbidden: 'DROITS',
	contract: 'CONTRAT',
	filters: 'FILTRES',
	browser: 'NAVIGATEUR',
	unknown: 'INCONNU'
};

/** FNV-1a, 32 bits: the same detail always gives the same code, and a short one. */
function shortHash(text: string): string {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h.toString(16).toUpperCase().padStart(8, '0').slice(0, 6);
}

/**
 * `EB-CONTRAT-3FA92C`: the kind, then a digest of the detail's first 200 characters on one line —
 * what the task's reason keeps whole (it is cut at 300), so the result screen and Tâches give the
 * same code.
 */
export function failureCode(kind: FailureKind, detail: string): string {
	const kept = detail.replace(/\s+/g, ' ').trim().slice(0, 200);
	return `EB-${CODE_TAGS[kind]}-${shortHash(kept)}`;
}

function kindOf(name: string, message: string): FailureKind {
	if (name === 'ContractError' || message.includes("Réponse non conforme de l'API")) {
		return 'contract';
	}
	if (message.includes('Session expirée')) return 'session';
	if (message.includes("n'a pas le droit")) return 'forbidden';
	if (
		message.includes('Filtre refusé') ||
		message.includes("Les filtres de l'extraction ont été refusés")
	) {
		return 'filters';
	}
	if (
		message.includes('momentanément indisponible') ||
		message.includes('limite le nombre de requêtes') ||
		message.includes("n'a pas répondu à temps") ||
		message.includes("n'a pas reçu la requête à temps") ||
		message.includes('Connexion à l’API SPICO impossible') ||
		message.includes('La connexion à l’API SPICO a été coupée')
	) {
		return 'transient';
	}
	if (
		message.includes(WORKERS_REFUSED) ||
		message.includes(WORKERS_NOT_STARTED) ||
		message.includes('processus de calcul')
	) {
		return 'browser';
	}
	return 'unknown';
}

const SENTENCES: Record<FailureKind, string> = {
	transient: "Le service SPICO n'a pas pu fournir les données : il est indisponible ou surchargé.",
	session: "Votre session a expiré pendant l'extraction.",
	forbidden: "Votre compte n'a pas accès aux données de cette structure.",
	contract: "L'API SPICO a renvoyé des données que le module ne sait pas lire.",
	filters: "L'API SPICO a refusé les filtres de l'extraction.",
	browser: "Le navigateur n'a pas pu faire les calculs de l'extraction.",
	unknown: "L'extraction s'est arrêtée sur une erreur inattendue."
};

/**
 * Explains a failure. `name` and `message` are the cause's (JobFailure keeps them apart from
 * the file's label); `detail` is what the disclosure shows, the label included.
 */
export function explainFailure(cause: {
	name: string;
	message: string;
	detail?: string;
}): FailureText {
	const kind = kindOf(cause.name, cause.message);
	const detail = cause.detail ?? cause.message;
	if (kind === 'transient') {
		return { kind, sentence: SENTENCES[kind], next: RETRY_LATER, code: null, detail };
	}
	if (kind === 'session') {
		return {
			kind,
			sentence: SENTENCES[kind],
			next: "Reconnectez-vous, puis relancez l'extraction.",
			code: null,
			detail
		};
	}
	if (kind === 'browser' && !cause.message.includes(WORKERS_REFUSED)) {
		// A worker that stopped is most often memory: a smaller extraction may pass.
		const code = failureCode(kind, detail);
		return {
			kind,
			sentence: SENTENCES[kind],
			next: `Réessayez avec une période plus courte ou moins de fichiers ; si cela se reproduit, ${CONTACT.charAt(0).toLowerCase()}${CONTACT.slice(1)}${code}.`,
			code,
			detail
		};
	}
	const code = failureCode(kind, detail);
	return { kind, sentence: SENTENCES[kind], next: `${CONTACT}${code}.`, code, detail };
}
