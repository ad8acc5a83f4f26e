/** The paging guard's set of ids (src/lib/api/id-set.ts): exact, whatever the ids' characters. */
import { describe, expect, it } from 'vitest';
import { CompactIdSet } from '../../src/lib/api/id-set';
import { mulberry32 } from '../../sandbox/data/rng';

describe('CompactIdSet', () => {
	it('says whether an id is new, for every shape of id', () => {
		const set = new CompactIdSet();
		const ids = [
			'RDV0000001',
			'', // an empty id is still one id
			'é-à-ç', // Latin-1: one byte a character
			'dossier-€', // beyond Latin-1: two bytes a character
			'😀-emoji', // surrogate pairs
			'x'.repeat(63), // the longest id with a one-byte header
			'x'.repeat(64), // the shortest with a four-byte header
			'y'.repeat(5000)
		];
		for (const id of ids) expect(set.add(id), id.slice(0, 20)).toBe(true);
		for (const id of ids) expect(set.add(id), id.slice(0, 20)).toBe(false);
		expect(set.size).toBe(ids.length);
		// Near misses are other ids: same length, same prefix, one code unit apart.
		expect(set.add('RDV0000002')).toBe(true);
		expect(set.add('dossier-€ ')).toBe(true);
		expect(set.add('dossier-\u20ad')).toBe(true);
		expect(set.add('x'.repeat(65))).toBe(true);
	});

	it('answers as a Set<string> does over 60,000 random adds, through every growth', () => {
		const random = mulberry32(7);
		const alphabet = 'ABCDEFé€0123456789-_';
		const reference = new Set<string>();
		const set = new CompactIdSet();
		for (let n = 0; n < 60_000; n++) {
			// Short ids from a small alphabet: many repeats, as a duplicating API would send.
			let id = '';
			const length = 1 + Math.floor(random() * 6);
			for (let k = 0; k < length; k++) id += alphabet[Math.floor(random() * alphabet.length)];
			const fresh = !reference.has(id);
			reference.add(id);
			expect(set.add(id)).toBe(fresh);
		}
		expect(set.size).toBe(reference.size);
		for (const id of reference) expect(set.add(id)).toBe(false);
	});
});
