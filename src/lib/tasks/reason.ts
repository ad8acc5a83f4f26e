/**
 * The reason of a failure as it is kept in a task and posted in the audit event (SPEC §8): the
 * module's own short message. Messages are built from the module's words (the API client never
 * quotes the API's free text), and this bound holds whatever reaches here, labels included.
 */
import { cutUnits } from '../core/xlsx/xml';

export const MAX_REASON_LENGTH = 300;

/** One line, at most MAX_REASON_LENGTH characters, cut with « … » when longer. */
export function shortReason(message: string): string {
	const line = message.replace(/\s+/g, ' ').trim();
	if (line.length <= MAX_REASON_LENGTH) return line;
	return `${cutUnits(line, MAX_REASON_LENGTH - 1)}…`;
}
