/**
 * Contract items with every optional field empty, for tests that only care about ids, dates or
 * paging: one definition instead of a copy per test file.
 */
import type { Dossier } from '../../src/lib/contract/spico';

/** An appointment of `D-<id>`; `extra` replaces or adds fields. */
export function appointment(id: string, extra: Record<string, unknown> = {}) {
	return {
		id,
		dossierId: `D-${id}`,
		patient: { nom: 'Dupont', prenom: 'Léa', dateNaissance: '1990-05-04' },
		start: '2023-03-01T09:00:00+01:00',
		end: null,
		type: null,
		motif: null,
		lieu: null,
		professionnel: null,
		statut: 'prevu',
		commentaire: null,
		...extra
	};
}

/** A dossier with no identity beyond its id; `fields` sets dates and events. */
export function dossier(id: string, fields: Partial<Dossier> = {}): Dossier {
	return {
		dossierId: id,
		patient: { nom: `Nom ${id}`, prenom: 'Prénom', dateNaissance: null },
		ins: null,
		nomNaissance: null,
		nomUsage: null,
		prenoms: null,
		sexe: null,
		adresse: null,
		codePostal: null,
		commune: null,
		telephone: null,
		courriel: null,
		medecinTraitant: null,
		createdAt: '2020-01-01T00:00:00Z',
		archivedAt: null,
		statusEvents: [],
		...fields
	};
}
