// The hospital stays of one dossier.
import { addDays } from '../paris.ts';
import { dayBetween, id, type DossierScope } from './dossier-kit.ts';
import { COMMENTAIRES, ETABLISSEMENTS, SEJOUR_MOTIFS, SERVICES } from './vocabulary.ts';
export function emitHospitalisations(scope: DossierScope): void {
	const { sink, rng, dossierId, first, last, counters } = scope;
	const stays = rng.int(0, 4);
	for (let i = 0; i < stays; i++) {
		const entree = dayBetween(rng, first, last);
		sink.hospitalisation({
			id: id('HOS', ++counters.hos, 7),
			dossierId,
			etablissement: rng.orNull(0.05, rng.pick(ETABLISSEMENTS)),
			service: rng.orNull(0.1, rng.pick(SERVICES)),
			mode: rng.pick(['complete', 'ambulatoire', 'hdj', null] as const),
			entree,
			sortie: rng.chance(0.1) ? null : addDays(entree, rng.pick([0, 0, 1, 2, 3, 5, 8, 15, 30])),
			motif: rng.orNull(0.2, rng.pick(SEJOUR_MOTIFS)),
			commentaire: rng.orNull(0.7, rng.pick(COMMENTAIRES))
		});
	}
}
