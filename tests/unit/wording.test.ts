/** French counts and sizes (src/lib/ui/wording.ts): « 1 ligne », « < 0,1 Mo ». */
import { describe, expect, it } from 'vitest';
import {
	estimatedMegabytes,
	lignes,
	lignesEcrites,
	megabytes,
	nameParts,
	plural
} from '../../src/lib/ui/wording';

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('wording', () => {
	it('singular for 0 and 1, plural from 2', () => {
		expect(lignes(0)).toBe('0 ligne');
		expect(lignes(1)).toBe('1 ligne');
		expect(plain(lignes(1234))).toBe('1 234 lignes');
		expect(lignesEcrites(1)).toBe('1 ligne écrite');
		expect(lignesEcrites(2)).toBe('2 lignes écrites');
		expect(plural(3, 'dossier')).toBe('3 dossiers');
	});

	it('sizes in Mo, « < 0,1 Mo » under a tenth, never « 0 Mo »', () => {
		expect(plain(megabytes(0))).toBe('< 0,1 Mo');
		expect(plain(megabytes(104_000))).toBe('< 0,1 Mo'); // 0.099 Mo
		expect(plain(megabytes(104_858))).toBe('0,1 Mo'); // 0.1 Mo
		expect(plain(megabytes(12.34 * 1_048_576))).toBe('12,3 Mo');
		expect(megabytes(1_048_576)).toBe('1\u00a0Mo');
	});

	it('an estimate says « environ » before a size, never before « < 0,1 Mo »', () => {
		expect(plain(estimatedMegabytes(50_000))).toBe('< 0,1 Mo');
		expect(plain(estimatedMegabytes(3.5 * 1_048_576))).toBe('environ 3,5 Mo');
	});

	it('cuts a ZIP name after each underscore', () => {
		expect(nameParts('Generic_extractions_brutes_01012023_31122023.zip')).toEqual([
			'Generic_',
			'extractions_',
			'brutes_',
			'01012023_',
			'31122023.zip'
		]);
	});
});
