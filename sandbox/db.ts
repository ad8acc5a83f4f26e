/**
 * The sandbox's SQLite store: schema, the row loader shared by the generator and hand-written
 * fixtures, and the on-disk cache of generated databases (one file per scale, seed and version).
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dossier, Patient, Thematic } from '../src/lib/contract/spico.ts';
import {
	GENERATOR_VERSION,
	generate,
	type AppointmentRow,
	type CareCircleRow,
	type DatasetSink,
	type GenerateSummary,
	type HospitalisationRow,
	type ResponseRow,
	type SandboxAccount,
	type SandboxStructure,
	type Scale
} from './generator.ts';
import { parisDay } from './paris.ts';

export type SqliteDb = Database.Database;

/** Bump when the schema changes; together with GENERATOR_VERSION it names the cache file. */
export const SCHEMA_VERSION = 2;

export const DEFAULT_CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '.cache');

// Each row keeps the item exactly as served (`item`, JSON text with the patient joined in), so a
// page is string concatenation; beside it only what the filters need. Days (`*_day`) are Paris
// calendar days computed in TS at insertion: SQLite has no time zones. `at_ms` orders same-day
// events whatever offset their text was written with.
const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE structures (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE accounts (
	token TEXT PRIMARY KEY, user_id TEXT NOT NULL, user_name TEXT NOT NULL, structure_id TEXT
);
CREATE TABLE thematics (position INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE dossiers (
	k INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
	created_ms INTEGER NOT NULL, created_day TEXT NOT NULL, archived_at TEXT,
	item TEXT NOT NULL
);
CREATE TABLE status_events (
	dossier_k INTEGER NOT NULL, seq INTEGER NOT NULL,
	at TEXT NOT NULL, at_ms INTEGER NOT NULL, day TEXT NOT NULL, status TEXT NOT NULL,
	PRIMARY KEY (dossier_k, seq)
) WITHOUT ROWID;
CREATE TABLE appointments (
	k INTEGER PRIMARY KEY, id TEXT NOT NULL, dossier_k INTEGER NOT NULL,
	start_day TEXT NOT NULL, item TEXT NOT NULL
);
CREATE TABLE hospitalisations (
	k INTEGER PRIMARY KEY, id TEXT NOT NULL, dossier_k INTEGER NOT NULL,
	entree TEXT NOT NULL, sortie TEXT, item TEXT NOT NULL
);
CREATE TABLE care_circle (
	k INTEGER PRIMARY KEY, id TEXT NOT NULL, dossier_k INTEGER NOT NULL,
	type TEXT NOT NULL, structure_id TEXT, debut TEXT, fin TEXT, item TEXT NOT NULL
);
CREATE TABLE responses (
	k INTEGER PRIMARY KEY, id TEXT NOT NULL, dossier_k INTEGER NOT NULL, form_id TEXT NOT NULL,
	date_day TEXT NOT NULL, item TEXT NOT NULL
);
`;

// Built after the bulk load (faster than maintaining them row by row).
const INDEXES = `
CREATE INDEX care_circle_file_active ON care_circle (structure_id, dossier_k) WHERE type = 'structure';
CREATE INDEX responses_form ON responses (form_id, k);
CREATE INDEX appointments_dossier ON appointments (dossier_k, start_day);
CREATE INDEX hospitalisations_dossier ON hospitalisations (dossier_k, entree, sortie);
CREATE INDEX care_circle_dossier ON care_circle (dossier_k, debut, fin);
CREATE INDEX responses_dossier ON responses (dossier_k, form_id, date_day);
`;

export function createSchema(db: SqliteDb): void {
	db.exec(SCHEMA);
}

export function createIndexes(db: SqliteDb): void {
	db.exec(INDEXES);
	db.exec('ANALYZE');
}

/** An empty in-memory database with the schema and indexes, for fixtures. */
export function createMemoryDb(): SqliteDb {
	const db = new Database(':memory:');
	createSchema(db);
	createIndexes(db);
	return db;
}

function msOf(iso: string): number {
	const ms = Date.parse(iso);
	if (Number.isNaN(ms)) throw new Error('date-heure illisible dans les données du bac à sable');
	return ms;
}

export interface DbSink extends DatasetSink {
	/** Integer key of a dossier already loaded. */
	dossierKey(dossierId: string): number;
}

/** The served item: `id`, `dossierId`, `patient` first, then the row's own fields. */
function itemJson(row: { id: string; dossierId: string }, patient: Patient): string {
	const { id, dossierId, ...rest } = row;
	return JSON.stringify({ id, dossierId, patient, ...rest });
}

/**
 * The loader every dataset goes through (generator and hand-written fixtures alike), so both
 * get the same Paris days, keys and served JSON.
 */
export function createDbSink(db: SqliteDb): DbSink {
	const dossiers = new Map<string, { k: number; patient: Patient }>();
	const ins = {
		structure: db.prepare('INSERT INTO structures (id, name) VALUES (?, ?)'),
		account: db.prepare(
			'INSERT INTO accounts (token, user_id, user_name, structure_id) VALUES (?, ?, ?, ?)'
		),
		thematic: db.prepare('INSERT INTO thematics (position, json) VALUES (?, ?)'),
		dossier: db.prepare(`INSERT INTO dossiers (id, created_ms, created_day, archived_at, item)
			VALUES (?, ?, ?, ?, ?)`),
		event: db.prepare(
			'INSERT INTO status_events (dossier_k, seq, at, at_ms, day, status) VALUES (?, ?, ?, ?, ?, ?)'
		),
		appointment: db.prepare(
			'INSERT INTO appointments (id, dossier_k, start_day, item) VALUES (?, ?, ?, ?)'
		),
		hospitalisation: db.prepare(
			'INSERT INTO hospitalisations (id, dossier_k, entree, sortie, item) VALUES (?, ?, ?, ?, ?)'
		),
		careCircle: db.prepare(`INSERT INTO care_circle (id, dossier_k, type, structure_id, debut, fin,
			item) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		response: db.prepare(
			'INSERT INTO responses (id, dossier_k, form_id, date_day, item) VALUES (?, ?, ?, ?, ?)'
		)
	};

	function parent(dossierId: string): { k: number; patient: Patient } {
		const d = dossiers.get(dossierId);
		if (d === undefined)
			throw new Error(`dossier ${dossierId} inconnu : chargez-le avant ses lignes`);
		return d;
	}

	return {
		dossierKey: (dossierId) => parent(dossierId).k,
		structure(s: SandboxStructure) {
			ins.structure.run(s.id, s.name);
		},
		account(a: SandboxAccount) {
			ins.account.run(a.token, a.userId, a.userName, a.structureId);
		},
		catalogue(thematics: Thematic[]) {
			thematics.forEach((t, i) => ins.thematic.run(i, JSON.stringify(t)));
		},
		dossier(d: Dossier) {
			const createdMs = msOf(d.createdAt);
			const k = Number(
				ins.dossier.run(
					d.dossierId,
					createdMs,
					parisDay(createdMs),
					d.archivedAt,
					JSON.stringify(d)
				).lastInsertRowid
			);
			dossiers.set(d.dossierId, { k, patient: d.patient });
			d.statusEvents.forEach((e, seq) => {
				const ms = msOf(e.at);
				ins.event.run(k, seq, e.at, ms, parisDay(ms), e.status);
			});
		},
		appointment(a: AppointmentRow) {
			const { k, patient } = parent(a.dossierId);
			ins.appointment.run(a.id, k, parisDay(a.start), itemJson(a, patient));
		},
		hospitalisation(h: HospitalisationRow) {
			const { k, patient } = parent(h.dossierId);
			ins.hospitalisation.run(h.id, k, h.entree, h.sortie, itemJson(h, patient));
		},
		careCircle(c: CareCircleRow) {
			const { k, patient } = parent(c.dossierId);
			// structureId is the sandbox's own bookkeeping, not part of the contract.
			const { structureId, ...member } = c;
			ins.careCircle.run(c.id, k, c.type, structureId, c.debut, c.fin, itemJson(member, patient));
		},
		response(r: ResponseRow) {
			const { k, patient } = parent(r.dossierId);
			ins.response.run(r.id, k, r.formId, parisDay(r.date), itemJson(r, patient));
		}
	};
}

// --- On-disk cache -------------------------------------------------------------------------------

export function cacheFileName(scale: Scale, seed: number): string {
	return `sandbox-g${GENERATOR_VERSION}-s${SCHEMA_VERSION}-${scale}-${seed}.sqlite`;
}

export interface OpenOptions {
	scale: Scale;
	seed: number;
	cacheDir?: string;
	/** Progress of a (re)generation; never called when the cache is used. */
	onProgress?: (done: number) => void;
}

export interface OpenedDb {
	db: SqliteDb;
	path: string;
	/** Set when the file had to be generated. */
	generated: { ms: number; bytes: number; summary: GenerateSummary } | null;
}

function isCurrent(path: string): boolean {
	try {
		const db = new Database(path, { readonly: true, fileMustExist: true });
		try {
			const row = db.prepare("SELECT value FROM meta WHERE key = 'version'").get() as
				{ value: string } | undefined;
			return row?.value === `${GENERATOR_VERSION}.${SCHEMA_VERSION}`;
		} finally {
			db.close();
		}
	} catch {
		return false;
	}
}

/** Generates (scale, seed) into `path`, through a temporary file so readers never see half a db. */
export function generateDbFile(
	path: string,
	options: Omit<OpenOptions, 'cacheDir'>
): GenerateSummary {
	mkdirSync(dirname(path), { recursive: true });
	const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
	const db = new Database(tmp);
	try {
		// A throw-away build: no journal, no fsync.
		db.pragma('journal_mode = OFF');
		db.pragma('synchronous = OFF');
		db.pragma('cache_size = -262144');
		createSchema(db);
		const sink = createDbSink(db);
		const summary = db.transaction(() => generate(sink, options))();
		createIndexes(db);
		const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
		meta.run('version', `${GENERATOR_VERSION}.${SCHEMA_VERSION}`);
		meta.run('scale', options.scale);
		meta.run('seed', String(options.seed));
		db.close();
		renameSync(tmp, path);
		return summary;
	} catch (error) {
		if (db.open) db.close();
		if (existsSync(tmp)) unlinkSync(tmp);
		throw error;
	}
}

/** Removes cache files of the same scale and seed left by older versions. */
function removeStale(dir: string, scale: Scale, seed: number, keep: string): void {
	const suffix = `-${scale}-${seed}.sqlite`;
	for (const name of readdirSync(dir)) {
		if (name.startsWith('sandbox-') && name.endsWith(suffix) && name !== keep) {
			try {
				unlinkSync(join(dir, name));
			} catch {
				// Another process may hold or have removed it: harmless.
			}
		}
	}
}

/** Opens the cached database of (scale, seed) read-only, generating it first if needed. */
export function openSandboxDb(options: OpenOptions): OpenedDb {
	const dir = options.cacheDir ?? DEFAULT_CACHE_DIR;
	const name = cacheFileName(options.scale, options.seed);
	const path = join(dir, name);
	let generated: OpenedDb['generated'] = null;
	if (!isCurrent(path)) {
		const t0 = performance.now();
		const summary = generateDbFile(path, options);
		generated = { ms: performance.now() - t0, bytes: statSync(path).size, summary };
		removeStale(dir, options.scale, options.seed, name);
	}
	const db = new Database(path, { readonly: true, fileMustExist: true });
	return { db, path, generated };
}
