/**
 * The whole core pipeline in Node, against the sandbox: plan → every workbook built page by page
 * → ZIP → unzipped and read back with SheetJS → compared with what the API serves for the same
 * filters. The browser test runs the same core in workers; this one pins the data.
 */
import { launchInstant } from '../../src/lib/core/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpicoClient, type SpicoClient } from '../../src/lib/api/client';
import {
	STATUS_CODES,
	STATUS_LABELS,
	type ListName,
	type ListQuery,
	type Thematic
} from '../../src/lib/contract/spico';
import { planExtraction, type ExtractionContext } from '../../src/lib/core/extraction/plan';
import { runWorkbookJob } from '../../src/lib/core/extraction/run-job';
import type { ExtractionRequest } from '../../src/lib/core/request';
import { buildZip } from '../../src/lib/core/zip';
import { concat } from './xlsx-helpers';
import { allItems } from '../helpers/api';
import { everythingRequest } from '../../harness/form-driver';
import { createSandboxServer, type SandboxServer } from '../../sandbox/server';
import {
	naiveStatusDays,
	parisDayOf,
	readZip,
	serialOfDay,
	type ReadWorkbook
} from '../helpers/read-extraction';

// A period that cuts status intervals at both edges, and a "today" inside it: open intervals
// are closed at today + 1, not at the end of the period.
const FROM = '2023-03-15';
const TO = '2024-02-20';
const TODAY = '2024-01-31';

let sandbox: SandboxServer;
let client: SpicoClient;
let catalogue: Thematic[];
let context: ExtractionContext;
let workbooks: Map<string, ReadWorkbook>;
let zipName: string;
let fileNames: string[];

const all = <L extends ListName>(list: L, query: ListQuery, formId?: string) =>
	allItems(client, context.structure.id, list, query, formId);

const query = (request: ExtractionRequest): ListQuery => ({
	from: request.period.from,
	to: request.period.to,
	archived: request.archived,
	statuses: request.statuses,
	limit: 5000
});

beforeAll(async () => {
	sandbox = await createSandboxServer({ scale: 'small', today: TODAY });
	client = createSpicoClient({ baseUrl: sandbox.url, getToken: () => 'sandbox-alice' });
	const me = await client.me();
	if (me.account.type !== 'structure') throw new Error('alice doit être un compte structure');
	catalogue = await client.thematics(me.account.structureId);
	const request = everythingRequest(catalogue, { from: FROM, to: TO });
	context = {
		structure: { id: me.account.structureId, name: me.account.structureName },
		userId: me.user.id,
		request,
		// 31/01/2024 10:15 in Paris: its day is TODAY.
		launch: launchInstant(Date.UTC(2024, 0, 31, 9, 15))
	};
	const plan = planExtraction(request, catalogue);
	zipName = plan.zipName;
	fileNames = plan.jobs.map((j) => j.fileName);
	// Small pages: many pages per file, so page boundaries are crossed everywhere.
	const built = await Promise.all(
		plan.jobs.map((job) => runWorkbookJob(job, context, client, { pageLimit: 97 }))
	);
	const zipped = buildZip(built.map((b) => ({ fileName: b.fileName, parts: b.parts })));
	workbooks = readZip(concat(zipped.parts));
}, 120_000);

afterAll(async () => {
	await sandbox?.close();
});

function book(prefix: string): ReadWorkbook {
	const name = `${prefix} 15032023_20022024.xlsx`;
	const wb = workbooks.get(name);
	if (!wb) throw new Error(`classeur absent : ${name}`);
	return wb;
}

describe('an extraction of every file over a period that cuts intervals', () => {
	it('is named as SPEC §5 says and holds one workbook per file and thematic', () => {
		expect(zipName).toBe('Generic_extractions_brutes_15032023_20022024.zip');
		expect([...workbooks.keys()].sort()).toEqual([...fileNames].sort());
		expect(fileNames).toContain('donnees_administratives 15032023_20022024.xlsx');
		expect(fileNames).toContain('RDV 15032023_20022024.xlsx');
		expect(fileNames).toContain('statuts 15032023_20022024.xlsx');
		expect(fileNames).toContain('thematique_plateforme_tnd 15032023_20022024.xlsx');
		expect(fileNames.filter((n) => n.startsWith('thematique_'))).toHaveLength(catalogue.length);
		for (const wb of workbooks.values()) expect(wb.book.SheetNames).toContain('Informations');
	});

	it('writes one administrative row per in-scope dossier, with the API values', async () => {
		const dossiers = await all('dossiers', query(context.request));
		const rows = book('donnees_administratives').rows('Données administratives');
		const [header, ...data] = rows;
		expect(header?.slice(0, 4)).toEqual(['ID dossier', 'Nom', 'Prénom', 'Date de naissance']);
		expect(data).toHaveLength(dossiers.length);
		expect(dossiers.length).toBeGreaterThan(20);
		const byId = new Map(data.map((r) => [r[0], r]));
		for (const d of dossiers) {
			const row = byId.get(d.dossierId);
			expect(row, d.dossierId).toBeDefined();
			expect(row?.[1]).toBe(d.patient.nom);
			expect(row?.[2] ?? '').toBe(d.patient.prenom);
			expect(row?.[3] ?? null).toBe(
				d.patient.dateNaissance ? serialOfDay(d.patient.dateNaissance) : null
			);
		}
	});

	it('writes every appointment, stay and care-circle row the API returns', async () => {
		const q = query(context.request);
		const cases: [ReadWorkbook, string, string[]][] = [
			[book('RDV'), 'RDV', (await all('appointments', q)).map((i) => `${i.dossierId}/${i.id}`)],
			[
				book('hospitalisations'),
				'Hospitalisations',
				(await all('hospitalisations', q)).map((i) => `${i.dossierId}/${i.id}`)
			],
			// The care circle has no id column (SPEC §6): dossier and intervenant identify a row.
			[
				book('cercle_de_soins'),
				'Cercle de soins',
				(await all('care-circle', q)).map((i) => `${i.dossierId}/${i.intervenant}`)
			]
		];
		for (const [wb, sheet, expected] of cases) {
			const [, ...data] = wb.rows(sheet);
			expect(expected.length, sheet).toBeGreaterThan(0);
			expect(data.map((r) => `${r[0]}/${r[4]}`).sort(), sheet).toEqual(expected.sort());
		}
	});

	it('writes one sheet per form, in catalogue order, with every response of the period', async () => {
		const q = query(context.request);
		let responses = 0;
		for (const thematic of catalogue) {
			const job = planExtraction(context.request, [thematic]).jobs.find(
				(j) => j.kind === 'thematiques'
			)!;
			const wb = workbooks.get(job.fileName)!;
			const sheets = wb.book.SheetNames.filter((n) => n !== 'Informations');
			expect(sheets, thematic.label).toHaveLength(thematic.forms.length);
			for (const [i, form] of thematic.forms.entries()) {
				const items = await all('responses', q, form.id);
				const [header, ...data] = wb.rows(sheets[i]!);
				expect(header?.slice(4, 7), form.label).toEqual(['ID réponse', 'Date de saisie', 'Auteur']);
				expect(header?.length).toBe(7 + form.fields.length);
				expect(data.map((r) => r[4]).sort(), form.label).toEqual(items.map((r) => r.id).sort());
				responses += items.length;
			}
		}
		expect(responses).toBeGreaterThan(0);
	});

	it('counts status days as an independent day-by-day walk does', async () => {
		const dossiers = await all('dossiers', query(context.request));
		const rows = book('statuts').rows('Synthèse');
		const [header, ...data] = rows;
		const labels = STATUS_CODES.map((s) => STATUS_LABELS[s]);
		const firstStatusColumn = header!.findIndex((h) => String(h).startsWith(labels[0]!));
		expect(firstStatusColumn).toBeGreaterThan(3);
		expect(data).toHaveLength(dossiers.length);
		const byId = new Map(data.map((r) => [r[0], r]));
		let cut = 0;
		for (const d of dossiers) {
			const expected = naiveStatusDays(d.createdAt, d.statusEvents, FROM, TO, TODAY);
			const row = byId.get(d.dossierId)!;
			const got = STATUS_CODES.map((_, i) => row[firstStatusColumn + i] ?? 0);
			expect(got, d.dossierId).toEqual(STATUS_CODES.map((s) => expected[s]));
			if (d.statusEvents.some((e) => parisDayOf(e.at) < FROM)) cut++;
		}
		// The period really cuts histories that started before it.
		expect(cut).toBeGreaterThan(0);
	});
});
