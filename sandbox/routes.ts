// The API's routes (SPEC §8): /me, the catalogue, the lists and the audit events.
import type { IncomingMessage } from 'node:http';
import * as v from 'valibot';
import { ExtractionEventSchema, type ListName } from '../src/lib/contract/spico.ts';
import type { FaultInjector } from './faults.ts';
import { tokenGeneration } from './faults.ts';
import { bearer, json, Problem, UNAUTHORIZED_HEADERS, readJson, type Reply } from './http.ts';
import { encodeCursor, parseListQuery } from './list-query.ts';
import { openApiDocument } from './openapi.ts';
import type { StoredExtractionEvent } from './server.ts';
import { SANDBOX_STORAGE_KEY_ID, storageKeyFor } from './storage-key.ts';
import type { SandboxStore } from './store.ts';

/** What the routes read and change. */
export interface ApiState {
	readonly store: SandboxStore;
	readonly faults: FaultInjector;
	readonly events: StoredExtractionEvent[];
	/** Where the API is mounted, e.g. `/api/v1`. */
	readonly mount: string;
	/** false: `storage-key` answers 404, as a platform that does not offer it. */
	readonly storageKey: boolean;
	/** The scope's "today", `YYYY-MM-DD`. */
	today(): string;
	nextEventId(): string;
}

type Route =
	| { kind: 'me' }
	| { kind: 'thematics'; sid: string }
	| { kind: 'list'; sid: string; list: ListName; formId?: string }
	| { kind: 'events'; sid: string }
	| { kind: 'storage-key'; sid: string };

const LISTS: ReadonlySet<string> = new Set([
	'dossiers',
	'appointments',
	'hospitalisations',
	'care-circle'
]);

function matchRoute(path: string): { route: Route; method: 'GET' | 'POST' } | null {
	if (path === '/me') return { route: { kind: 'me' }, method: 'GET' };
	const parts = path.split('/').slice(1);
	if (parts[0] !== 'structures' || parts.length < 3) return null;
	let segs: string[];
	try {
		segs = parts.map(decodeURIComponent);
	} catch {
		return null;
	}
	const sid = segs[1] as string;
	if (!sid) return null;
	if (segs.length === 3) {
		const name = segs[2] as string;
		if (name === 'thematics') return { route: { kind: 'thematics', sid }, method: 'GET' };
		if (name === 'extraction-events') return { route: { kind: 'events', sid }, method: 'POST' };
		if (name === 'storage-key') return { route: { kind: 'storage-key', sid }, method: 'GET' };
		if (LISTS.has(name)) {
			return { route: { kind: 'list', sid, list: name as ListName }, method: 'GET' };
		}
	}
	if (segs.length === 5 && segs[2] === 'forms' && segs[4] === 'responses' && segs[3]) {
		return { route: { kind: 'list', sid, list: 'responses', formId: segs[3] }, method: 'GET' };
	}
	return null;
}

export async function apiReply(
	state: ApiState,
	req: IncomingMessage,
	url: URL,
	path: string
): Promise<Reply> {
	const { store, faults, events, mount } = state;
	if (path === '/openapi.json' && (req.method === 'GET' || req.method === 'HEAD')) {
		return { status: 200, body: openApiDocument() };
	}
	const matched = matchRoute(path);
	if (!matched) throw new Problem(404, `Aucune ressource à l’adresse ${path}.`);
	if (req.method !== matched.method && !(req.method === 'HEAD' && matched.method === 'GET')) {
		throw new Problem(
			405,
			`Méthode ${req.method} non autorisée ici.`,
			{},
			{ Allow: matched.method }
		);
	}
	const token = bearer(req);
	// `sandbox-alice.2` is a refreshed `sandbox-alice`: the same account.
	const account = token === null ? undefined : store.account(tokenGeneration(token).base);
	if (!account) {
		throw new Problem(
			401,
			token === null ? 'Jeton d’accès manquant.' : 'Jeton d’accès inconnu ou expiré.',
			{},
			UNAUTHORIZED_HEADERS
		);
	}
	const { route } = matched;
	if (route.kind === 'me') {
		const name = account.structureId ? store.structureName(account.structureId) : undefined;
		return json(200, {
			user: { id: account.userId, name: account.userName },
			account:
				account.structureId && name
					? { type: 'structure', structureId: account.structureId, structureName: name }
					: { type: 'personal' }
		});
	}
	if (route.sid !== account.structureId) {
		throw new Problem(403, 'Ce compte n’a pas accès aux données de cette structure.');
	}
	if (route.kind === 'thematics') return json(200, { items: store.catalogue() });
	if (route.kind === 'storage-key') {
		if (!state.storageKey) throw new Problem(404, 'Ce serveur ne fournit pas de clé de stockage.');
		return json(200, {
			keyId: SANDBOX_STORAGE_KEY_ID,
			key: storageKeyFor(account.userId, route.sid)
		});
	}
	if (route.kind === 'events') {
		const parsed = v.safeParse(ExtractionEventSchema, await readJson(req));
		if (!parsed.success) {
			const issue = parsed.issues[0];
			const field = (issue.path ?? []).map((p) => String(p.key)).join('.') || '(racine)';
			throw new Problem(
				422,
				`Événement d’extraction invalide, champ « ${field} » : ${issue.message}.`,
				{
					invalidParams: [{ name: field, reason: issue.message }]
				}
			);
		}
		if (parsed.output.userId !== account.userId) {
			throw new Problem(
				422,
				'Événement d’extraction invalide : userId ne correspond pas au compte.',
				{
					invalidParams: [{ name: 'userId', reason: 'ne correspond pas au compte' }]
				}
			);
		}
		// A retried POST (same id) is acknowledged again but recorded once.
		const eventId = parsed.output.id;
		const known =
			eventId === undefined
				? undefined
				: events.find((e) => e.structureId === route.sid && e.event.id === eventId);
		if (known) {
			return json(
				200,
				{ id: known.id },
				{
					Location: `${mount}/structures/${encodeURIComponent(route.sid)}/extraction-events/${known.id}`
				}
			);
		}
		const stored: StoredExtractionEvent = {
			id: state.nextEventId(),
			structureId: route.sid,
			receivedAt: new Date().toISOString(),
			event: parsed.output
		};
		events.push(stored);
		return json(
			201,
			{ id: stored.id },
			{
				Location: `${mount}/structures/${encodeURIComponent(route.sid)}/extraction-events/${stored.id}`
			}
		);
	}
	if (route.formId !== undefined && !store.hasForm(route.formId)) {
		throw new Problem(404, `Formulaire « ${route.formId} » inconnu.`);
	}
	const { request, fingerprint } = parseListQuery(
		url,
		route.sid,
		route.list,
		route.formId,
		state.today()
	);
	const mutation = faults.mutation(route.list);
	if (mutation && request.afterKey) store.mutate(request, mutation);
	const page = store.page(request);
	faults.malform(route.list, page.items);
	const nextCursor =
		page.more && page.lastKey !== null ? encodeCursor(page.lastKey, fingerprint) : null;
	// Items are stored as served JSON: the page is assembled, never re-serialised.
	const items = page.items.join(',');
	const total = faults.announcedTotal(route.list) ?? page.total;
	const body = `{"items":[${items}],"nextCursor":${JSON.stringify(nextCursor)},"total":${total}}`;
	return { status: 200, body };
}
