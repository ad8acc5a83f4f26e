/**
 * Summary of V8 CPU profiles (DevTools `Profiler.stop`): self time by function and by area of
 * the code (the module's core, the client, valibot, fflate, the engine's built-ins…).
 */

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
}

interface ProfileNode {
	id: number;
	callFrame: CallFrame;
}

export interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples?: number[];
	timeDeltas?: number[];
}

export interface ProfileSummary {
	/** Sampled milliseconds, idle excluded. */
	busyMs: number;
	idleMs: number;
	/** Self time by step of the pipeline (the worker is one bundle: steps go by function name). */
	areas: { area: string; ms: number }[];
	functions: { name: string; ms: number }[];
}

// Function names of an unminified build (`npm run bench -- --profile`), by step.
const STEPS: [string, RegExp][] = [
	['(idle)', /^\(idle\)$/],
	['deflate (native, inside push)', /^push$/],
	['garbage collector', /^\(garbage collector\)$/],
	['shared-strings table', /^(find|#sharedIndex|xmlPieces)$/],
	[
		'XML and UTF-8 encoding',
		/^(flush|#rowXml|#stream|#measure|needsWork|excelSerial|daySerial|textCell|escapeCellText|removeInvalidXmlChars|encodeInto|displayLength)$|^RegExp: \[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F&/
	],
	[
		'contract validation',
		/^(isRealCalendarDay|isIsoDateTime|isIsoDate|isPlainFormValues|isFormValue|~run|safeParse|parsePage|parseOrThrow|_addIssue|_stringify|_isValidObjectKey|accept[A-Z]\w*)$|^RegExp: \^\(\\d\{4\}\)/
	],
	['HTTP and JSON.parse', /^(getJson|fetch|text)$/],
	[
		'mapping (datasets, calendar)',
		/Row$|^(statutsRows|computeStatusDays|fieldCell|choiceLabel|textForm|fromDayNumber|parisWallTimeOfMs|parisOffsetMs|parisOffsetUncached|parisDayNumberOfMs|tryInstantMs|instantMs)$/
	],
	['CRC-32 of each workbook (sealing)', /^(sealWorkbook|measureParts|update)$/],
	['outer ZIP CRC (fflate)', /^p$/]
];

function areaOf(frame: CallFrame): string {
	for (const [step, pattern] of STEPS) if (pattern.test(frame.functionName)) return step;
	return frame.functionName === '(program)' ? '(program)' : 'other';
}

export function summariseProfile(profile: CpuProfile, top = 25): ProfileSummary {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const selfUs = new Map<number, number>();
	const samples = profile.samples ?? [];
	const deltas = profile.timeDeltas ?? [];
	// Each delta is the time before its sample: credit it to that sample's node.
	for (let i = 0; i < samples.length; i++) {
		const id = samples[i]!;
		selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, deltas[i] ?? 0));
	}
	const areas = new Map<string, number>();
	const functions = new Map<string, number>();
	let idle = 0;
	let busy = 0;
	for (const [id, us] of selfUs) {
		const frame = byId.get(id)?.callFrame;
		if (!frame) continue;
		const area = areaOf(frame);
		if (area === '(idle)') {
			idle += us;
			continue;
		}
		busy += us;
		areas.set(area, (areas.get(area) ?? 0) + us);
		const file = frame.url.split('/').pop() ?? '';
		const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
		functions.set(name, (functions.get(name) ?? 0) + us);
	}
	const sorted = (m: Map<string, number>) =>
		[...m.entries()]
			.sort((a, b) => b[1] - a[1])
			.map(([k, us]) => [k, Math.round(us / 1000)] as const);
	return {
		busyMs: Math.round(busy / 1000),
		idleMs: Math.round(idle / 1000),
		areas: sorted(areas).map(([area, ms]) => ({ area, ms })),
		functions: sorted(functions)
			.slice(0, top)
			.map(([name, ms]) => ({ name, ms }))
	};
}
