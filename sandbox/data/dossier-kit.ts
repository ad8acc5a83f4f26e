// What the emitters of one dossier share: the data's dates, the edge cases by index, small
// value makers, the status history.
import type { StatusCode, StatusEvent } from '../../src/lib/contract/spico.ts';
import type { DatasetSink, SandboxStructure } from '../generator.ts';
import { addDays, dayNumber, dayString, parisWallTime } from '../paris.ts';
import type { Rng } from './rng.ts';
import { STRUCTURE_DAC, STRUCTURE_TND } from './structures.ts';

export const CREATED_FIRST = dayNumber('2019-01-01');
export const CREATED_LAST = dayNumber('2025-12-31');
export const DATA_LAST = dayNumber('2026-06-30');

const NEXT_STATUS: Readonly<Record<StatusCode, readonly StatusCode[]>> = {
	analyse_demande: ['en_attente', 'en_attente', 'non_suivi', 'reorientation', 'suivi_inclusion'],
	en_attente: ['suivi_inclusion', 'suivi_inclusion', 'non_suivi', 'reorientation'],
	suivi_inclusion: ['sortie', 'sortie', 'en_attente'],
	non_suivi: ['sortie', 'en_attente'],
	reorientation: ['sortie', 'analyse_demande'],
	sortie: ['analyse_demande'],
	non_renseigne: ['analyse_demande']
};

export const LONG_TEXT_LENGTH = 40_000;
export const LONG_SENTENCE =
	'Compte rendu détaillé de la séance : l’enfant a participé aux activités proposées, ' +
	'avec des progrès nets en motricité fine ; poursuite du travail engagé. ';

/** Dossiers with a fixed role, by index, so every scale and seed holds every edge case. */
export const EDGE = {
	formulaName: 0,
	obrien: 1,
	ndiaye: 2,
	leadingPlus: 3,
	leadingMinus: 4,
	leadingAt: 5,
	noStatusEvent: 6,
	sameDayChanges: 7,
	archived: 8,
	outsideFileActive: 9,
	bothStructures: 10,
	allOptionalNull: 11,
	longComment: 12,
	guideExample: 13
} as const;

export const SPECIAL_NAMES: Readonly<Record<number, readonly [string, string]>> = {
	[EDGE.formulaName]: ['=SOMME(A1)', 'Hélène'],
	[EDGE.obrien]: ["O'Brien", 'Seán'],
	[EDGE.ndiaye]: ["N'Diaye", 'Aïssatou'],
	[EDGE.leadingPlus]: ['+33 Leroy', 'Loïc'],
	[EDGE.leadingMinus]: ['-Durand', 'Zoé'],
	[EDGE.leadingAt]: ['@Garnier', 'Maël']
};

/** ISO date-time of a Paris wall time, written either with the Paris offset or in UTC (`Z`). */
export function instant(rng: Rng, day: string, hour: number, minute: number): string {
	const local = parisWallTime(day, hour, minute, rng.int(0, 59));
	return rng.chance(0.3) ? new Date(Date.parse(local)).toISOString().replace('.000Z', 'Z') : local;
}

export function dayBetween(rng: Rng, first: number, last: number): string {
	return dayString(first + Math.floor(rng.float() * Math.max(1, last - first + 1)));
}

export function phone(rng: Rng): string {
	return `0${rng.pick(['2', '6', '7'])} ${[0, 0, 0, 0].map(() => String(rng.int(10, 99))).join(' ')}`;
}

export function digits(rng: Rng, n: number): string {
	let s = String(rng.int(1, 9));
	while (s.length < n) s += String(rng.int(0, 9));
	return s;
}

export function slug(s: string): string {
	return s
		.normalize('NFD')
		.replace(/[^A-Za-z]/g, '')
		.toLowerCase();
}

interface Membership {
	structures: SandboxStructure[];
}

export function membershipOf(rng: Rng, index: number): Membership {
	if (index === EDGE.outsideFileActive) return { structures: [] };
	if (index === EDGE.bothStructures) return { structures: [STRUCTURE_TND, STRUCTURE_DAC] };
	if (index < 14) return { structures: [STRUCTURE_TND] };
	const r = rng.float();
	if (r < 0.05) return { structures: [] };
	if (r < 0.6) return { structures: [STRUCTURE_TND] };
	if (r < 0.85) return { structures: [STRUCTURE_DAC] };
	return { structures: [STRUCTURE_TND, STRUCTURE_DAC] };
}

export function statusHistory(
	rng: Rng,
	index: number,
	createdDay: string,
	createdAt: string
): StatusEvent[] {
	if (index === EDGE.noStatusEvent) return [];
	if (index === EDGE.sameDayChanges) {
		// Three changes on 02/05: only the last one holds that day.
		return [
			{ at: createdAt, status: 'analyse_demande' },
			{ at: parisWallTime(addDays(createdDay, 81), 9, 0), status: 'en_attente' },
			{ at: parisWallTime(addDays(createdDay, 81), 11, 0), status: 'non_suivi' },
			{ at: parisWallTime(addDays(createdDay, 81), 16, 30), status: 'suivi_inclusion' }
		];
	}
	if (index === EDGE.guideExample) {
		// SPEC §4: created 01/03/2023 "En attente", "Suivi (Inclusion)" on 24/03 (00:30 in Paris).
		return [
			{ at: createdAt, status: 'en_attente' },
			{ at: '2023-03-23T23:30:00Z', status: 'suivi_inclusion' }
		];
	}
	if (rng.chance(0.08)) return [];
	const events: StatusEvent[] = [];
	let day = dayNumber(createdDay);
	let status: StatusCode = rng.chance(0.7) ? 'analyse_demande' : 'en_attente';
	if (rng.chance(0.8)) events.push({ at: createdAt, status });
	else {
		day += rng.int(1, 60);
		events.push({ at: instant(rng, dayString(day), rng.int(8, 18), rng.int(0, 59)), status });
	}
	const more = rng.int(0, 5);
	for (let i = 0; i < more; i++) {
		day += rng.int(1, 240);
		if (day > DATA_LAST) break;
		status = rng.pick(NEXT_STATUS[status]);
		const d = dayString(day);
		if (rng.chance(0.1)) {
			// Just after midnight in Paris: the previous day in UTC.
			const local = parisWallTime(d, 0, rng.int(0, 59));
			events.push({ at: new Date(Date.parse(local)).toISOString().replace('.000Z', 'Z'), status });
		} else {
			events.push({ at: instant(rng, d, rng.int(8, 17), rng.int(0, 59)), status });
		}
		if (rng.chance(0.05)) {
			// A second change the same day, later: the first one gets 0 days.
			status = rng.pick(NEXT_STATUS[status]);
			events.push({ at: parisWallTime(d, 18, rng.int(0, 59)), status });
		}
	}
	return events;
}

export interface Counters {
	rdv: number;
	hos: number;
	cds: number;
	rep: number;
}

export function id(prefix: string, n: number, width: number): string {
	return `${prefix}-${String(n).padStart(width, '0')}`;
}

/** One dossier as its emitters see it; they draw from its PRNG in a fixed order. */
export interface DossierScope {
	sink: DatasetSink;
	rng: Rng;
	index: number;
	dossierId: string;
	nom: string;
	createdDay: string;
	/** Day numbers of the dossier's data: from its creation, three years at most. */
	first: number;
	last: number;
	counters: Counters;
}
