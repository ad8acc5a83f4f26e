/**
 * The sandbox's `GET /structures/{sid}/storage-key` (SPEC §8): a stable key per (user,
 * structure), derived from a fixed secret so that restarting the sandbox gives the same key and
 * a ZIP kept yesterday still decrypts today. Synthetic like everything here: anyone who reads
 * this file can compute a sandbox user's key, which is fine for demo data and never for a real
 * platform (its keys are random and stored server-side).
 */
import { createHmac } from 'node:crypto';

export const SANDBOX_STORAGE_KEY_ID = 'sandbox-1';
const SECRET = 'extractions-brutes sandbox storage key';

/** base64url(HMAC-SHA-256(secret, `${userId}:${structureId}`)): 43 characters, 32 bytes. */
export function storageKeyFor(userId: string, structureId: string): string {
	return createHmac('sha256', SECRET).update(`${userId}:${structureId}`).digest('base64url');
}

/** The body of a 200; the route has checked the token and the structure already. */
export function storageKeyBody(userId: string, structureId: string) {
	return { keyId: SANDBOX_STORAGE_KEY_ID, key: storageKeyFor(userId, structureId) };
}
