// Workbook writer benchmark: our streaming writer (each deflate engine Node has) against SheetJS
// `XLSX.write`, on the same 12-column rows. Each case runs in its own process so that its peak
// RSS is its own. Usage: npm run bench:writer [-- --rows 100000,500000 --cases native,fflate,sheetjs]
import { informationRows } from '../src/lib/core/extraction/informations';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as XLSX from 'xlsx';
import { createWorkbook, hasNativeDeflateRaw } from '../src/lib/core/xlsx/index';
import type { Column, Row } from '../src/lib/core/table';

type Case = 'native' | 'fflate' | 'sheetjs';

interface Result {
	case: Case;
	rows: number;
	cells: number;
	seconds: number;
	/** CPU time of the whole process (all threads): steadier than wall time on a busy machine. */
	cpuSeconds: number;
	cellsPerSecond: number;
	peakRssMb: number;
	outputMb: number;
}

const PAGE = 5000;
const COLUMNS: Column[] = [
	{ header: 'ID dossier', kind: 'integer', description: '' },
	{ header: 'Nom', kind: 'text', description: '' },
	{ header: 'Prénom', kind: 'text', description: '' },
	{ header: 'Date de naissance', kind: 'date', description: '' },
	{ header: 'ID RDV', kind: 'text', description: '' },
	{ header: 'Début', kind: 'datetime', description: '' },
	{ header: 'Fin', kind: 'datetime', description: '' },
	{ header: 'Durée (min)', kind: 'integer', description: '' },
	{ header: 'Type', kind: 'text', description: '' },
	{ header: 'Lieu', kind: 'text', description: '' },
	{ header: 'Tarif', kind: 'number', description: '' },
	{ header: 'Commentaire', kind: 'text', description: '' }
];
const NOMS = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', "N'Diaye", 'Lefèvre', '=Moreau'];
const PRENOMS = ['Léa', 'Hugo', 'Chloé', 'Louis', 'Inès', 'Jules', 'Zoé', 'Gabriel'];
const TYPES = ['Consultation', 'Bilan orthophonique', 'Psychomotricité', 'Synthèse'];
const LIEUX = ['Cabinet', 'Domicile', 'École', 'Téléconsultation', 'CMP Nord'];
const WORDS =
	'patient vu ce jour bilan à compléter suivi régulier famille présente rendez-vous'.split(' ');

const pad = (n: number): string => String(n).padStart(2, '0');

/** Deterministic row `i` (a small LCG, so every case writes the same bytes). */
function makeRow(i: number): Row {
	let seed = (i * 2654435761) >>> 0;
	const rnd = (n: number): number => {
		seed = (seed * 1664525 + 1013904223) >>> 0;
		return seed % n;
	};
	const day = 1 + rnd(28);
	const month = 1 + rnd(12);
	const hour = 8 + rnd(10);
	const minute = rnd(4) * 15;
	const duration = 15 + rnd(8) * 15;
	const endMinutes = hour * 60 + minute + duration;
	const words = 2 + rnd(14);
	let comment = '';
	for (let w = 0; w < words; w++) comment += (w ? ' ' : '') + WORDS[rnd(WORDS.length)];
	return [
		100000 + rnd(50000),
		NOMS[rnd(NOMS.length)],
		PRENOMS[rnd(PRENOMS.length)],
		`${1940 + rnd(80)}-${pad(month)}-${pad(day)}`,
		`rdv-${i}`,
		`2023-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}`,
		`2023-${pad(month)}-${pad(day)}T${pad(Math.floor(endMinutes / 60))}:${pad(endMinutes % 60)}`,
		duration,
		TYPES[rnd(TYPES.length)],
		LIEUX[rnd(LIEUX.length)],
		rnd(10000) / 100,
		comment
	];
}

function makePage(start: number, count: number): Row[] {
	const rows: Row[] = [];
	for (let i = start; i < start + count; i++) rows.push(makeRow(i));
	return rows;
}

/** Wall and CPU seconds of `work`, less the time spent generating rows (`generating`). */
class Clock {
	#wall = performance.now();
	#cpu = process.cpuUsage();
	#skipWall = 0;
	#skipCpu = 0;

	skip<T>(work: () => T): T {
		const w = performance.now();
		const c = process.cpuUsage();
		const out = work();
		this.#skipWall += performance.now() - w;
		const d = process.cpuUsage(c);
		this.#skipCpu += (d.user + d.system) / 1000;
		return out;
	}

	stop(): { wall: number; cpu: number } {
		const d = process.cpuUsage(this.#cpu);
		return {
			wall: (performance.now() - this.#wall - this.#skipWall) / 1000,
			cpu: ((d.user + d.system) / 1000 - this.#skipCpu) / 1000
		};
	}
}

async function runOurs(
	engine: 'native' | 'fflate',
	rows: number
): Promise<[number, number, number]> {
	const clock = new Clock();
	const wb = createWorkbook({
		engine,
		informations: (summary) => informationRows([{ label: 'Structure', value: 'Bench' }], summary)
	});
	const sheet = wb.addSheet({ name: 'RDV', columns: COLUMNS });
	for (let start = 0; start < rows; start += PAGE) {
		const page = clock.skip(() => makePage(start, Math.min(PAGE, rows - start)));
		await sheet.writeRows(page);
	}
	const result = await wb.finish();
	const { wall, cpu } = clock.stop();
	return [wall, result.size, cpu];
}

/** SheetJS needs every row at once; generation is left out of the time, as for ours. */
function runSheetJs(rows: number): [number, number, number] {
	const dateOf = (s: string): Date =>
		new Date(
			+s.slice(0, 4),
			+s.slice(5, 7) - 1,
			+s.slice(8, 10),
			+s.slice(11, 13) || 0,
			+s.slice(14, 16) || 0
		);
	const aoa: unknown[][] = [COLUMNS.map((c) => c.header)];
	for (let i = 0; i < rows; i++) {
		const r = [...makeRow(i)] as (string | number | Date | null | undefined)[];
		r[3] = dateOf(r[3] as string);
		r[5] = dateOf(r[5] as string);
		r[6] = dateOf(r[6] as string);
		aoa.push(r);
	}
	const clock = new Clock();
	const ws = XLSX.utils.aoa_to_sheet(aoa, {
		dense: true,
		dateNF: 'dd/mm/yyyy'
	} as XLSX.AOA2SheetOpts);
	const wb = XLSX.utils.book_new();
	XLSX.utils.book_append_sheet(wb, ws, 'RDV');
	const out = XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
	const { wall, cpu } = clock.stop();
	return [wall, out.length, cpu];
}

async function child(which: Case, rows: number): Promise<void> {
	const [seconds, bytes, cpuSeconds] =
		which === 'sheetjs' ? runSheetJs(rows) : await runOurs(which, rows);
	const result: Result = {
		case: which,
		rows,
		cells: rows * COLUMNS.length,
		seconds: +seconds.toFixed(2),
		cpuSeconds: +cpuSeconds.toFixed(2),
		cellsPerSecond: Math.round((rows * COLUMNS.length) / seconds),
		// maxRSS is in kilobytes on Linux and macOS.
		peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
		outputMb: +(bytes / 1e6).toFixed(1)
	};
	console.log(JSON.stringify(result));
}

function parent(): void {
	const arg = (name: string): string | undefined => {
		const i = process.argv.indexOf(name);
		return i >= 0 ? process.argv[i + 1] : undefined;
	};
	const sizes = (arg('--rows') ?? '100000,500000').split(',').map(Number);
	const wanted = (arg('--cases') ?? 'native,fflate,sheetjs').split(',') as Case[];
	const cases = wanted.filter((c) => c !== 'native' || hasNativeDeflateRaw());
	const self = fileURLToPath(import.meta.url);
	const results: Result[] = [];
	for (const rows of sizes) {
		for (const which of cases) {
			const run = spawnSync(
				process.execPath,
				['--max-old-space-size=16384', '--import', 'tsx', self, '--child', which, String(rows)],
				{ encoding: 'utf8', maxBuffer: 1 << 20 }
			);
			const line = run.stdout.trim().split('\n').pop() ?? '';
			if (run.status !== 0 || !line.startsWith('{')) {
				console.error(`${which} ${rows}: failed\n${run.stderr}`);
				continue;
			}
			const result = JSON.parse(line) as Result;
			results.push(result);
			console.log(
				[
					result.case.padEnd(8),
					String(result.rows).padStart(8),
					String(result.cellsPerSecond).padStart(10),
					result.seconds.toFixed(2).padStart(8),
					result.cpuSeconds.toFixed(2).padStart(8),
					String(result.peakRssMb).padStart(8),
					result.outputMb.toFixed(1).padStart(8)
				].join(' ')
			);
		}
	}
	const dir = fileURLToPath(new URL('./results/', import.meta.url));
	mkdirSync(dir, { recursive: true });
	const info = { node: process.version, date: new Date().toISOString(), results };
	writeFileSync(`${dir}writer.json`, JSON.stringify(info, null, '\t') + '\n');
	console.log(`→ ${dir}writer.json`);
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
	await child(process.argv[childAt + 1] as Case, Number(process.argv[childAt + 2]));
} else {
	console.log('case         rows    cells/s  seconds  CPU s    RSS MB   out MB');
	parent();
}
