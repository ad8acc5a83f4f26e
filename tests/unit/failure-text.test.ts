/**
 * Failure messages (src/lib/engine/failure-text.ts): one plain sentence, the next step, the
 * technical detail apart; the causes are the client's and the contract's real messages.
 */
import { describe, expect, it } from 'vitest';
import { ContractError } from '../../src/lib/contract/spico';
import { explainFailure, failureCode } from '../../src/lib/engine/failure-text';
import { WORKERS_REFUSED } from '../../src/lib/engine/worker-failure';

const of = (e: Error) => explainFailure({ name: e.name, message: e.message });

describe('explainFailure', () => {
	it('a transient API fault: retry in a few minutes, no code', () => {
		for (const message of [
			'Le service SPICO est momentanément indisponible (erreur 503). Échec après 5 tentatives.',
			"L'API SPICO limite le nombre de requêtes : réessayez plus tard.",
			'Connexion à l’API SPICO impossible (réseau interrompu ?).',
			"L'API SPICO n'a pas répondu à temps."
		]) {
			const text = explainFailure({ name: 'Error', message });
			expect(text.kind, message).toBe('transient');
			expect(text.next).toBe('Réessayez dans quelques minutes.');
			expect(text.code).toBeNull();
			expect(text.detail).toBe(message);
		}
	});

	it('a non-conforming answer: a plain sentence and a code for the administrator', () => {
		const error = new ContractError(
			'GET /structures/s1/appointments',
			'items[0].patient.dateNaissance',
			'D42',
			'date ISO attendue'
		);
		const text = of(error);
		expect(text.kind).toBe('contract');
		expect(text.sentence).toBe("L'API SPICO a renvoyé des données que le module ne sait pas lire.");
		expect(text.sentence).not.toContain('items[0]');
		expect(text.code).toMatch(/^EB-CONTRAT-[0-9A-F]{6}$/);
		expect(text.next).toBe(
			`Contactez l'administrateur de la plateforme en lui transmettant ce code : ${text.code}.`
		);
		expect(text.detail).toContain('items[0].patient.dateNaissance');
		// The same detail always gives the same code; another detail another one.
		expect(failureCode('contract', text.detail)).toBe(text.code);
		expect(failureCode('contract', `${text.detail}!`)).not.toBe(text.code);
		// The task keeps a reason cut at 300 characters: the code is the same from it.
		const long = `RDV : ${'x'.repeat(400)}`;
		expect(failureCode('contract', long.slice(0, 299) + '…')).toBe(failureCode('contract', long));
	});

	it('an expired session says to sign in again; a refused worker names the browser', () => {
		expect(
			explainFailure({
				name: 'ApiError',
				message: 'Session expirée — reconnectez-vous puis relancez.'
			}).next
		).toBe("Reconnectez-vous, puis relancez l'extraction.");
		const refused = explainFailure({ name: 'Error', message: WORKERS_REFUSED });
		expect(refused.kind).toBe('browser');
		expect(refused.code).toMatch(/^EB-NAVIGATEUR-/);
		const unknown = explainFailure({ name: 'Error', message: 'boom' });
		expect(unknown.kind).toBe('unknown');
		expect(unknown.next).toContain('EB-INCONNU-');
	});
});
