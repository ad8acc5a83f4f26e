/**
 * From a validated request and the catalogue to the list of workbooks to build (SPEC §5). Jobs
 * are plain data so they can cross into a worker; the worker finds the dataset again by kind.
 */
import type { Thematic } from '../../contract/spico';
import { DATASETS, thematicDataset, type AnyDataset } from '../datasets/index';
import { fittedWorkbookBase, workbookFileName, zipFileName } from '../naming';
import type { ExtractionRequest } from '../request';

export interface ExtractionContext {
	structure: { id: string; name: string };
	userId: string;
	request: ExtractionRequest;
	/** Day of the extraction in Paris, `YYYY-MM-DD`: closes open status intervals. */
	today: string;
	/** When the extraction was launched, Paris wall time `YYYY-MM-DDTHH:mm:ss`. */
	launchedAt: string;
	/**
	 * The same instant in ms since the epoch, on the page's clock: the time of the ZIP entries
	 * (clamped to 1980–2099). Absent: the worker's own clock.
	 */
	launchedAtMs?: number;
}

export type FixedKind = keyof typeof DATASETS;

interface JobBase {
	/** Stable within a plan: `rdv`, `thematique:<thematic id>`. */
	id: string;
	/** What the user sees on the progress list. */
	label: string;
	fileName: string;
}

export type WorkbookJob =
	| (JobBase & { kind: FixedKind })
	| (JobBase & { kind: 'thematique'; thematic: Thematic; formIds: string[] });

export interface ExtractionPlan {
	zipName: string;
	jobs: WorkbookJob[];
}

const FIXED_JOBS: { kind: FixedKind; label: string; wanted: (r: ExtractionRequest) => boolean }[] =
	[
		{
			kind: 'administratif',
			label: 'Données administratives',
			wanted: (r) => r.files.administratif
		},
		{ kind: 'rdv', label: 'RDV', wanted: (r) => r.files.rdv },
		{
			kind: 'hospitalisations',
			label: 'Hospitalisations',
			wanted: (r) => r.files.hospitalisations
		},
		{ kind: 'cercle_de_soins', label: 'Cercle de soins', wanted: (r) => r.files.cercleDeSoins },
		{ kind: 'statuts', label: 'Statuts', wanted: (r) => r.statuts }
	];

/** The workbooks of a request, in the form's order; thematics in catalogue order. */
export function planExtraction(
	request: ExtractionRequest,
	catalogue: readonly Thematic[]
): ExtractionPlan {
	const period = { from: request.from, to: request.to };
	const jobs: WorkbookJob[] = [];
	const taken = new Set<string>();
	// Two thematic labels may give the same slug: the second file gets a suffix, never overwrites.
	// Names are cut to fit a ZIP entry (naming.ts): two long labels may then meet, and part too.
	const uniqueName = (base: string) => {
		let name = fittedWorkbookBase(base, 1, period);
		for (let n = 2; taken.has(name.toLowerCase()); n++) name = fittedWorkbookBase(base, n, period);
		taken.add(name.toLowerCase());
		return workbookFileName(name, period);
	};
	for (const { kind, label, wanted } of FIXED_JOBS) {
		if (wanted(request)) {
			jobs.push({ id: kind, kind, label, fileName: uniqueName(DATASETS[kind].baseName) });
		}
	}
	if (request.files.thematiques) {
		const selected = new Set(request.forms.map((f) => `${f.thematicId}\u0000${f.formId}`));
		for (const thematic of catalogue) {
			const formIds = thematic.forms
				.filter((f) => selected.has(`${thematic.id}\u0000${f.id}`))
				.map((f) => f.id);
			if (formIds.length === 0) continue;
			const base = thematicDataset(thematic, formIds).baseName;
			jobs.push({
				id: `thematique:${thematic.id}`,
				kind: 'thematique',
				label: `Thématique « ${thematic.label} »`,
				fileName: uniqueName(base),
				thematic,
				formIds
			});
		}
	}
	return { zipName: zipFileName(period), jobs };
}

/** The dataset that builds a job's workbook. */
export function datasetOf(job: WorkbookJob): AnyDataset {
	return job.kind === 'thematique'
		? thematicDataset(job.thematic, job.formIds)
		: DATASETS[job.kind];
}
