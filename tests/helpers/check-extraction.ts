/**
 * A downloaded extraction (every file, every thematic and form, Statuts) compared with what the
 * API serves for the same filters: workbook names, the ids of every row, values, and the status
 * days against an independent day-by-day count. For the browser tests of every engine.
 *
 *   const api = await readApi(apiUrl, { from, to });
 *   const books = readZip(bytes);
 *   expectEveryWorkbook(books, api);  expectEveryRow(books, api);  expectStatusDays(books, api, today);
 */
import { expect } from 'vitest';
import { createSpicoClient } from '../../src/lib/api/client';
import {
	STATUS_CODES,
	type ListItem,
	type ListName,
	type ListQuery,
	type Thematic
} from '../../src/lib/contract/spico';
import { thematicBaseName } from '../../src/lib/core/datasets/index';
import { allItems, structureOf } from './api';
import { naiveStatusDays, serialOfDay, type ReadWorkbook } from './read-extraction';

export interface ApiView {
	from: string;
	to: string;
	/** `ddmmyyyy_ddmmyyyy`, the suffix of every name (SPEC §5). */
	suffix: string;
	catalogue: Thematic[];
	dossiers: ListItem<'dossiers'>[];
	appointments: ListItem<'appointments'>[];
	hospitalisations: ListItem<'hospitalisations'>[];
	careCircle: ListItem<'care-circle'>[];
	/** Responses by form id. */
	responses: Map<string, ListItem<'responses'>[]>;
}

const ddmmyyyy = (day: string) => day.split('-').reverse().join('');

/** Everything the API serves to `sandbox-alice` for the period (not archived, every status). */
export async function readApi(apiUrl: string, period: { from: string; to: string }) {
	const client = createSpicoClient({ baseUrl: apiUrl, getToken: () => 'sandbox-alice' });
	const { sid } = await structureOf(client);
	const query: ListQuery = {
		...period,
		archived: false,
		statuses: [...STATUS_CODES],
		limit: 5000
	};
	const all = <L extends ListName>(list: L, formId?: string) =>
		allItems(client, sid, list, query, formId);
	const catalogue = await client.thematics(sid);
	const responses = new Map<string, ListItem<'responses'>[]>();
	for (const form of catalogue.flatMap((t) => t.forms)) {
		responses.set(form.id, await all('responses', form.id));
	}
	return {
		...period,
		suffix: `${ddmmyyyy(period.from)}_${ddmmyyyy(period.to)}`,
		catalogue,
		dossiers: await all('dossiers'),
		appointments: await all('appointments'),
		hospitalisations: await all('hospitalisations'),
		careCircle: await all('care-circle'),
		responses
	} satisfies ApiView;
}

function book(books: Map<string, ReadWorkbook>, api: ApiView, name: string): ReadWorkbook {
	const wb = books.get(`${name} ${api.suffix}.xlsx`);
	if (!wb) throw new Error(`classeur absent : ${name} (reçus : ${[...books.keys()].join(', ')})`);
	return wb;
}

/** One workbook per file and per thematic, named as SPEC §5 says. */
export function expectEveryWorkbook(books: Map<string, ReadWorkbook>, api: ApiView): void {
	const names = [...books.keys()].sort();
	const expected = [
		'donnees_administratives',
		'RDV',
		'hospitalisations',
		'cercle_de_soins',
		'statuts',
		...api.catalogue.map((t) => thematicBaseName(t.label))
	].map((n) => `${n} ${api.suffix}.xlsx`);
	expect(names).toEqual(expected.sort());
}

/** Every row the API returns, by id, with the administrative values. */
export function expectEveryRow(books: Map<string, ReadWorkbook>, api: ApiView): void {
	const [header, ...admin] = book(books, api, 'donnees_administratives').rows(
		'Données administratives'
	);
	expect(header?.slice(0, 4)).toEqual(['ID dossier', 'Nom', 'Prénom', 'Date de naissance']);
	expect(admin.map((r) => r[0]).sort()).toEqual(api.dossiers.map((d) => d.dossierId).sort());
	const byId = new Map(admin.map((r) => [r[0], r]));
	for (const d of api.dossiers) {
		const row = byId.get(d.dossierId)!;
		expect(row[1], d.dossierId).toBe(d.patient.nom);
		expect(row[2] ?? null, d.dossierId).toBe(d.patient.prenom ?? null);
		expect(row[3] ?? null, d.dossierId).toBe(
			d.patient.dateNaissance ? serialOfDay(d.patient.dateNaissance) : null
		);
	}
	const ids = (name: string, sheet: string, column: number) =>
		book(books, api, name)
			.rows(sheet)
			.slice(1)
			.map((r) => r[column])
			.sort();
	expect(ids('RDV', 'RDV', 4)).toEqual(api.appointments.map((a) => a.id).sort());
	expect(ids('hospitalisations', 'Hospitalisations', 4)).toEqual(
		api.hospitalisations.map((s) => s.id).sort()
	);
	expect(book(books, api, 'cercle_de_soins').rows('Cercle de soins').slice(1)).toHaveLength(
		api.careCircle.length
	);
	for (const thematic of api.catalogue) {
		const wb = book(books, api, thematicBaseName(thematic.label));
		const sheets = wb.book.SheetNames.filter((s) => s !== 'Informations');
		expect(sheets).toHaveLength(thematic.forms.length);
		for (const [i, form] of thematic.forms.entries()) {
			const rows = wb.rows(sheets[i]!).slice(1);
			expect(rows.map((r) => r[4]).sort(), form.label).toEqual(
				(api.responses.get(form.id) ?? []).map((r) => r.id).sort()
			);
		}
	}
}

/** Synthèse's status days as a day-by-day walk over the API's events; every dossier in the history. */
export function expectStatusDays(
	books: Map<string, ReadWorkbook>,
	api: ApiView,
	today: string
): void {
	const [header, ...rows] = book(books, api, 'statuts').rows('Synthèse');
	const first = header!.findIndex((h) => String(h).startsWith('Analyse de la demande'));
	expect(first).toBeGreaterThan(3);
	const byId = new Map(rows.map((r) => [r[0], r]));
	expect(byId.size).toBe(api.dossiers.length);
	for (const d of api.dossiers) {
		const expected = naiveStatusDays(d.createdAt, d.statusEvents, api.from, api.to, today);
		const row = byId.get(d.dossierId)!;
		expect(
			STATUS_CODES.map((_, i) => row[first + i] ?? 0),
			d.dossierId
		).toEqual(STATUS_CODES.map((s) => expected[s]));
	}
	const [, ...history] = book(books, api, 'statuts').rows('Historique des statuts');
	expect(new Set(history.map((r) => r[0]))).toEqual(new Set(api.dossiers.map((d) => d.dossierId)));
}
