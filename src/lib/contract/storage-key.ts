import * as v from 'valibot';

/** One key per (user, structure), 32 bytes in base64url without padding; a new `keyId` on rotation. */
export const StorageKeySchema = v.object({
	keyId: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
	key: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/))
});
export type StorageKey = v.InferOutput<typeof StorageKeySchema>;
