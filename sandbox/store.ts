/**
 * Queries of the sandbox: which dossiers are in scope (SPEC §3, §4, written in SQL so it never
 * shares code with the module's TypeScript), the per-list period filters, keyset pages, totals,
 * and the row mutations used by the `mutateBetweenPages` fault.
 */
import Database from 'better-sqlite3';
import type { ListName, StatusCode, Thematic } from '../src/lib/contract/spico.ts';
import type { SqliteDb } from './db.ts';
import type { SandboxAccount } from './generator.ts';

export interface ScopeFilters {
	from: string;
	to: string;
	archived: boolean;
	statuses: readonly StatusCode[];
	/** Paris day of the extraction: the last status interval is closed at min(to, today) + 1. */
	today: string;
}

export interface ListRequest {
	structureId: string;
	list: ListName;
	/** Required for `responses`. */
	formId?: string;
	filters: ScopeFilters;
	/** Keyset cursor: only rows with a key greater than this one. */
	afterKey?: number;
	limit: number;
}

export interface StorePage {
	/** Items as JSON text, exactly as served. */
	items: string[];
	/** Key of the last item, for the next cursor; null when the page is empty. */
	lastKey: number | null;
	/** True when rows remain after this page. */
	more: boolean;
	total: number;
}

// The scope of one query: file active, archived switch, created on or before `to`, and ≥ 1 day
// in a selected status over [from, end). Intervals are half-open [day, next day); the initial
// "non_renseigne" one runs from the creation day to the first event (sorted first whatever its
// day), the last one to `end` = min(to, today) + 1.
const SCOPE_SQL = `
WITH
p AS (SELECT date(min(:to, :today), '+1 day') AS end_day),
fa AS (
	SELECT DISTINCT dossier_k AS dk FROM care_circle
	WHERE type = 'structure' AND structure_id = :sid
),
cand AS (
	SELECT d.k AS dk, d.created_day, d.created_ms FROM dossiers d JOIN fa ON fa.dk = d.k
	WHERE (:archived = 1 OR d.archived_at IS NULL) AND d.created_day <= :to
),
ev AS (
	SELECT dk, 0 AS later, created_day AS day, created_ms AS at_ms, -1 AS seq,
		'non_renseigne' AS status
	FROM cand
	UNION ALL
	SELECT e.dossier_k, 1, e.day, e.at_ms, e.seq, e.status
	FROM status_events e JOIN cand c ON c.dk = e.dossier_k
),
iv AS (
	SELECT ev.dk, ev.status, ev.day AS s,
		LEAD(ev.day, 1, p.end_day) OVER (
			PARTITION BY ev.dk ORDER BY ev.later, ev.day, ev.at_ms, ev.seq
		) AS e,
		p.end_day
	FROM ev, p
)
INSERT INTO temp.scope (qid, dk)
SELECT DISTINCT :qid, dk FROM iv
WHERE status IN (SELECT value FROM json_each(:statuses))
	AND max(s, :from) < min(e, end_day)
`;

// Per-list period filters (SPEC §3 table), for in-scope dossiers only.
const PERIOD: Readonly<Record<ListName, string>> = {
	dossiers: '1 = 1',
	appointments: 'x.start_day BETWEEN :from AND :to',
	hospitalisations: 'x.entree <= :to AND (x.sortie IS NULL OR x.sortie >= :from)',
	'care-circle': '(x.debut IS NULL OR x.debut <= :to) AND (x.fin IS NULL OR x.fin >= :from)',
	responses: 'x.form_id = :form AND x.date_day BETWEEN :from AND :to'
};

const TABLE: Readonly<Record<ListName, string>> = {
	dossiers: 'dossiers',
	appointments: 'appointments',
	hospitalisations: 'hospitalisations',
	'care-circle': 'care_circle',
	responses: 'responses'
};

/** Columns a copied row keeps as they are (all but `k`, `id`, `item`). */
const COPIED: Readonly<Record<ListName, string>> = {
	dossiers: 'created_ms, created_day, archived_at',
	appointments: 'dossier_k, start_day',
	hospitalisations: 'dossier_k, entree, sortie',
	'care-circle': 'dossier_k, type, structure_id, debut, fin',
	responses: 'dossier_k, form_id, date_day'
};

const LIST_NAMES = Object.keys(TABLE) as ListName[];
const SCOPE_CACHE_SIZE = 64;

interface ScopeEntry {
	qid: number;
	totals: Map<string, number>;
}

type Statement = Database.Statement<unknown[], unknown>;
type Row = Record<string, string | number | null>;

export class SandboxStore {
	#db: SqliteDb;
	#scopeSql!: Statement;
	#dropScope!: Statement;
	#page!: Record<ListName, Statement>;
	#total!: Record<ListName, Statement>;
	#scopes = new Map<string, ScopeEntry>();
	#nextQid = 1;
	#copies = 0;
	readonly #accounts = new Map<string, SandboxAccount>();
	readonly #structures = new Map<string, string>();
	readonly #catalogue: Thematic[];

	constructor(db: SqliteDb) {
		this.#db = db;
		this.#prepare();
		for (const r of db.prepare('SELECT * FROM accounts').all() as Row[]) {
			const token = String(r['token']);
			this.#accounts.set(token, {
				token,
				userId: String(r['user_id']),
				userName: String(r['user_name']),
				structureId: r['structure_id'] === null ? null : String(r['structure_id'])
			});
		}
		for (const r of db.prepare('SELECT id, name FROM structures').all() as Row[]) {
			this.#structures.set(String(r['id']), String(r['name']));
		}
		this.#catalogue = (
			db.prepare('SELECT json FROM thematics ORDER BY position').all() as Row[]
		).map((r) => JSON.parse(String(r['json'])) as Thematic);
	}

	get db(): SqliteDb {
		return this.#db;
	}

	#prepare(): void {
		const db = this.#db;
		// Reads straight from the mapped file; scopes and window sorts stay in memory.
		db.pragma('mmap_size = 2147483648');
		db.pragma('cache_size = -65536');
		db.pragma('temp_store = MEMORY');
		db.exec(`CREATE TEMP TABLE IF NOT EXISTS scope (
			qid INTEGER NOT NULL, dk INTEGER NOT NULL, PRIMARY KEY (qid, dk)) WITHOUT ROWID`);
		this.#scopeSql = db.prepare(SCOPE_SQL);
		this.#dropScope = db.prepare('DELETE FROM temp.scope WHERE qid = ?');
		this.#page = {} as Record<ListName, Statement>;
		this.#total = {} as Record<ListName, Statement>;
		for (const list of LIST_NAMES) {
			if (list === 'dossiers') {
				// The scope table is already in key order: walk it.
				this.#page[list] = db.prepare(`
					SELECT d.k, d.item FROM temp.scope s CROSS JOIN dossiers d
					WHERE s.qid = :qid AND s.dk > :after AND d.k = s.dk
					ORDER BY s.dk LIMIT :limit`);
				this.#total[list] = db.prepare('SELECT count(*) AS n FROM temp.scope WHERE qid = :qid');
				continue;
			}
			// CROSS JOIN pins the join order: walk the list by key, stop after `limit` rows.
			this.#page[list] = db.prepare(`
				SELECT x.k, x.item FROM ${TABLE[list]} x CROSS JOIN temp.scope s
				WHERE x.k > :after AND ${PERIOD[list]} AND s.qid = :qid AND s.dk = x.dossier_k
				ORDER BY x.k LIMIT :limit`);
			this.#total[list] = db.prepare(`
				SELECT count(*) AS n FROM temp.scope s JOIN ${TABLE[list]} x ON x.dossier_k = s.dk
				WHERE s.qid = :qid AND ${PERIOD[list]}`);
		}
	}

	// --- Reference data ---------------------------------------------------------------------------

	account(token: string): SandboxAccount | undefined {
		return this.#accounts.get(token);
	}

	structureName(id: string): string | undefined {
		return this.#structures.get(id);
	}

	catalogue(): Thematic[] {
		return this.#catalogue;
	}

	hasForm(formId: string): boolean {
		return this.#catalogue.some((t) => t.forms.some((f) => f.id === formId));
	}

	// --- Scope --------------------------------------------------------------------------------------

	/** The scope of (structure, filters), computed once into the temp table and then reused. */
	#scope(structureId: string, f: ScopeFilters): ScopeEntry {
		const statuses = [...new Set(f.statuses)].sort();
		const key = JSON.stringify([structureId, f.from, f.to, f.archived, statuses, f.today]);
		const hit = this.#scopes.get(key);
		if (hit) {
			// Most recently used last, so eviction drops the oldest.
			this.#scopes.delete(key);
			this.#scopes.set(key, hit);
			return hit;
		}
		const entry: ScopeEntry = { qid: this.#nextQid++, totals: new Map() };
		this.#scopeSql.run({
			qid: entry.qid,
			sid: structureId,
			from: f.from,
			to: f.to,
			today: f.today,
			archived: f.archived ? 1 : 0,
			statuses: JSON.stringify(statuses)
		});
		this.#scopes.set(key, entry);
		if (this.#scopes.size > SCOPE_CACHE_SIZE) {
			const [oldKey, old] = this.#scopes.entries().next().value as [string, ScopeEntry];
			this.#dropScope.run(old.qid);
			this.#scopes.delete(oldKey);
		}
		return entry;
	}

	/** Ids of the in-scope dossiers, in key order. */
	scopeDossierIds(structureId: string, filters: ScopeFilters): string[] {
		return this.all({ structureId, list: 'dossiers', filters }).map(
			(d) => (d as { dossierId: string }).dossierId
		);
	}

	// --- Pages --------------------------------------------------------------------------------------

	#rows(req: ListRequest, scope: ScopeEntry, limit: number): Row[] {
		return this.#page[req.list].all({
			qid: scope.qid,
			after: req.afterKey ?? 0,
			limit,
			from: req.filters.from,
			to: req.filters.to,
			form: req.formId ?? null
		}) as Row[];
	}

	page(req: ListRequest): StorePage {
		const scope = this.#scope(req.structureId, req.filters);
		// One row more than asked tells whether another page follows.
		const rows = this.#rows(req, scope, req.limit + 1);
		const more = rows.length > req.limit;
		if (more) rows.length = req.limit;
		const last = rows[rows.length - 1];
		return {
			items: rows.map((r) => r['item'] as string),
			lastKey: last ? Number(last['k']) : null,
			more,
			total: this.#totalOf(req, scope)
		};
	}

	#totalOf(req: ListRequest, scope: ScopeEntry): number {
		const key = `${req.list}/${req.formId ?? ''}`;
		let n = scope.totals.get(key);
		if (n === undefined) {
			const row = this.#total[req.list].get({
				qid: scope.qid,
				from: req.filters.from,
				to: req.filters.to,
				form: req.formId ?? null
			}) as Row;
			n = Number(row['n']);
			scope.totals.set(key, n);
		}
		return n;
	}

	/** Every item of a list, parsed (tests and checks). */
	all(req: Omit<ListRequest, 'afterKey' | 'limit'>): unknown[] {
		const out: unknown[] = [];
		let afterKey = 0;
		for (;;) {
			const page = this.page({ ...req, afterKey, limit: 5000 });
			for (const item of page.items) out.push(JSON.parse(item));
			if (!page.more || page.lastKey === null) return out;
			afterKey = page.lastKey;
		}
	}

	// --- Mutations (fault injection) ----------------------------------------------------------------

	/** Swaps a read-only (cached, shared) database for a private in-memory copy before writing. */
	makeWritable(): void {
		if (!this.#db.readonly) return;
		const copy = new Database(this.#db.serialize());
		this.#db.close();
		this.#db = copy;
		this.#scopes.clear();
		this.#prepare();
	}

	/**
	 * Deletes the next `remove` rows a client would get after `afterKey` and appends `insert`
	 * copies of the list's first row under new ids, so keyset paging must still serve every row
	 * exactly once. Scopes and totals are recomputed afterwards. Returns the ids touched.
	 */
	mutate(
		req: ListRequest,
		counts: { insert: number; remove: number }
	): { inserted: string[]; deleted: string[] } {
		this.makeWritable();
		const db = this.#db;
		const table = TABLE[req.list];
		const scope = this.#scope(req.structureId, req.filters);
		let victims = this.#rows(req, scope, counts.remove + 50).map((r) => Number(r['k']));
		if (req.list === 'care-circle') {
			// Never a file-active row: that would drop its dossier, and rows already served.
			const own = db.prepare('SELECT structure_id AS s FROM care_circle WHERE k = ?');
			victims = victims.filter((k) => (own.get(k) as Row)['s'] === null);
		}
		victims = victims.slice(0, counts.remove);
		const source = this.#rows({ ...req, afterKey: 0 }, scope, 1)[0];
		const idOf = db.prepare(`SELECT id FROM ${table} WHERE k = ?`).pluck();
		const result = { inserted: [] as string[], deleted: [] as string[] };
		db.transaction(() => {
			for (const k of victims) {
				result.deleted.push(String(idOf.get(k)));
				if (req.list === 'dossiers')
					db.prepare('DELETE FROM status_events WHERE dossier_k = ?').run(k);
				db.prepare(`DELETE FROM ${table} WHERE k = ?`).run(k);
			}
			for (let i = 0; source && i < counts.insert; i++) {
				result.inserted.push(this.#copy(req.list, Number(source['k'])));
			}
		})();
		// Scopes and totals may all have changed.
		db.exec('DELETE FROM temp.scope');
		this.#scopes.clear();
		return result;
	}

	#copy(list: ListName, key: number): string {
		const db = this.#db;
		const n = String(++this.#copies).padStart(5, '0');
		const idField = list === 'dossiers' ? '$.dossierId' : '$.id';
		const newId =
			list === 'dossiers' ? `DOS-M${n}` : `${TABLE[list].slice(0, 3).toUpperCase()}-M${n}`;
		const k = Number(
			db
				.prepare(
					`INSERT INTO ${TABLE[list]} (id, ${COPIED[list]}, item)
					SELECT :id, ${COPIED[list]}, json_set(item, '${idField}', :id) FROM ${TABLE[list]} WHERE k = :key`
				)
				.run({ id: newId, key }).lastInsertRowid
		);
		if (list === 'dossiers') {
			db.prepare(
				`INSERT INTO status_events (dossier_k, seq, at, at_ms, day, status)
				SELECT ?, seq, at, at_ms, day, status FROM status_events WHERE dossier_k = ?`
			).run(k, key);
			// Its care circle too, so that the copy belongs to the same file active.
			db.prepare(
				`INSERT INTO care_circle (id, ${COPIED['care-circle']}, item)
				SELECT :prefix || k, :k, type, structure_id, debut, fin,
					json_set(item, '$.id', :prefix || k, '$.dossierId', :id)
				FROM care_circle WHERE dossier_k = :key`
			).run({ prefix: `CAR-M${n}-`, k, id: newId, key });
		}
		return newId;
	}

	close(): void {
		if (this.#db.open) this.#db.close();
	}
}
