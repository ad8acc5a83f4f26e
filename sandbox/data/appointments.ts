// The appointments of one dossier (the long comment edge case included).
import { parisWallTime } from '../paris.ts';
import {
	dayBetween,
	EDGE,
	id,
	LONG_SENTENCE,
	LONG_TEXT_LENGTH,
	type DossierScope
} from './dossier-kit.ts';
import { COMMENTAIRES, LIEUX, PROFESSIONNELS, RDV_MOTIFS, RDV_TYPES } from './vocabulary.ts';
export function emitAppointments(scope: DossierScope): void {
	const { sink, rng, index, dossierId, first, last, counters } = scope;
	const appointments = index === EDGE.longComment ? Math.max(1, rng.int(0, 20)) : rng.int(0, 20);
	for (let i = 0; i < appointments; i++) {
		const day = dayBetween(rng, first, last);
		const hour = rng.int(8, 18);
		const minute = rng.pick([0, 15, 30, 45]);
		const start = parisWallTime(day, hour, minute);
		const duration = rng.pick([30, 45, 60, 90]);
		const endMinutes = hour * 60 + minute + duration;
		let commentaire: string | null = rng.orNull(0.6, rng.pick(COMMENTAIRES));
		if (index === EDGE.longComment && i === 0) {
			commentaire = LONG_SENTENCE.repeat(Math.ceil(LONG_TEXT_LENGTH / LONG_SENTENCE.length)).slice(
				0,
				LONG_TEXT_LENGTH
			);
		}
		sink.appointment({
			id: id('RDV', ++counters.rdv, 7),
			dossierId,
			start,
			end: rng.chance(0.05)
				? null
				: parisWallTime(day, Math.floor(endMinutes / 60), endMinutes % 60),
			type: rng.orNull(0.05, rng.pick(RDV_TYPES)),
			motif: rng.orNull(0.1, rng.pick(RDV_MOTIFS)),
			lieu: rng.orNull(0.1, rng.pick(LIEUX)),
			professionnel: rng.orNull(0.05, rng.pick(PROFESSIONNELS)),
			statut: rng.pick([
				'honore',
				'honore',
				'honore',
				'honore',
				'annule',
				'non_honore',
				'prevu'
			] as const),
			commentaire
		});
	}
}
