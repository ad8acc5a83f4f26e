/**
 * Pseudonymised extractions (SPEC §13) through the whole core pipeline in Node, against the
 * sandbox and against a fixture of hostile names: no identity of the API's items in any cell of
 * any sheet; pseudonyms stable for a passphrase, different for another, one per dossier across
 * files; and, beside the identified extraction of the same request, the same rows and the same
 * value in every kept column.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpicoClient, type SpicoClient } from '../../src/lib/api/client';
import type { ListQuery, Thematic } from '../../src/lib/contract/spico';
import { launchInstant } from '../../src/lib/core/calendar';
import { planExtraction, type ExtractionContext } from '../../src/lib/core/extraction/plan';
import { runWorkbookJob } from '../../src/lib/core/extraction/run-job';
import { derivePseudonymKey } from '../../src/lib/core/pseudonymise/key';
import type { ExtractionRequest } from '../../src/lib/core/request';
import { buildZip } from '../../src/lib/core/zip';
import { concat } from './xlsx-helpers';
import { createDbSink, createMemoryDb } from '../../sandbox/db';
import { createSandboxServer, type SandboxServer } from '../../sandbox/server';
import {
	HOSTILE_PERIOD,
	HOSTILE_TODAY,
	loadHostileFixture
} from '../fixtures/sandbox/hostile-names';
import { identityStrings, occurrences } from '../helpers/identities';
import { everythingRequest } from '../../harness/form-driver';
import { readZip, type ReadWorkbook } from '../helpers/read-extraction';

const PASS_A = 'correct horse battery staple';
const PASS_B = 'Une autre phrase, tout aussi longue';
const PSEUDONYM = /^P-[0-9a-f]{16}$/;
/** Columns a pseudonymised sheet has that the identified one has not. */
const NEW_COLUMNS = ['Année-mois de naissance', 'Âge au début de la période (ans)', 'Département'];
/** ID dossier, Nom, Prénom, Date de naissance: first in every identified sheet. */
const DOSSIER_LEAD = 4;

interface Setup {
	sandbox: SandboxServer;
	client: SpicoClient;
	catalogue: Thematic[];
	context: ExtractionContext;
}

async function setUp(sandbox: SandboxServer, period: { from: string; to: string }, today: string) {
	const client = createSpicoClient({ baseUrl: sandbox.url, getToken: () => 'sandbox-alice' });
	const me = await client.me();
	if (me.account.type !== 'structure') throw new Error('alice doit être un compte structure');
	const catalogue = await client.thematics(me.account.structureId);
	const context: ExtractionContext = {
		structure: { id: me.account.structureId, name: me.account.structureName },
		userId: me.user.id,
		request: everythingRequest(catalogue, period),
		// 10:15 or 11:15 in Paris: the same day.
		launch: launchInstant(Date.parse(`${today}T09:15:00Z`))
	};
	return { sandbox, client, catalogue, context };
}

interface Extraction {
	zipName: string;
	workbooks: Map<string, ReadWorkbook>;
}

async function extract(
	s: Setup,
	pseudonymise?: { passphrase: string; keepFreeText: boolean }
): Promise<Extraction> {
	const request: ExtractionRequest = {
		...s.context.request,
		...(pseudonymise ? { pseudonymise: { keepFreeText: pseudonymise.keepFreeText } } : {})
	};
	const context = { ...s.context, request };
	const plan = planExtraction(request, s.catalogue);
	const pseudonymKey = pseudonymise
		? await derivePseudonymKey(pseudonymise.passphrase, context.structure.id)
		: undefined;
	// Small pages: pseudonyms are computed page by page, and page boundaries are crossed.
	const built = await Promise.all(
		plan.jobs.map((job) =>
			runWorkbookJob(job, context, s.client, {
				pageLimit: 97,
				...(pseudonymKey ? { pseudonymKey } : {})
			})
		)
	);
	const zipped = buildZip(built.map((b) => ({ fileName: b.fileName, parts: b.parts })));
	return { zipName: plan.zipName, workbooks: readZip(concat(zipped.parts)) };
}

const query = (r: ExtractionRequest): ListQuery => ({
	from: r.period.from,
	to: r.period.to,
	archived: r.archived,
	statuses: r.statuses,
	limit: 5000
});

const dayOfSerial = (serial: number) =>
	new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);

/** Age in completed years, the slow way: count anniversaries (29/02 → 01/03). */
function naiveAge(birth: string, on: string): number | null {
	if (birth > on) return null;
	let age = 0;
	for (let y = Number(birth.slice(0, 4)) + 1; ; y++) {
		const md = birth.slice(5);
		const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
		const anniversary = `${y}-${md === '02-29' && !leap ? '03-01' : md}`;
		if (anniversary > on) return age;
		age++;
	}
}

/**
 * Pseudonymised against identified, sheet by sheet and row by row (the API serves the same
 * order): same sheets, same row counts, every kept column equal, the generalised ones derived
 * from the identified values, and one pseudonym per dossier across all files. Returns
 * dossier id → pseudonym.
 */
function compare(identified: Extraction, pseudo: Extraction, periodStart: string) {
	const pseudonyms = new Map<string, string>();
	expect([...pseudo.workbooks.keys()].sort()).toEqual([...identified.workbooks.keys()].sort());
	let keptCells = 0;
	for (const [file, idWb] of identified.workbooks) {
		const psWb = pseudo.workbooks.get(file)!;
		expect(psWb.book.SheetNames, file).toEqual(idWb.book.SheetNames);
		for (const sheet of idWb.book.SheetNames.filter((n) => n !== 'Informations')) {
			const [idHeader, ...idRows] = idWb.rows(sheet) as [string[], ...unknown[][]];
			const [psHeader, ...psRows] = psWb.rows(sheet) as [string[], ...unknown[][]];
			expect(psRows.length, `${file} / ${sheet}`).toBe(idRows.length);
			let after = -1;
			psHeader.forEach((h, j) => {
				const col = (name: string) => idHeader.indexOf(name);
				for (const [r, psRow] of psRows.entries()) {
					const idRow = idRows[r]!;
					const v = psRow[j] ?? null;
					if (h === 'ID dossier') {
						const id = String(idRow[col('ID dossier')]);
						expect(v, `${file} / ${sheet}`).toMatch(PSEUDONYM);
						expect(pseudonyms.get(id) ?? v, `${file} / ${sheet}: ${id}`).toBe(v);
						pseudonyms.set(id, v as string);
					} else if (h === 'Année-mois de naissance' || h === 'Âge au début de la période (ans)') {
						const birth = idRow[col('Date de naissance')] as number | null;
						const day = birth === null ? null : dayOfSerial(birth);
						const expected =
							day === null
								? null
								: h.startsWith('Année')
									? day.slice(0, 7)
									: naiveAge(day, periodStart);
						expect(v, `${file} / ${sheet} ${h}`).toBe(expected);
					} else if (h === 'Département') {
						const cp = String(idRow[col('Code postal')] ?? '');
						const expected = /^\d{5}$/.test(cp)
							? cp.slice(0, /^9[78]/.test(cp) ? 3 : 2)
							: /^2[AB]\d{3}$/.test(cp)
								? cp.slice(0, 2)
								: null;
						expect(v, `${file} / ${sheet} ${h} ${cp}`).toBe(expected);
					}
				}
				if (h === 'ID dossier' || NEW_COLUMNS.includes(h)) return;
				// A kept column: the next one of that header in the identified sheet, after the four
				// columns every row starts with (SPEC §6), which are never kept as they are. A field
				// labelled « Nom » is matched with the field, not the patient's Nom.
				const source = idHeader.indexOf(h, Math.max(DOSSIER_LEAD, after + 1));
				expect(source, `${file} / ${sheet}: ${h}`).toBeGreaterThanOrEqual(0);
				after = source;
				for (const [r, psRow] of psRows.entries()) {
					expect(psRow[j] ?? null, `${file} / ${sheet} ${h} row ${r + 2}`).toEqual(
						idRows[r]![source] ?? null
					);
					keptCells++;
				}
			});
		}
	}
	expect(keptCells).toBeGreaterThan(0);
	// One pseudonym per dossier, and never two dossiers for one pseudonym.
	expect(new Set(pseudonyms.values()).size).toBe(pseudonyms.size);
	return pseudonyms;
}

function informations(x: Extraction): Map<string, Map<string, unknown>> {
	const out = new Map<string, Map<string, unknown>>();
	for (const [file, wb] of x.workbooks) {
		out.set(file, new Map(wb.rows('Informations').map((r) => [String(r[0]), r[1]])));
	}
	return out;
}

describe.each([
	{
		name: 'the sandbox (small)',
		period: { from: '2023-03-15', to: '2024-02-20' },
		today: '2024-01-31',
		open: (today: string) => createSandboxServer({ scale: 'small', today })
	},
	{
		name: 'a fixture of hostile names',
		period: HOSTILE_PERIOD,
		today: HOSTILE_TODAY,
		open: (today: string) => {
			const db = createMemoryDb();
			loadHostileFixture(createDbSink(db));
			return createSandboxServer({ db, today });
		}
	}
])('pseudonymised extraction of $name', ({ period, today, open }) => {
	let s: Setup;
	let identified: Extraction;
	let pseudoA: Extraction;
	let needles: string[];

	beforeAll(async () => {
		s = await setUp(await open(today), period, today);
		[identified, pseudoA, needles] = await Promise.all([
			extract(s),
			extract(s, { passphrase: PASS_A, keepFreeText: false }),
			identityStrings({ ...s, structure: s.context.structure, query: query(s.context.request) })
		]);
	}, 180_000);

	afterAll(async () => {
		await s?.sandbox.close();
	});

	it('is named …_pseudo_… and every workbook says how it was pseudonymised', () => {
		const compact = (d: string) => `${d.slice(8, 10)}${d.slice(5, 7)}${d.slice(0, 4)}`;
		expect(pseudoA.zipName).toBe(
			`Generic_extractions_brutes_pseudo_${compact(period.from)}_${compact(period.to)}.zip`
		);
		expect(identified.zipName).not.toContain('pseudo');
		for (const [file, info] of informations(pseudoA)) {
			expect(info.get('Données pseudonymisées'), file).toBe('Oui');
			expect(String(info.get('Méthode de pseudonymisation'))).toMatch(
				/HMAC-SHA-256.*PBKDF2-SHA-256 \(600\u202f000 itérations, sel = identifiant de la structure\)/
			);
			expect(String(info.get('Colonnes supprimées'))).toMatch(/^Nom ; Prénom/);
			expect(String(info.get('Colonnes transformées'))).toMatch(/^ID dossier → pseudonyme/);
		}
		const adm = [...informations(pseudoA)].find(([f]) => f.startsWith('donnees_admin'))![1];
		expect(String(adm.get('Colonnes supprimées'))).toBe(
			"Nom ; Prénom ; INS ; Nom de naissance ; Nom d'usage ; Prénom(s) ; Adresse ; Commune ; Téléphone ; Courriel ; Médecin traitant"
		);
		expect(String(adm.get('Colonnes transformées'))).toContain('Code postal → Département');
		for (const info of informations(identified).values()) {
			expect(info.has('Données pseudonymisées')).toBe(false);
		}
	});

	it('holds no identity of the API in any cell of any sheet', () => {
		expect(needles.length).toBeGreaterThan(20);
		// The search finds them where they are: in the identified extraction.
		const inIdentified = occurrences(identified.workbooks, needles);
		expect(inIdentified.length).toBeGreaterThan(needles.length / 4);
		expect(occurrences(pseudoA.workbooks, needles)).toEqual([]);
	});

	it('keeps the rows, the status days and every kept value of the identified extraction', () => {
		const pseudonyms = compare(identified, pseudoA, period.from);
		expect(pseudonyms.size).toBeGreaterThan(3);
	});

	it('gives the same pseudonyms for the same passphrase, none in common for another', async () => {
		const [again, other] = await Promise.all([
			extract(s, { passphrase: PASS_A, keepFreeText: false }),
			extract(s, { passphrase: PASS_B, keepFreeText: false })
		]);
		const a = compare(identified, pseudoA, period.from);
		expect(compare(identified, again, period.from)).toEqual(a);
		const b = compare(identified, other, period.from);
		expect(b.size).toBe(a.size);
		const inA = new Set(a.values());
		expect([...b.values()].filter((p) => inA.has(p))).toEqual([]);
	}, 120_000);

	it('keeps free text only when asked, and then says so in every warning', async () => {
		const kept = await extract(s, { passphrase: PASS_A, keepFreeText: true });
		const rdv = [...kept.workbooks].find(([f]) => f.startsWith('RDV'))![1];
		expect(rdv.rows('RDV')[0]).toEqual(expect.arrayContaining(['Motif', 'Commentaire']));
		expect(rdv.rows('RDV')[0]).not.toContain('Professionnel');
		for (const [file, wb] of kept.workbooks) {
			const cells = wb.rows('Informations').flat().map(String);
			const warning = cells.find((c) => c.startsWith('Textes libres conservés'));
			const hasFreeText = /^(RDV|hospitalisations|thematique_)/.test(file);
			expect(Boolean(warning), file).toBe(hasFreeText);
		}
		const rdvA = [...pseudoA.workbooks].find(([f]) => f.startsWith('RDV'))![1];
		expect(rdvA.rows('RDV')[0]).not.toContain('Motif');
		expect(rdvA.rows('Informations').flat().map(String).join('\n')).not.toContain(
			'Textes libres conservés'
		);
	}, 120_000);
});

describe('bad input: a clear error and nothing produced', () => {
	const thematic: Thematic = { id: 'T', label: 'T', forms: [] };
	const request: ExtractionRequest = {
		...everythingRequest([thematic], { from: '2023-03-01', to: '2023-03-31' }),
		pseudonymise: { keepFreeText: false }
	};
	const job = planExtraction(request, []).jobs.find((j) => j.kind === 'administratif')!;
	const context = (sid: string): ExtractionContext => ({
		structure: { id: sid, name: 'S' },
		userId: 'u',
		request,
		launch: launchInstant(Date.UTC(2023, 3, 1, 8))
	});
	let calls = 0;
	/** A client whose only page holds a dossier with a numeric id, as a lying API might. */
	const client = {
		async *pages() {
			calls++;
			yield { items: [{ dossierId: 42, patient: { nom: 'X', prenom: 'Y' } }], total: 1 };
		}
	} as unknown as SpicoClient;

	it('refuses a dossier id that is not a string', async () => {
		const key = await derivePseudonymKey(PASS_A, 'str-x');
		await expect(
			runWorkbookJob(job, context('str-x'), client, { pseudonymKey: key })
		).rejects.toThrow(/Identifiant de dossier invalide \(de type number, texte attendu\)/);
	}, 30_000);

	it('refuses a missing structure id before asking the API anything', async () => {
		const key = await derivePseudonymKey(PASS_A, 'str-x');
		calls = 0;
		await expect(runWorkbookJob(job, context(''), client, { pseudonymKey: key })).rejects.toThrow(
			/Identifiant de la structure manquant/
		);
		expect(calls).toBe(0);
		await expect(runWorkbookJob(job, context('str-x'), client, {})).rejects.toThrow(
			/Clé de pseudonymisation absente/
		);
		expect(calls).toBe(0);
	}, 30_000);
});
