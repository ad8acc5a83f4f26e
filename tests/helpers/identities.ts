/**
 * The identities the API serves (SPEC §13's removed columns), and where any of them occurs in an
 * extraction: for the pseudonymisation tests, in Node and in the browser.
 */
import type { SpicoClient } from '../../src/lib/api/client';
import type { ListName, ListQuery, Thematic } from '../../src/lib/contract/spico';
import { allItems } from './api';
import type { ReadWorkbook } from './read-extraction';

// XML cannot carry these: the writer drops them, so a needle is searched without them.
// eslint-disable-next-line no-control-regex
const NOT_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/**
 * Kept values that contain a sandbox name by homonymy, not by leak: the sandbox's « Clinique
 * Jules-Verne » (an établissement, kept) holds the first name « Jules ». A needle is not looked
 * for inside a cell that is exactly one of these.
 */
const HOMONYMS = new Set(['clinique jules-verne']);

export interface IdentitySource {
	client: SpicoClient;
	structure: { id: string; name: string };
	query: Omit<ListQuery, 'cursor'>;
	catalogue: readonly Thematic[];
}

/**
 * Every identity string of the API's items: noms, prénoms, INS, adresses, téléphones, courriels,
 * médecins traitants, and the care circle's intervenants with their téléphone, courriel and
 * identifiant; lowercased, as XML can carry them, a long one by its first 200 characters (a cut
 * cell keeps its beginning). The structure's own name (an intervenant of type structure) is left
 * out: the Informations sheet names the structure that extracts, on purpose.
 */
export async function identityStrings(s: IdentitySource): Promise<string[]> {
	const all = <L extends ListName>(list: L, formId?: string) =>
		allItems(s.client, s.structure.id, list, s.query, formId);
	const values: (string | null)[] = [];
	for (const d of await all('dossiers')) {
		values.push(d.patient.nom, d.patient.prenom, d.ins, d.nomNaissance, d.nomUsage, d.prenoms);
		values.push(d.adresse, d.telephone, d.courriel, d.medecinTraitant);
	}
	const lists: { patient: { nom: string; prenom: string } }[][] = [
		await all('appointments'),
		await all('hospitalisations')
	];
	for (const t of s.catalogue) for (const f of t.forms) lists.push(await all('responses', f.id));
	for (const items of lists) for (const i of items) values.push(i.patient.nom, i.patient.prenom);
	for (const m of await all('care-circle')) {
		values.push(m.patient.nom, m.patient.prenom, m.telephone, m.courriel, m.identifiant);
		if (m.intervenant !== s.structure.name) values.push(m.intervenant);
	}
	const needles = new Set<string>();
	for (const v of values) {
		if (v === null) continue;
		const needle = v.replace(NOT_IN_XML, '').trim().toLowerCase().slice(0, 200);
		if (needle !== '') needles.add(needle);
	}
	return [...needles];
}

/** Where any needle occurs, case-insensitively, in any cell of any sheet of any workbook. */
export function occurrences(
	workbooks: ReadonlyMap<string, ReadWorkbook>,
	needles: readonly string[]
): string[] {
	const found = new Set<string>();
	for (const [file, wb] of workbooks) {
		for (const sheet of wb.book.SheetNames) {
			for (const row of wb.rows(sheet)) {
				for (const cell of row) {
					if (cell === null || cell === undefined) continue;
					const text = String(cell).toLowerCase();
					if (HOMONYMS.has(text)) continue;
					for (const n of needles) if (text.includes(n)) found.add(`${file} / ${sheet}: ${n}`);
				}
			}
		}
	}
	return [...found];
}
