/**
 * The pseudonymisation core (SPEC §13) on its own: known answers for the key and the pseudonym,
 * the generalisations worked out by hand, the passphrase checks, and the column policy of every
 * file kind.
 */
import { describe, expect, it } from 'vitest';
import type { Thematic } from '../../src/lib/contract/spico';
import { thematicDataset } from '../../src/lib/core/datasets/index';
import { FIXED_KINDS, fixedDataset, type FixedKind } from '../../src/lib/core/file-kinds';
import { ageOn, birthYearMonth, departementOf } from '../../src/lib/core/pseudonymise/generalise';
import {
	derivePseudonymKey,
	normalisePassphrase,
	PBKDF2_ITERATIONS
} from '../../src/lib/core/pseudonymise/key';
import { validatePassphrase } from '../../src/lib/core/pseudonymise/passphrase';
import {
	columnTreatments,
	pseudonymiseSheet,
	type Treatment
} from '../../src/lib/core/pseudonymise/policy';
import { pseudonymOf, PseudonymTable } from '../../src/lib/core/pseudonymise/pseudonym';
import { ExtractionFormState } from '../../src/lib/state/extraction-form.svelte';
import { upgradeRequest } from '../../src/lib/tasks/legacy-request';
import {
	noKinds,
	normalizeRequest,
	REQUEST_FIELDS,
	type ExtractionDraft
} from '../../src/lib/core/request';

/*
 * Known answers, computed once, independently of this code, with Node's OpenSSL-backed crypto:
 *   key = crypto.pbkdf2Sync(Buffer.from(passphrase.normalize('NFC')), Buffer.from(sid),
 *                           600000, 32, 'sha256')
 *   mac = crypto.createHmac('sha256', key).update(sid + ':' + dossierId).digest('hex')
 * and written here as literals.
 */
const SID = 'str-tnd-test';
const PASS = 'correct horse battery staple';
const KEY_HEX = '074d9c0348c0f0744c18db1c2a8d578b25e8339500f3df65290c6ffb59b11c36';
const MAC_42 = 'd2a162995725b6c294c77e029e7dee7e42fd66b9069e701030cc9adab5c051c3';
const KAT = {
	/** PASS, SID, DOS-000042 */
	dos42: 'P-d2a162995725b6c2',
	/** PASS, SID, DOS-000043 */
	dos43: 'P-b105450a3a1e4682',
	/** PASS, salt str-dac-loire, DOS-000042 */
	otherStructure: 'P-b6b46e1fd21a9a4b',
	/** 'Phrase secrète très longue' (NFC), SID, DOS-000042 */
	accented: 'P-96cf8ceb00a8f04f'
};

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
	return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** KEY_HEX as the HMAC key PBKDF2 derives from PASS and SID (non-extractable, sign only). */
function knownKey(): Promise<CryptoKey> {
	return crypto.subtle.importKey(
		'raw',
		hexBytes(KEY_HEX),
		{ name: 'HMAC', hash: 'SHA-256' },
		false,
		['sign']
	);
}

describe('known answers (vectors from node:crypto)', () => {
	it('uses at least 600,000 iterations', () => {
		expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
	});

	it('HMAC alone: the pseudonym is P- and the first 16 hex digits of the MAC', async () => {
		const key = await knownKey();
		expect(await pseudonymOf(key, SID, 'DOS-000042')).toBe(`P-${MAC_42.slice(0, 16)}`);
		expect(await pseudonymOf(key, SID, 'DOS-000042')).toBe(KAT.dos42);
		expect(await pseudonymOf(key, SID, 'DOS-000043')).toBe(KAT.dos43);
	});

	it('PBKDF2 then HMAC: the derived key gives the known pseudonyms', async () => {
		const key = await derivePseudonymKey(PASS, SID);
		expect(key.extractable).toBe(false);
		expect(key.usages).toEqual(['sign']);
		expect(await pseudonymOf(key, SID, 'DOS-000042')).toBe(KAT.dos42);
		expect(await pseudonymOf(key, SID, 'DOS-000043')).toBe(KAT.dos43);
		// The salt is the structure: the same passphrase elsewhere gives other pseudonyms.
		const other = await derivePseudonymKey(PASS, 'str-dac-loire');
		expect(await pseudonymOf(other, 'str-dac-loire', 'DOS-000042')).toBe(KAT.otherStructure);
	}, 30_000);

	it('composed and decomposed accents are one passphrase', async () => {
		const nfd = 'Phrase secrète très longue'.normalize('NFD');
		expect(nfd).not.toBe(normalisePassphrase(nfd));
		const key = await derivePseudonymKey(nfd, SID);
		expect(await pseudonymOf(key, SID, 'DOS-000042')).toBe(KAT.accented);
	}, 30_000);
});

describe('bad input: a clear error, nothing computed', () => {
	it('refuses a dossier id that is not a string, and a missing structure id', async () => {
		const key = await knownKey();
		await expect(pseudonymOf(key, SID, 42)).rejects.toThrow(
			/Identifiant de dossier invalide \(de type number, texte attendu\)/
		);
		await expect(pseudonymOf(key, SID, '')).rejects.toThrow(/Identifiant de dossier invalide/);
		await expect(pseudonymOf(key, '', 'D1')).rejects.toThrow(
			/Identifiant de la structure manquant/
		);
		await expect(derivePseudonymKey(PASS, undefined as unknown as string)).rejects.toThrow(
			/Identifiant de la structure manquant/
		);
		expect(() => new PseudonymTable(key, '')).toThrow(/Identifiant de la structure manquant/);
		const table = new PseudonymTable(key, SID);
		await expect(table.prepare([{ dossierId: 'D1' }, { dossierId: null }])).rejects.toThrow(
			/de type object/
		);
		await expect(derivePseudonymKey('trop court', SID)).rejects.toThrow(/au moins 12/);
	});

	it('answers from the table only for prepared dossiers', async () => {
		const key = await knownKey();
		const table = new PseudonymTable(key, SID);
		await table.prepare([{ dossierId: 'DOS-000042' }, { dossierId: 'DOS-000042' }]);
		expect(table.get('DOS-000042')).toBe(KAT.dos42);
		expect(() => table.get('DOS-000043')).toThrow(/non calculé/);
	});
});

describe('generalisations', () => {
	it('year-month of birth', () => {
		expect(birthYearMonth('2015-06-23')).toBe('2015-06');
		expect(birthYearMonth(null)).toBeNull();
		expect(birthYearMonth('2015-02-30')).toBeNull();
		expect(birthYearMonth('Martin')).toBeNull();
	});

	it('age in completed years on the first day of the period', () => {
		expect(ageOn('2015-06-23', '2023-06-22')).toBe(7);
		expect(ageOn('2015-06-23', '2023-06-23')).toBe(8);
		expect(ageOn('2015-06-23', '2023-12-31')).toBe(8);
		// 29 February: the birthday is 1 March in a common year, never 28 February.
		expect(ageOn('2016-02-29', '2023-02-28')).toBe(6);
		expect(ageOn('2016-02-29', '2023-03-01')).toBe(7);
		expect(ageOn('2016-02-29', '2024-02-29')).toBe(8);
		// Born the first day: 0; born after it: no age yet.
		expect(ageOn('2023-03-01', '2023-03-01')).toBe(0);
		expect(ageOn('2023-03-02', '2023-03-01')).toBeNull();
		expect(ageOn(null, '2023-03-01')).toBeNull();
	});

	it('département: 2 characters, 3 overseas, empty when not a postal code', () => {
		expect(departementOf('44000')).toBe('44');
		expect(departementOf('01000')).toBe('01');
		expect(departementOf('97110')).toBe('971');
		expect(departementOf('97400')).toBe('974');
		expect(departementOf('98800')).toBe('988');
		expect(departementOf('20000')).toBe('20');
		expect(departementOf('2A004')).toBe('2A');
		expect(departementOf(' 44 300 ')).toBe('44');
		for (const bad of ['4400', '440000', 'Nantes', '44-000', '', null, 44000]) {
			expect(departementOf(bad), String(bad)).toBeNull();
		}
	});
});

describe('the request', () => {
	const draft: ExtractionDraft = {
		from: '2023-03-01',
		to: '2023-03-31',
		archived: false,
		statuses: ['en_attente'],
		kinds: { ...noKinds(), administratif: true },
		forms: []
	};

	it('carries « pseudonymise » with keepFreeText only: nothing else a draft may hold', () => {
		expect(normalizeRequest(draft)).not.toHaveProperty('pseudonymise');
		const leaky = { ...draft, pseudonymise: { keepFreeText: true, passphrase: 'secret secret' } };
		expect(normalizeRequest(leaky).pseudonymise).toEqual({ keepFreeText: true });
		expect(JSON.stringify(normalizeRequest(leaky))).not.toContain('secret');
	});

	it('keeps « pseudonymise » through the upgrade of a task stored in the old shape', () => {
		const legacy = {
			from: '2023-03-01',
			to: '2023-03-31',
			archived: false,
			statuses: ['en_attente' as const],
			files: { rdv: true },
			statuts: false,
			forms: []
		};
		expect(upgradeRequest(legacy)).not.toHaveProperty('pseudonymise');
		expect(upgradeRequest({ ...legacy, pseudonymise: { keepFreeText: true } })).toEqual({
			period: { from: '2023-03-01', to: '2023-03-31' },
			archived: false,
			statuses: ['en_attente'],
			kinds: ['rdv'],
			forms: [],
			pseudonymise: { keepFreeText: true }
		});
	});

	it('orders the passphrase fields after the forms, so focus goes to the first error', () => {
		expect(REQUEST_FIELDS.slice(-3)).toEqual(['forms', 'passphrase', 'passphraseConfirm']);
	});
});

describe('the form', () => {
	function filled(): ExtractionFormState {
		const form = new ExtractionFormState();
		form.from = '2023-03-01';
		form.to = '2023-03-31';
		form.kinds.rdv = true;
		return form;
	}

	it('checks the passphrase only with Oui, after the other fields, and hands it over once', () => {
		const form = filled();
		form.passphrase = 'court';
		expect(form.validate('2024-01-10')).toEqual([]);
		form.pseudonymise = true;
		expect(form.validate('2024-01-10').map((e) => e.field)).toEqual(['passphrase']);
		form.passphrase = 'assez longue phrase';
		form.passphraseConfirm = 'assez longue phrase';
		expect(form.validate('2024-01-10')).toEqual([]);
		expect(form.toRequest().pseudonymise).toEqual({ keepFreeText: false });
		expect(form.takePassphrase()).toEqual({ passphrase: 'assez longue phrase' });
		expect([form.passphrase, form.passphraseConfirm]).toEqual(['', '']);
	});

	it('keeps no passphrase typed before going back to Non', () => {
		const form = filled();
		form.pseudonymise = true;
		form.passphrase = 'assez longue phrase';
		form.pseudonymise = false;
		expect(form.takePassphrase()).toBeUndefined();
		expect(form.passphrase).toBe('');
		expect(form.toRequest()).not.toHaveProperty('pseudonymise');
	});
});

describe('passphrase checks', () => {
	it('asks for 12 characters, counted as a person counts them, typed twice alike', () => {
		expect(validatePassphrase('', '')).toEqual([
			{ field: 'passphrase', message: 'Veuillez saisir une phrase secrète.' }
		]);
		expect(validatePassphrase('onze caract', 'onze caract')[0]?.field).toBe('passphrase');
		expect(validatePassphrase('onze caract', '')[0]?.message).toMatch(
			/au moins 12 .*\(11 saisis\)/
		);
		// 11 letters and an emoji (two UTF-16 units) are 12 characters.
		expect(validatePassphrase('onze caract😀', 'onze caract😀')).toEqual([]);
		expect(validatePassphrase('douze caract', '')).toEqual([
			{ field: 'passphraseConfirm', message: 'Veuillez confirmer la phrase secrète.' }
		]);
		expect(validatePassphrase('douze caract', 'douze caracT')[0]?.field).toBe('passphraseConfirm');
		expect(validatePassphrase('douze caract', 'douze caract')).toEqual([]);
	});
});

const CATALOGUE: Thematic = {
	id: 'T1',
	label: 'Plateforme TND',
	forms: [
		{
			id: 'F1',
			label: 'Entrée',
			fields: [
				// Labels that look like identity columns: the field's type decides, not its label.
				{ id: 'a', label: 'Nom', type: 'choice', options: [{ value: 'x', label: 'X' }] },
				{ id: 'b', label: 'Commentaire', type: 'text' },
				{ id: 'c', label: 'Score', type: 'number' },
				{ id: 'd', label: 'Date de naissance', type: 'date' }
			]
		}
	]
};

describe('the column policy', () => {
	it('has a rule for every column of every fixed file', () => {
		for (const kind of FIXED_KINDS) {
			for (const sheet of fixedDataset(kind).sheets) {
				expect(columnTreatments(kind, sheet)).toHaveLength(sheet.columns.length);
			}
		}
	});

	it('refuses a column it does not know instead of passing it through', () => {
		const sheet = {
			...fixedDataset('rdv').sheets[0]!,
			columns: [
				...fixedDataset('rdv').sheets[0]!.columns,
				{ header: 'Nouvelle colonne', kind: 'text' as const, description: '' }
			]
		};
		expect(() => columnTreatments('rdv', sheet)).toThrow(/Colonne sans règle.*Nouvelle colonne/);
	});

	const by = (kind: FixedKind) => {
		const out: Record<string, Treatment> = {};
		for (const sheet of fixedDataset(kind).sheets) {
			columnTreatments(kind, sheet).forEach((t, i) => (out[sheet.columns[i]!.header] = t));
		}
		return out;
	};

	it('removes, generalises and keeps as SPEC §13 says', () => {
		const adm = by('administratif');
		for (const h of [
			'Nom',
			'Prénom',
			'INS',
			'Nom de naissance',
			"Nom d'usage",
			'Prénom(s)',
			'Adresse',
			'Commune',
			'Téléphone',
			'Courriel',
			'Médecin traitant'
		]) {
			expect(adm[h], h).toBe('remove');
		}
		expect(adm['ID dossier']).toBe('pseudonym');
		expect(adm['Date de naissance']).toBe('birth');
		expect(adm['Code postal']).toBe('departement');
		expect(adm['Sexe']).toBe('keep');
		const cds = by('cercleDeSoins');
		for (const h of ['Intervenant', 'Téléphone', 'Courriel', 'Identifiant RPPS / FINESS']) {
			expect(cds[h], h).toBe('remove');
		}
		expect(by('rdv')['Motif']).toBe('free-text');
		expect(by('rdv')['Commentaire']).toBe('free-text');
		expect(by('hospitalisations')['Motif']).toBe('free-text');
		expect(by('hospitalisations')['Commentaire']).toBe('free-text');
		const statuts = by('statuts');
		expect(statuts['Jours sur la période']).toBe('keep');
		expect(statuts['Suivi (Inclusion) (jours)']).toBe('keep');
	});

	it('treats thematic fields by type: text is free text, whatever the label', () => {
		const dataset = thematicDataset(CATALOGUE);
		const t = columnTreatments('thematiques', dataset.sheets[0]!, [
			'choice',
			'text',
			'number',
			'date'
		]);
		expect(t.slice(7)).toEqual(['keep', 'free-text', 'keep', 'keep']);
		expect(() => columnTreatments('thematiques', dataset.sheets[0]!, ['choice'])).toThrow(
			/Types des champs/
		);
	});

	it('maps an identified row to the pseudonymised one', () => {
		const sheet = fixedDataset('administratif').sheets[0]!;
		const p = pseudonymiseSheet('administratif', sheet, null, {
			keepFreeText: false,
			periodStart: '2023-03-01',
			pseudonym: (id) => `P-of-${String(id)}`
		});
		expect(p.spec.columns.map((c) => c.header)).toEqual([
			'ID dossier',
			'Année-mois de naissance',
			'Âge au début de la période (ans)',
			'Sexe',
			'Département',
			'Date de création du dossier',
			'Statut en fin de période',
			'Archivé',
			"Date d'archivage"
		]);
		const row = [
			'D1',
			'Dupont',
			'Zoé',
			'2015-06-23',
			'1150675123456',
			'Dupont',
			null,
			'Zoé Marie',
			'Féminin',
			'1 rue de la Paix',
			'97110',
			'Pointe-à-Pitre',
			'0102030405',
			'zoe@exemple.fr',
			'Dr Roux',
			'2022-01-01T10:00:00',
			'Suivi (Inclusion)',
			'Non',
			null
		];
		expect(p.apply(row)).toEqual([
			'P-of-D1',
			'2015-06',
			7,
			'Féminin',
			'971',
			'2022-01-01T10:00:00',
			'Suivi (Inclusion)',
			'Non',
			null
		]);
	});

	it('keeps free text only when asked', () => {
		const sheet = fixedDataset('rdv').sheets[0]!;
		const opts = { periodStart: '2023-03-01', pseudonym: () => 'P-x' };
		const removed = pseudonymiseSheet('rdv', sheet, null, { ...opts, keepFreeText: false });
		const kept = pseudonymiseSheet('rdv', sheet, null, { ...opts, keepFreeText: true });
		const headers = (s: typeof kept) => s.spec.columns.map((c) => c.header);
		expect(headers(removed)).not.toContain('Motif');
		expect(headers(removed)).not.toContain('Commentaire');
		expect(headers(kept)).toContain('Motif');
		expect(headers(kept)).toContain('Commentaire');
		expect(headers(kept)).not.toContain('Professionnel');
	});
});
