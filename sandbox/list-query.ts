// A list's query string (filters, limit, cursor) checked and turned into the store's request.
import { createHash } from 'node:crypto';
import {
	PAGE_LIMIT_MAX,
	STATUS_CODES,
	isIsoDate,
	type ListName,
	type StatusCode
} from '../src/lib/contract/spico.ts';
import { Problem, type InvalidParam } from './http.ts';
import type { ListRequest } from './store.ts';

export const DEFAULT_PAGE_LIMIT = 1000;

interface ParsedQuery {
	request: ListRequest;
	fingerprint: string;
}

export function encodeCursor(key: number, fingerprint: string): string {
	return Buffer.from(JSON.stringify([key, fingerprint])).toString('base64url');
}

function decodeCursor(cursor: string, fingerprint: string): number | null {
	try {
		const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
		if (!Array.isArray(value) || value.length !== 2) return null;
		const [key, fp] = value as [unknown, unknown];
		if (typeof key !== 'number' || !Number.isInteger(key) || key < 0) return null;
		return fp === fingerprint ? key : null;
	} catch {
		return null;
	}
}

export function parseListQuery(
	url: URL,
	structureId: string,
	list: ListName,
	formId: string | undefined,
	today: string
): ParsedQuery {
	const q = url.searchParams;
	const errors: InvalidParam[] = [];
	const bad = (name: string, reason: string) => errors.push({ name, reason });

	const date = (name: 'from' | 'to', label: string): string => {
		const value = q.get(name);
		if (value === null || value === '') bad(name, `${label} manquante (format AAAA-MM-JJ)`);
		else if (!isIsoDate(value)) bad(name, `${label} invalide : « ${value} » (format AAAA-MM-JJ)`);
		return value ?? '';
	};
	const from = date('from', 'date de début');
	const to = date('to', 'date de fin');
	if (isIsoDate(from) && isIsoDate(to) && from > to) {
		bad('from', 'la date de début est postérieure à la date de fin (« to »)');
	}

	const archivedRaw = q.get('archived') ?? 'false';
	if (archivedRaw !== 'true' && archivedRaw !== 'false') {
		bad('archived', `valeur attendue true ou false, reçu « ${archivedRaw} »`);
	}

	const statuses = q.getAll('status');
	if (statuses.length === 0) bad('status', 'au moins un statut est requis');
	for (const s of statuses) {
		if (!(STATUS_CODES as readonly string[]).includes(s)) {
			bad('status', `statut inconnu « ${s} » (attendus : ${STATUS_CODES.join(', ')})`);
		}
	}

	const limitRaw = q.get('limit');
	const limit = limitRaw === null ? DEFAULT_PAGE_LIMIT : Number(limitRaw);
	if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX || limitRaw === '') {
		bad('limit', `entier attendu entre 1 et ${PAGE_LIMIT_MAX}, reçu « ${limitRaw} »`);
	}

	// The cursor belongs to one query (limit aside): reusing it elsewhere is an error.
	const fingerprint = createHash('sha1')
		.update(
			JSON.stringify([
				structureId,
				list,
				formId ?? null,
				from,
				to,
				archivedRaw,
				[...new Set(statuses)].sort()
			])
		)
		.digest('base64url')
		.slice(0, 12);
	const cursor = q.get('cursor');
	let afterKey = 0;
	if (cursor !== null && errors.length === 0) {
		const key = decodeCursor(cursor, fingerprint);
		if (key === null) bad('cursor', 'curseur invalide ou issu d’une autre requête');
		else afterKey = key;
	}

	if (errors.length > 0) {
		const detail = errors.map((e) => `« ${e.name} » : ${e.reason}`).join(' ; ');
		throw new Problem(422, `Filtres invalides — ${detail}.`, { invalidParams: errors });
	}
	return {
		fingerprint,
		request: {
			structureId,
			list,
			formId,
			filters: {
				from,
				to,
				archived: archivedRaw === 'true',
				statuses: statuses as StatusCode[],
				today
			},
			afterKey,
			limit
		}
	};
}
