/** The audit trail (SPEC §8): one event per extraction, posted to the platform. */
import * as v from 'valibot';
import { Id, IsoDate, IsoDateTime, STATUS_CODES } from './scalars.ts';

export const EXTRACTION_OUTCOMES = ['done', 'failed', 'cancelled'] as const;
export const ExtractionEventSchema = v.object({
	/**
	 * Chosen by the module (the task's id), so that a POST retried after a lost answer records
	 * the event once: the platform keeps the first event of an id and ignores the others.
	 */
	id: v.optional(Id),
	userId: Id,
	filters: v.object({
		from: IsoDate,
		to: IsoDate,
		archived: v.boolean(),
		statuses: v.array(v.picklist(STATUS_CODES)),
		files: v.array(v.string()),
		forms: v.array(v.string())
	}),
	files: v.array(v.object({ name: v.string(), rows: v.pipe(v.number(), v.integer()) })),
	/** SPEC §13: the files carry pseudonyms instead of identities (absent: identified). */
	pseudonymised: v.optional(v.boolean()),
	outcome: v.picklist(EXTRACTION_OUTCOMES),
	reason: v.optional(v.string()),
	startedAt: IsoDateTime,
	endedAt: IsoDateTime
});
export type ExtractionEvent = v.InferOutput<typeof ExtractionEventSchema>;
