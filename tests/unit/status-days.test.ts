import { describe, expect, it } from 'vitest';
import { STATUS_CODES, type StatusCode, type StatusEvent } from '../../src/lib/contract/spico';
import { computeStatusDays, isInScope, type StatusDays } from '../../src/lib/core/status-days';
// Seeded (mulberry32, the sandbox's) so that a failure can be replayed.
import { mulberry32 as prng } from '../../sandbox/generator';

const MARCH = { from: '2023-03-01', to: '2023-03-31' };

function ev(at: string, status: StatusCode): StatusEvent {
	return { at, status };
}

/** The seven totals with the given non-zero ones. */
function totals(nonZero: Partial<Record<StatusCode, number>>): Record<StatusCode, number> {
	const out = {} as Record<StatusCode, number>;
	for (const s of STATUS_CODES) out[s] = nonZero[s] ?? 0;
	return out;
}

function rows(r: StatusDays): string[] {
	return r.intervals.map(
		(i) => `${i.status} ${i.startDay} ${i.endDay ?? '-'} ${i.daysInPeriod} ${i.current}`
	);
}

describe('computeStatusDays — the guide example (SPEC §4)', () => {
	const dossier = {
		createdAt: '2023-03-01T09:00:00+01:00',
		statusEvents: [
			ev('2023-03-01T09:00:00+01:00', 'en_attente'),
			ev('2023-03-24T10:00:00+01:00', 'suivi_inclusion')
		]
	};
	const period = { from: '2023-03-01', to: '2023-03-28' };

	it('gives En attente 23 days and Suivi (Inclusion) 5, total 28', () => {
		// end = 28/03 + 1 = 29/03. En attente [01/03, 24/03) = 23; Suivi [24/03, 29/03) = 5.
		const r = computeStatusDays({ ...dossier, period, today: '2023-03-28' });
		expect(r.days).toEqual(totals({ en_attente: 23, suivi_inclusion: 5 }));
		expect(r.totalDays).toBe(28);
		expect(r.statusAtEnd).toBe('suivi_inclusion');
		expect(r.since).toBe('2023-03-24');
		expect(r.daysInStatus).toBe(5);
		expect(r.lastDay).toBe('2023-03-28');
		// The initial Non renseigné [01/03, 01/03) holds no day: not listed.
		expect(rows(r)).toEqual([
			'en_attente 2023-03-01 2023-03-24 23 false',
			'suivi_inclusion 2023-03-24 - 5 true'
		]);
	});

	it('gives the same when extracted later, even after a change past the period', () => {
		// A Sortie on 02/04 is after P: Suivi is still in force on 28/03, so no end day is shown.
		const r = computeStatusDays({
			createdAt: dossier.createdAt,
			statusEvents: [...dossier.statusEvents, ev('2023-04-02T10:00:00+02:00', 'sortie')],
			period,
			today: '2023-04-15'
		});
		expect(r.days).toEqual(totals({ en_attente: 23, suivi_inclusion: 5 }));
		expect(r.statusAtEnd).toBe('suivi_inclusion');
		expect(r.daysInStatus).toBe(5);
		expect(rows(r)).toEqual([
			'en_attente 2023-03-01 2023-03-24 23 false',
			'suivi_inclusion 2023-03-24 - 5 true'
		]);
	});
});

describe('computeStatusDays — rules', () => {
	it('counts a dossier without events as Non renseigné from its creation', () => {
		// Created 10/02; P = March, today 01/06 → end = 01/04. [10/02, ∞) ∩ [01/03, 01/04) = 31.
		// Since 10/02: Feb 10 → Mar 1 = 19 days, + 31 in March = 50.
		const r = computeStatusDays({
			createdAt: '2023-02-10T12:00:00+01:00',
			statusEvents: [],
			period: MARCH,
			today: '2023-06-01'
		});
		expect(r.days).toEqual(totals({ non_renseigne: 31 }));
		expect(r.totalDays).toBe(31);
		expect(r.statusAtEnd).toBe('non_renseigne');
		expect(r.since).toBe('2023-02-10');
		expect(r.daysInStatus).toBe(50);
		expect(rows(r)).toEqual(['non_renseigne 2023-02-10 - 31 true']);
	});

	it('gives the earlier of two same-day changes 0 days, which alone is not in scope', () => {
		// En attente [01/03, 10/03) = 9; Analyse [10/03, 10/03) = 0; Suivi [10/03, 01/04) = 22.
		// 9 + 0 + 22 = 31 = days of March. Events given out of order: sorted by instant.
		const r = computeStatusDays({
			createdAt: '2023-03-01T08:00:00+01:00',
			statusEvents: [
				ev('2023-03-10T17:00:00+01:00', 'suivi_inclusion'),
				ev('2023-03-01T08:00:00+01:00', 'en_attente'),
				ev('2023-03-10T09:00:00+01:00', 'analyse_demande')
			],
			period: MARCH,
			today: '2023-04-10'
		});
		expect(r.days).toEqual(totals({ en_attente: 9, suivi_inclusion: 22 }));
		expect(rows(r)).toEqual([
			'en_attente 2023-03-01 2023-03-10 9 false',
			'analyse_demande 2023-03-10 2023-03-10 0 false',
			'suivi_inclusion 2023-03-10 - 22 true'
		]);
		expect(isInScope(r, ['analyse_demande'])).toBe(false);
		expect(isInScope(r, new Set<StatusCode>(['analyse_demande', 'en_attente']))).toBe(true);
		expect(isInScope(r, ['sortie', 'non_renseigne'])).toBe(false);
	});

	it('lets the later of two events at the same instant win the day (stable order)', () => {
		// Both at 01/03 09:00: En attente [01/03, 01/03) = 0, Sortie [01/03, 01/04) = 31.
		const r = computeStatusDays({
			createdAt: '2023-03-01T09:00:00+01:00',
			statusEvents: [
				ev('2023-03-01T09:00:00+01:00', 'en_attente'),
				ev('2023-03-01T08:00:00Z', 'sortie')
			],
			period: MARCH,
			today: '2023-04-10'
		});
		expect(r.days).toEqual(totals({ sortie: 31 }));
		expect(r.statusAtEnd).toBe('sortie');
	});

	it('closes the open interval at today when today is inside the period', () => {
		// today 15/03 → end 16/03. En attente [05/01, 10/03) ∩ [01/03, 16/03) = 9;
		// Suivi [10/03, 16/03) = 6. 9 + 6 = 15 = |[01/03, 16/03)|.
		const r = computeStatusDays({
			createdAt: '2023-01-05T10:00:00+01:00',
			statusEvents: [
				ev('2023-01-05T10:00:00+01:00', 'en_attente'),
				ev('2023-03-10T10:00:00+01:00', 'suivi_inclusion')
			],
			period: MARCH,
			today: '2023-03-15'
		});
		expect(r.days).toEqual(totals({ en_attente: 9, suivi_inclusion: 6 }));
		expect(r.totalDays).toBe(15);
		expect(r.lastDay).toBe('2023-03-15');
		expect(r.since).toBe('2023-03-10');
		expect(r.daysInStatus).toBe(6);
		expect(rows(r)).toEqual([
			'en_attente 2023-01-05 2023-03-10 9 false',
			'suivi_inclusion 2023-03-10 - 6 true'
		]);
	});

	it('counts from the creation day when the dossier is created inside the period', () => {
		// Non renseigné [20/03, 22/03) = 2; Non suivi [22/03, 01/04) = 10. 12 = |[20/03, 01/04)|.
		const r = computeStatusDays({
			createdAt: '2023-03-20T14:00:00+01:00',
			statusEvents: [ev('2023-03-22T10:00:00+01:00', 'non_suivi')],
			period: MARCH,
			today: '2023-05-01'
		});
		expect(r.days).toEqual(totals({ non_renseigne: 2, non_suivi: 10 }));
		expect(r.totalDays).toBe(12);
		expect(r.createdDay).toBe('2023-03-20');
		expect(rows(r)).toEqual([
			'non_renseigne 2023-03-20 2023-03-22 2 false',
			'non_suivi 2023-03-22 - 10 true'
		]);
	});

	it('counts one day for a dossier created on the last day of the period', () => {
		// 31/03 23:30 CEST is still 31/03 in Paris: [31/03, 01/04) = 1 day.
		const r = computeStatusDays({
			createdAt: '2023-03-31T23:30:00+02:00',
			statusEvents: [ev('2023-03-31T23:30:00+02:00', 'en_attente')],
			period: MARCH,
			today: '2023-05-01'
		});
		expect(r.days).toEqual(totals({ en_attente: 1 }));
		expect(isInScope(r, ['en_attente'])).toBe(true);
	});

	it('never puts in scope a dossier created after `to`', () => {
		const r = computeStatusDays({
			createdAt: '2023-04-02T10:00:00+02:00',
			statusEvents: [ev('2023-04-02T10:00:00+02:00', 'en_attente')],
			period: MARCH,
			today: '2023-05-01'
		});
		expect(r.days).toEqual(totals({}));
		expect(r.totalDays).toBe(0);
		expect(r.intervals).toEqual([]);
		expect(r.statusAtEnd).toBeNull();
		expect(r.since).toBeNull();
		expect(r.daysInStatus).toBeNull();
		expect(isInScope(r, STATUS_CODES)).toBe(false);
	});

	it('clips intervals straddling both ends of the period', () => {
		// Analyse [01/06/22, 15/09/22) ends before P: not listed.
		// En attente [15/09/22, 20/04/23) covers all of March: 31 days, still in force at the end.
		// Since 15/09/22: 16 (to 01/10) + 31 + 30 + 31 + 31 + 28 + 31 (Oct…Mar) = 198.
		const r = computeStatusDays({
			createdAt: '2022-06-01T09:00:00+02:00',
			statusEvents: [
				ev('2022-06-01T09:00:00+02:00', 'analyse_demande'),
				ev('2022-09-15T09:00:00+02:00', 'en_attente'),
				ev('2023-04-20T09:00:00+02:00', 'suivi_inclusion')
			],
			period: MARCH,
			today: '2023-12-01'
		});
		expect(r.days).toEqual(totals({ en_attente: 31 }));
		expect(r.since).toBe('2022-09-15');
		expect(r.daysInStatus).toBe(198);
		expect(rows(r)).toEqual(['en_attente 2022-09-15 - 31 true']);
	});

	it('takes the Paris day of events at 23:30 UTC (the next day)', () => {
		// Created 28/02 23:30Z = 01/03 00:30 Paris; change 09/03 23:30Z = 10/03 00:30 Paris.
		// En attente [01/03, 10/03) = 9; Suivi [10/03, 01/04) = 22 (UTC days would give 8 / 23).
		const r = computeStatusDays({
			createdAt: '2023-02-28T23:30:00Z',
			statusEvents: [
				ev('2023-02-28T23:30:00Z', 'en_attente'),
				ev('2023-03-09T23:30:00Z', 'suivi_inclusion')
			],
			period: MARCH,
			today: '2023-04-10'
		});
		expect(r.createdDay).toBe('2023-03-01');
		expect(r.days).toEqual(totals({ en_attente: 9, suivi_inclusion: 22 }));
	});

	it('counts calendar days across the spring DST change', () => {
		// P = 20/03–02/04 (14 days), today 10/04 → end 03/04.
		// Suivi at 26/03 01:30 CET (00:30Z); Sortie at 27/03 00:30 CEST (= 26/03 22:30Z).
		// En attente [01/03, 26/03) ∩ P = 6 (20…25); Suivi [26/03, 27/03) = 1; Sortie [27/03,
		// 03/04) = 7. 6 + 1 + 7 = 14. UTC days would put both changes on 26/03 (Suivi 0, Sortie 8).
		const r = computeStatusDays({
			createdAt: '2023-03-01T09:00:00+01:00',
			statusEvents: [
				ev('2023-03-01T09:00:00+01:00', 'en_attente'),
				ev('2023-03-26T01:30:00+01:00', 'suivi_inclusion'),
				ev('2023-03-27T00:30:00+02:00', 'sortie')
			],
			period: { from: '2023-03-20', to: '2023-04-02' },
			today: '2023-04-10'
		});
		expect(r.days).toEqual(totals({ en_attente: 6, suivi_inclusion: 1, sortie: 7 }));
		expect(r.totalDays).toBe(14);
	});

	it('orders the repeated hour of the autumn DST change by instant, not by text', () => {
		// 29/10 02:30+02:00 (00:30Z) comes before 02:30+01:00 (01:30Z): Non suivi gets 0 days.
		// P = 28/10–30/10, end 31/10: En attente 1 (28/10), Réorientation [29/10, 31/10) = 2.
		const r = computeStatusDays({
			createdAt: '2023-10-01T09:00:00+02:00',
			statusEvents: [
				ev('2023-10-01T09:00:00+02:00', 'en_attente'),
				ev('2023-10-29T02:30:00+01:00', 'reorientation'),
				ev('2023-10-29T02:30:00+02:00', 'non_suivi')
			],
			period: { from: '2023-10-28', to: '2023-10-30' },
			today: '2023-11-05'
		});
		expect(r.days).toEqual(totals({ en_attente: 1, reorientation: 2 }));
		expect(r.statusAtEnd).toBe('reorientation');
	});

	it('clamps events dated before the creation to the creation day', () => {
		// Created 05/03; En attente dated 01/03 counts from 05/03: [05/03, 10/03) = 5;
		// Suivi [10/03, 01/04) = 22. 27 = |[05/03, 01/04)|; no Non renseigné day.
		const r = computeStatusDays({
			createdAt: '2023-03-05T10:00:00+01:00',
			statusEvents: [
				ev('2023-03-01T10:00:00+01:00', 'en_attente'),
				ev('2023-03-10T10:00:00+01:00', 'suivi_inclusion')
			],
			period: MARCH,
			today: '2023-04-10'
		});
		expect(r.days).toEqual(totals({ en_attente: 5, suivi_inclusion: 22 }));
		expect(rows(r)).toEqual([
			'en_attente 2023-03-05 2023-03-10 5 false',
			'suivi_inclusion 2023-03-10 - 22 true'
		]);
	});

	it('dates "since" from the start of the unbroken run of days in the status', () => {
		// Suivi from 01/01, repeated on 01/02, a same-day detour through En attente on 10/03:
		// every day since 01/01 is Suivi → since 01/01, 01/01 → 01/04 = 31 + 28 + 31 = 90 days.
		const r = computeStatusDays({
			createdAt: '2023-01-01T09:00:00+01:00',
			statusEvents: [
				ev('2023-01-01T09:00:00+01:00', 'suivi_inclusion'),
				ev('2023-02-01T09:00:00+01:00', 'suivi_inclusion'),
				ev('2023-03-10T09:00:00+01:00', 'en_attente'),
				ev('2023-03-10T10:00:00+01:00', 'suivi_inclusion')
			],
			period: MARCH,
			today: '2023-04-10'
		});
		expect(r.since).toBe('2023-01-01');
		expect(r.daysInStatus).toBe(90);
		expect(r.days).toEqual(totals({ suivi_inclusion: 31 }));
		// The history keeps the recorded intervals: 01/03…09/03 = 9, 0, 10/03…31/03 = 22.
		expect(rows(r)).toEqual([
			'suivi_inclusion 2023-02-01 2023-03-10 9 false',
			'en_attente 2023-03-10 2023-03-10 0 false',
			'suivi_inclusion 2023-03-10 - 22 true'
		]);
	});

	it('restarts "since" after a day spent in another status', () => {
		// Suivi 01/01, En attente 01/02, Suivi 15/02 → since 15/02: 14 days of Feb + 31 = 45.
		const r = computeStatusDays({
			createdAt: '2023-01-01T09:00:00+01:00',
			statusEvents: [
				ev('2023-01-01T09:00:00+01:00', 'suivi_inclusion'),
				ev('2023-02-01T09:00:00+01:00', 'en_attente'),
				ev('2023-02-15T09:00:00+01:00', 'suivi_inclusion')
			],
			period: MARCH,
			today: '2023-04-10'
		});
		expect(r.since).toBe('2023-02-15');
		expect(r.daysInStatus).toBe(45);
	});

	it('counts nothing when the whole period is after today', () => {
		const r = computeStatusDays({
			createdAt: '2023-01-01T09:00:00+01:00',
			statusEvents: [],
			period: MARCH,
			today: '2023-02-20'
		});
		expect(r.totalDays).toBe(0);
		expect(r.intervals).toEqual([]);
		expect(isInScope(r, STATUS_CODES)).toBe(false);
	});
});

// --- Property: the invariant of §4 against a naive day-by-day count --------------------------

const DAY = 86_400_000;
const oracleFmt = new Intl.DateTimeFormat('en-CA', {
	timeZone: 'Europe/Paris',
	year: 'numeric',
	month: '2-digit',
	day: '2-digit'
});
/** Paris day through Intl and Date only (not the code under test). */
const oracleDay = (iso: string): string => oracleFmt.format(new Date(iso));
const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const OFFSETS = ['Z', '+01:00', '+02:00', '-05:00', '+05:30'];
// Instants near Paris midnight and the DST changes, where day errors hide.
const TRICKY = [
	'2023-03-25T23:30:00Z',
	'2023-03-26T00:30:00Z',
	'2023-03-26T01:30:00Z',
	'2023-03-26T22:30:00Z',
	'2023-10-28T22:30:00Z',
	'2023-10-29T00:30:00Z',
	'2023-10-29T01:30:00Z',
	'2023-10-29T23:30:00Z',
	'2023-12-31T23:00:00Z'
];

function isoWithOffset(ms: number, offset: string): string {
	const minutes =
		offset === 'Z'
			? 0
			: (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4)));
	return new Date(ms + minutes * 60_000).toISOString().slice(0, 19) + offset;
}

describe('computeStatusDays — property over generated histories', () => {
	it('matches a naive day-by-day count on 3000 seeded histories', () => {
		const rnd = prng(20230328);
		const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
		const base = Date.UTC(2022, 9, 1);
		let checked = 0;
		for (let n = 0; n < 3000; n++) {
			const randomInstant = (around: number, spreadDays: number): string => {
				if (rnd() < 0.15) return pick(TRICKY);
				const ms = around + Math.floor((rnd() - 0.3) * spreadDays * DAY);
				return isoWithOffset(Math.floor(ms / 60_000) * 60_000, pick(OFFSETS));
			};
			const createdAt = randomInstant(base + rnd() * 500 * DAY, 10);
			const createdMs = Date.parse(createdAt);
			const events: StatusEvent[] = [];
			const count = Math.floor(rnd() * 7);
			for (let i = 0; i < count; i++) {
				// Some on the same day as the previous one, some before the creation.
				const prev = events.at(-1);
				const at =
					prev && rnd() < 0.25
						? isoWithOffset(Date.parse(prev.at) + Math.floor(rnd() * 3) * 3_600_000, pick(OFFSETS))
						: randomInstant(createdMs, 200);
				events.push(ev(at, pick(STATUS_CODES)));
			}
			const fromMs = base + Math.floor(rnd() * 500) * DAY;
			const toMs = fromMs + Math.floor(rnd() * 120) * DAY;
			const todayMs = fromMs + Math.floor(rnd() * 220 - 20) * DAY;
			const period = { from: utcDay(fromMs), to: utcDay(toMs) };
			const today = utcDay(todayMs);

			const r = computeStatusDays({ createdAt, statusEvents: events, period, today });

			// Naive: the status of each day is that of the last event (by instant, stable) on or
			// before that day; Non renseigné before the first; nothing before the creation day.
			const sorted = events
				.map((e, i) => ({ ms: Date.parse(e.at), i, day: oracleDay(e.at), status: e.status }))
				.sort((a, b) => a.ms - b.ms || a.i - b.i);
			const created = oracleDay(createdAt);
			const statusOn = (day: string): StatusCode | null => {
				if (day < created) return null;
				let s: StatusCode = 'non_renseigne';
				for (const e of sorted) if (e.day <= day) s = e.status;
				return s;
			};
			const lastDayMs = Math.min(toMs, todayMs);
			const expected = totals({});
			let total = 0;
			for (let ms = fromMs; ms <= lastDayMs; ms += DAY) {
				const s = statusOn(utcDay(ms));
				if (s === null) continue;
				expected[s]++;
				total++;
			}
			const label = JSON.stringify({ createdAt, events, period, today });
			expect(r.days, label).toEqual(expected);
			expect(r.totalDays, label).toBe(total);
			// The invariant of §4, written on its own: |[max(from, created), end)|.
			const startMs = Math.max(fromMs, Date.parse(created + 'T00:00:00Z'));
			expect(total, label).toBe(Math.max(0, Math.round((lastDayMs + DAY - startMs) / DAY)));

			const lastDay = utcDay(lastDayMs);
			const atEnd = statusOn(lastDay);
			expect(r.statusAtEnd, label).toBe(atEnd);
			if (atEnd !== null) {
				let since = lastDayMs;
				while (statusOn(utcDay(since - DAY)) === atEnd) since -= DAY;
				expect(r.since, label).toBe(utcDay(since));
				expect(r.daysInStatus, label).toBe(Math.round((lastDayMs - since) / DAY) + 1);
			}
			expect(isInScope(r, ['en_attente', 'sortie']), label).toBe(
				expected.en_attente + expected.sortie > 0
			);
			// The history rows account for every counted day, and one of them is "En cours"
			// whenever a day was counted.
			const byStatus = totals({});
			for (const i of r.intervals) byStatus[i.status] += i.daysInPeriod;
			expect(byStatus, label).toEqual(expected);
			expect(r.intervals.filter((i) => i.current).length, label).toBe(total > 0 ? 1 : 0);
			checked++;
		}
		expect(checked).toBe(3000);
	});
});
