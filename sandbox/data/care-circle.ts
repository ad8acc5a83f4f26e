// The care circle of one dossier: the sandbox structures (file active), an outside structure,
// professionals, family.
import { addDays, dayString } from '../paris.ts';
import {
	dayBetween,
	digits,
	id,
	membershipOf,
	phone,
	slug,
	type DossierScope
} from './dossier-kit.ts';
import { AIDANTS, EXTERNES, NOMS, PRENOMS, SPECIALITES } from './vocabulary.ts';
export function emitCareCircle(scope: DossierScope): void {
	const { sink, rng, index, dossierId, nom, createdDay, first, last, counters } = scope;
	for (const s of membershipOf(rng, index).structures) {
		const debut = rng.chance(0.1) ? null : dayString(first + rng.int(0, 30));
		const fin = rng.chance(0.7) ? null : dayBetween(rng, first + 31, last);
		sink.careCircle({
			id: id('CDS', ++counters.cds, 7),
			dossierId,
			structureId: s.id,
			intervenant: s.name,
			type: 'structure',
			specialite: null,
			role: 'Structure de coordination',
			identifiant: digits(rng, 9),
			telephone: phone(rng),
			courriel: null,
			debut,
			fin
		});
	}
	if (rng.chance(0.3)) {
		sink.careCircle({
			id: id('CDS', ++counters.cds, 7),
			dossierId,
			structureId: null,
			intervenant: rng.pick(EXTERNES),
			type: 'structure',
			specialite: null,
			role: 'Partenaire',
			identifiant: rng.orNull(0.3, digits(rng, 9)),
			telephone: rng.orNull(0.3, phone(rng)),
			courriel: null,
			debut: rng.orNull(0.3, dayBetween(rng, first, last)),
			fin: null
		});
	}
	const pros = rng.int(1, 3);
	for (let i = 0; i < pros; i++) {
		const [specialite, role] = rng.pick(SPECIALITES);
		const debut = rng.orNull(0.15, dayBetween(rng, first, last));
		sink.careCircle({
			id: id('CDS', ++counters.cds, 7),
			dossierId,
			structureId: null,
			intervenant: `${rng.pick(PRENOMS)} ${rng.pick(NOMS)}`,
			type: 'professionnel',
			specialite,
			role,
			identifiant: rng.orNull(0.2, digits(rng, 11)),
			telephone: rng.orNull(0.3, phone(rng)),
			courriel: rng.orNull(0.5, `contact@cabinet-${slug(rng.pick(NOMS))}.fr`),
			debut,
			fin: rng.chance(0.6) ? null : addDays(debut ?? createdDay, rng.int(0, 400))
		});
	}
	if (rng.chance(0.5)) {
		const [qui, role] = rng.pick(AIDANTS);
		sink.careCircle({
			id: id('CDS', ++counters.cds, 7),
			dossierId,
			structureId: null,
			intervenant: `${rng.pick(PRENOMS)} ${nom} (${qui})`,
			type: 'proche_aidant',
			specialite: null,
			role,
			identifiant: null,
			telephone: rng.orNull(0.1, phone(rng)),
			courriel: null,
			debut: rng.orNull(0.5, createdDay),
			fin: null
		});
	}
}
