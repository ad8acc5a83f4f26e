// One dossier and, through the emitters of each list, its rows.
import type { Dossier, Field, Patient } from '../../src/lib/contract/spico.ts';
import type { DatasetSink } from '../generator.ts';
import { dayNumber, dayString, parisWallTime } from '../paris.ts';
import { emitAppointments } from './appointments.ts';
import { emitCareCircle } from './care-circle.ts';
import {
	CREATED_FIRST,
	CREATED_LAST,
	DATA_LAST,
	dayBetween,
	digits,
	EDGE,
	id,
	instant,
	phone,
	slug,
	SPECIAL_NAMES,
	statusHistory,
	type Counters,
	type DossierScope
} from './dossier-kit.ts';
import { emitHospitalisations } from './hospitalisations.ts';
import { emitResponses } from './responses.ts';
import { mix, Rng } from './rng.ts';
import { COMMUNES, MEDECINS, NOMS, PRENOMS, RUES } from './vocabulary.ts';

export function emitDossier(
	sink: DatasetSink,
	seed: number,
	index: number,
	forms: readonly { id: string; fields: readonly Field[] }[],
	counters: Counters
): void {
	const rng = new Rng(mix(seed, index));
	const dossierId = id('DOS', index + 1, 6);
	const sparse = index === EDGE.allOptionalNull;

	let createdDay = dayBetween(rng, CREATED_FIRST, CREATED_LAST);
	if (index === EDGE.guideExample) createdDay = '2023-03-01';
	if (index === EDGE.sameDayChanges) createdDay = '2023-02-10';
	const createdAt =
		index === EDGE.guideExample
			? parisWallTime(createdDay, 9, 0)
			: instant(rng, createdDay, rng.int(8, 18), rng.int(0, 59));

	const special = SPECIAL_NAMES[index];
	const nom = special?.[0] ?? rng.pick(NOMS);
	const prenom = special?.[1] ?? rng.pick(PRENOMS);
	const born = dayBetween(rng, dayNumber('2006-01-01'), dayNumber('2022-12-31'));
	const patient: Patient = { nom, prenom, dateNaissance: sparse || rng.chance(0.03) ? null : born };
	const [codePostal, commune] = rng.pick(COMMUNES);
	const statusEvents = statusHistory(rng, index, createdDay, createdAt);
	const lastDay = statusEvents.length
		? dayNumber(statusEvents[statusEvents.length - 1]?.at.slice(0, 10) ?? createdDay)
		: dayNumber(createdDay);
	const archived = index === EDGE.archived || (index > 13 && rng.chance(0.08));
	const archivedAt = archived
		? instant(rng, dayString(Math.min(DATA_LAST, lastDay + rng.int(1, 90))), 10, 0)
		: null;
	const nomUsage = rng.chance(0.1) ? rng.pick(NOMS) : nom;
	const dossier: Dossier = {
		dossierId,
		patient,
		ins: sparse ? null : rng.orNull(0.2, digits(rng, 15)),
		nomNaissance: sparse ? null : nom,
		nomUsage: sparse ? null : rng.orNull(0.3, nomUsage),
		prenoms: sparse ? null : rng.chance(0.4) ? `${prenom}, ${rng.pick(PRENOMS)}` : prenom,
		sexe: sparse ? null : rng.pick(['F', 'M', 'F', 'M', 'I', null] as const),
		adresse: sparse ? null : rng.orNull(0.1, `${rng.int(1, 140)} ${rng.pick(RUES)}`),
		codePostal: sparse ? null : codePostal,
		commune: sparse ? null : commune,
		telephone: sparse ? null : rng.orNull(0.15, phone(rng)),
		courriel: sparse ? null : rng.orNull(0.3, `${slug(prenom)}.${slug(nom)}@exemple.fr`),
		medecinTraitant: sparse ? null : rng.orNull(0.25, rng.pick(MEDECINS)),
		createdAt,
		archivedAt,
		statusEvents
	};
	sink.dossier(dossier);

	const first = dayNumber(createdDay);
	const last = Math.min(DATA_LAST, first + 3 * 365);
	const scope: DossierScope = {
		sink,
		rng,
		index,
		dossierId,
		nom,
		createdDay,
		first,
		last,
		counters
	};
	// In this order: each list draws from the dossier's one PRNG.
	emitCareCircle(scope);
	emitAppointments(scope);
	emitHospitalisations(scope);
	emitResponses(scope, forms);
}
