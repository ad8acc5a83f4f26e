/**
 * The sandbox's `GET /structures/{sid}/storage-key` (SPEC §8): a key per (user, structure),
 * derived rather than stored so that it is stable across restarts and the same on every machine.
 * Synthetic: it protects nothing real.
 */
import { createHmac } from 'node:crypto';

const SECRET = 'extractions-brutes sandbox storage key';
export const SANDBOX_STORAGE_KEY_ID = 'sandbox-1';

/** base64url(HMAC-SHA-256(secret, userId + ":" + structureId)): 32 bytes, 43 characters. */
export function storageKeyFor(userId: string, structureId: string): string {
	return createHmac('sha256', SECRET).update(`${userId}:${structureId}`).digest('base64url');
}
