import { describe, expect, it } from 'vitest';
import {
	cleanSheetName,
	FALLBACK_SHEET_NAME,
	SHEET_NAME_MAX,
	SheetNamer,
	sheetNames,
	suffixedSheetName
} from '../../src/lib/core/xlsx/sheet-names';

const valid = (name: string): void => {
	expect(name.length).toBeGreaterThan(0);
	expect(name.length).toBeLessThanOrEqual(31);
	expect(name).not.toMatch(/[[\]:*?/\\]/);
	expect(name).not.toMatch(/^'|'$/);
	expect(['HISTORY', 'HISTORIQUE']).not.toContain(name.toUpperCase());
};

describe('cleanSheetName', () => {
	it('keeps 30 and 31 characters, shortens 32 with a visible ellipsis', () => {
		expect(SHEET_NAME_MAX).toBe(31);
		const a30 = 'a'.repeat(30);
		const a31 = 'b'.repeat(31);
		const a32 = 'c'.repeat(32);
		expect(cleanSheetName(a30)).toBe(a30);
		expect(cleanSheetName(a31)).toBe(a31);
		expect(cleanSheetName(a32)).toBe('c'.repeat(30) + '…');
		expect(cleanSheetName(a32)).toHaveLength(31);
	});

	it('replaces each forbidden character', () => {
		expect(cleanSheetName('a[b]c:d*e?f/g\\h')).toBe('a-b-c-d-e-f-g-h');
		valid(cleanSheetName('[]:*?/\\'));
	});

	it('removes leading and trailing apostrophes, keeps inner ones', () => {
		expect(cleanSheetName("'Suivi'")).toBe('Suivi');
		expect(cleanSheetName("''Bilan de l'enfant''")).toBe("Bilan de l'enfant");
		// A cut that would end on an apostrophe must not leave one.
		const name = cleanSheetName("Évaluation de l'autonomie de l'enfant");
		valid(name);
		expect(name.endsWith('…')).toBe(true);
	});

	it('never gives History or Historique, whatever the case', () => {
		for (const reserved of [
			'History',
			'history',
			'HISTORY',
			'Historique',
			'historique',
			"'Historique'"
		]) {
			const name = cleanSheetName(reserved);
			valid(name);
			expect(name.toUpperCase().startsWith(reserved.replace(/'/g, '').toUpperCase())).toBe(true);
		}
		expect(cleanSheetName('Historique des statuts')).toBe('Historique des statuts');
	});

	it('falls back on a name when nothing is left', () => {
		expect(cleanSheetName('')).toBe(FALLBACK_SHEET_NAME);
		expect(cleanSheetName("  ''  ")).toBe(FALLBACK_SHEET_NAME);
		expect(cleanSheetName('\u0001\u0002')).toBe(FALLBACK_SHEET_NAME);
	});

	it('removes XML-invalid characters and line breaks, and never splits an emoji', () => {
		expect(cleanSheetName('A\u0000B\u000bC\nD')).toBe('ABC D');
		const name = cleanSheetName('x'.repeat(29) + '😀😀');
		expect(name).toBe('x'.repeat(29) + '…');
		expect(cleanSheetName('x'.repeat(28) + '😀😀')).toBe('x'.repeat(28) + '😀…');
	});
});

describe('unique names', () => {
	it('treats names differing only in case as the same name', () => {
		expect(sheetNames(['Pat', 'pat', 'PAT'])).toEqual(['Pat', 'pat (2)', 'PAT (3)']);
	});

	it('keeps suffixed names within 31 characters', () => {
		const long = 'Questionnaire de développement psychomoteur';
		const names = sheetNames([long, long, long]);
		expect(new Set(names.map((n) => n.toUpperCase())).size).toBe(3);
		for (const n of names) valid(n);
		expect(names[1]).toMatch(/… \(2\)$/);
		expect(suffixedSheetName('a'.repeat(31), 12)).toBe('a'.repeat(25) + '… (12)');
		expect(suffixedSheetName('RDV', 2)).toBe('RDV (2)');
	});

	it('tells apart long names that share their first 31 characters', () => {
		const names = sheetNames([
			'Bilan orthophonique initial - langage oral',
			'Bilan orthophonique initial - langage écrit'
		]);
		expect(names[0]).not.toBe(names[1]);
		for (const n of names) valid(n);
	});

	it('is deterministic: the same list gives the same names', () => {
		const list = [
			'Développement de la communication et du langage',
			'Développement de la communication et du langage (suite)',
			'History',
			'Suivi: école / périscolaire',
			'suivi- école - périscolaire',
			'',
			''
		];
		const first = sheetNames(list);
		expect(sheetNames([...list])).toEqual(first);
		expect(new Set(first.map((n) => n.toUpperCase())).size).toBe(list.length);
		for (const n of first) valid(n);
		expect(first.slice(5)).toEqual([FALLBACK_SHEET_NAME, `${FALLBACK_SHEET_NAME} (2)`]);
	});

	it('reserves names (Informations) and names continuations', () => {
		const namer = new SheetNamer(['Informations']);
		expect(namer.take('informations')).toBe('informations (2)');
		expect(namer.take('RDV (2)')).toBe('RDV (2)');
		const rdv = namer.take('RDV');
		expect(namer.takeContinuation(rdv, 2)).toBe('RDV (2) (2)');
		expect(namer.takeContinuation(rdv, 3)).toBe('RDV (3)');
		const long = namer.take('z'.repeat(40));
		const cont = namer.takeContinuation(long, 2);
		valid(cont);
		expect(cont).toBe('z'.repeat(26) + '… (2)');
	});
});
