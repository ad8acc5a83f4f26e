/** The registry of file kinds, the request's period and kinds, and the launch instant. */
import { describe, expect, it } from 'vitest';
import { launchInstant } from '../../src/lib/core/calendar';
import { FILE_KINDS, FILE_KIND_INFO, STEP3_KINDS } from '../../src/lib/core/file-kinds';
import { noKinds, normalizeRequest } from '../../src/lib/core/request';
import { upgradeRequest } from '../../src/lib/tasks/legacy-request';
import { STATUS_CODES } from '../../src/lib/contract/spico';

describe('the registry of file kinds', () => {
	it('asks the guide’s five files in step 3, then Statuts in step 4', () => {
		expect(STEP3_KINDS.map((k) => FILE_KIND_INFO[k].formLabel)).toEqual([
			'Données administratives patient',
			'RDV',
			'Hospitalisation',
			'Cercle de soins',
			'Thématiques'
		]);
		expect(FILE_KINDS.filter((k) => FILE_KIND_INFO[k].step === 4)).toEqual(['statuts']);
	});

	it('names each file on the progress list and in Informations as before', () => {
		expect(FILE_KINDS.map((k) => FILE_KIND_INFO[k].label)).toEqual([
			'Données administratives',
			'RDV',
			'Hospitalisations',
			'Cercle de soins',
			'Thématiques',
			'Statuts'
		]);
	});
});

describe('the request', () => {
	it('carries the period and the kinds at Oui, in the registry’s order', () => {
		const request = normalizeRequest({
			from: '2024-01-01',
			to: '2024-12-31',
			archived: false,
			statuses: [...STATUS_CODES],
			kinds: { ...noKinds(), statuts: true, rdv: true },
			forms: []
		});
		expect(request.period).toEqual({ from: '2024-01-01', to: '2024-12-31' });
		expect(request.kinds).toEqual(['rdv', 'statuts']);
	});

	it('reads a task written before period and kinds into today’s shape', () => {
		const legacy = {
			from: '2023-06-30',
			to: '2023-07-10',
			archived: true,
			statuses: ['sortie' as const],
			files: {
				administratif: false,
				rdv: true,
				hospitalisations: false,
				cercleDeSoins: true,
				thematiques: true
			},
			statuts: true,
			forms: [{ thematicId: 't', formId: 'f' }]
		};
		expect(upgradeRequest(legacy)).toEqual({
			period: { from: '2023-06-30', to: '2023-07-10' },
			archived: true,
			statuses: ['sortie'],
			kinds: ['rdv', 'cercleDeSoins', 'thematiques', 'statuts'],
			forms: [{ thematicId: 't', formId: 'f' }]
		});
		const current = upgradeRequest(legacy);
		expect(upgradeRequest(current)).toBe(current);
	});
});

describe('launchInstant', () => {
	it('gives one instant its Paris day and wall time, across midnight and DST', () => {
		// 22:30 UTC on 31 March 2024 is 00:30 on 1 April in Paris (summer time since that night).
		expect(launchInstant(Date.UTC(2024, 2, 31, 22, 30))).toEqual({
			ms: Date.UTC(2024, 2, 31, 22, 30),
			today: '2024-04-01',
			wallTime: '2024-04-01T00:30:00'
		});
		// 23:30 UTC on 10 January is 00:30 on the 11th in Paris (winter time).
		expect(launchInstant(Date.UTC(2024, 0, 10, 23, 30)).today).toBe('2024-01-11');
		expect(launchInstant(Date.UTC(2024, 0, 10, 22, 59)).today).toBe('2024-01-10');
	});
});
