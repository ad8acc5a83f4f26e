/**
 * Tasks written before the request carried a `period` and its `kinds` hold
 * `{ from, to, files: { administratif, …, thematiques }, statuts }`: read into today's shape by
 * the database's version 2 upgrade, so the Tâches view never meets the old one.
 */
import { FILE_KINDS, type FileKind } from '../core/file-kinds';
import type { ExtractionRequest } from '../core/request';

interface LegacyRequest {
	from: string;
	to: string;
	archived: boolean;
	statuses: ExtractionRequest['statuses'];
	files: Partial<Record<Exclude<FileKind, 'statuts'>, boolean>>;
	statuts: boolean;
	forms: ExtractionRequest['forms'];
	/** Pseudonymised tasks (SPEC §13) of the old shape: kept as they were. */
	pseudonymise?: ExtractionRequest['pseudonymise'];
}

export function upgradeRequest(stored: ExtractionRequest | LegacyRequest): ExtractionRequest {
	if ('period' in stored) return stored;
	const asked: Record<string, boolean | undefined> = { ...stored.files, statuts: stored.statuts };
	return {
		period: { from: stored.from, to: stored.to },
		archived: stored.archived,
		statuses: stored.statuses,
		kinds: FILE_KINDS.filter((k) => asked[k] === true),
		forms: stored.forms,
		...(stored.pseudonymise
			? { pseudonymise: { keepFreeText: stored.pseudonymise.keepFreeText } }
			: {})
	};
}
