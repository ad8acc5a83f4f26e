/**
 * From a validated request and the catalogue to the list of workbooks to build (SPEC §5). Jobs
 * are plain data so they can cross into a worker; the worker finds the dataset again by kind.
 */
import type { Thematic } from '../../contract/spico';
import type { LaunchInstant } from '../calendar';
import { thematicDataset, type AnyDataset } from '../datasets/index';
import { FILE_KIND_INFO, FIXED_KINDS, fixedDataset, type FixedKind } from '../file-kinds';
import { fittedWorkbookBase, workbookFileName, zipFileName } from '../naming';
import type { ExtractionRequest } from '../request';

export interface ExtractionContext {
	structure: { id: string; name: string };
	userId: string;
	request: ExtractionRequest;
	/**
	 * When the extraction was launched, read once on the page: its day closes open status
	 * intervals, its wall time is in the Informations sheet, its ms date the ZIP entries.
	 */
	launch: LaunchInstant;
}

interface JobBase {
	/** Stable within a plan: `rdv`, `thematiques:<thematic id>`. */
	id: string;
	/** What the user sees on the progress list. */
	label: string;
	fileName: string;
}

export type WorkbookJob =
	| (JobBase & { kind: FixedKind })
	| (JobBase & { kind: 'thematiques'; thematic: Thematic; formIds: string[] });

export interface ExtractionPlan {
	zipName: string;
	jobs: WorkbookJob[];
}

/** The workbooks of a request, in the form's order; thematics last, in catalogue order. */
export function planExtraction(
	request: ExtractionRequest,
	catalogue: readonly Thematic[]
): ExtractionPlan {
	const { period } = request;
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
	for (const kind of FIXED_KINDS) {
		if (!request.kinds.includes(kind)) continue;
		const { label } = FILE_KIND_INFO[kind];
		jobs.push({ id: kind, kind, label, fileName: uniqueName(fixedDataset(kind).baseName) });
	}
	if (request.kinds.includes('thematiques')) {
		const selected = new Set(request.forms.map((f) => `${f.thematicId}\u0000${f.formId}`));
		for (const thematic of catalogue) {
			const formIds = thematic.forms
				.filter((f) => selected.has(`${thematic.id}\u0000${f.id}`))
				.map((f) => f.id);
			if (formIds.length === 0) continue;
			const base = thematicDataset(thematic, formIds).baseName;
			jobs.push({
				id: `thematiques:${thematic.id}`,
				kind: 'thematiques',
				label: `Thématique « ${thematic.label} »`,
				fileName: uniqueName(base),
				thematic,
				formIds
			});
		}
	}
	const pseudonymised = request.pseudonymise !== undefined;
	return { zipName: zipFileName(period, { pseudonymised }), jobs };
}

/** The dataset that builds a job's workbook. */
export function datasetOf(job: WorkbookJob): AnyDataset {
	return job.kind === 'thematiques'
		? thematicDataset(job.thematic, job.formIds)
		: fixedDataset(job.kind);
}
