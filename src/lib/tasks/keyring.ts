/**
 * The key hierarchy of a kept ZIP (SPEC §7): the API's per-(user, structure) storage key
 * (§8 `storage-key`) → HKDF-SHA-256 → a key-wrapping key, in memory only → each task's own
 * AES-GCM data key, stored only wrapped (AES-GCM, bound to the task id). Nothing on disk
 * decrypts without the storage key, which only the user's live session can fetch: another user
 * of the browser profile, or someone holding the disk, reads nothing.
 */
import type { StorageKey } from '../contract/spico';
import { MESSAGES, TaskDataError } from './crypto';
import type { TaskScope } from './model';

/** What the wrapping key is derived with; changing it makes every kept ZIP unreadable. */
const HKDF_SALT = new TextEncoder().encode('extractions-brutes/wrapping-key/v1');
const IV_BYTES = 12;

/** A task's data key as stored: AES-GCM-wrapped under the wrapping key. */
export interface WrappedKey {
	iv: Uint8Array<ArrayBuffer>;
	data: ArrayBuffer;
}

function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> {
	const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

/** The user, the structure and the key id are bound in: a key served for another scope fails. */
function hkdfInfo(scope: TaskScope, keyId: string): Uint8Array<ArrayBuffer> {
	return new TextEncoder().encode(JSON.stringify([scope.userId, scope.structureId, keyId]));
}

/**
 * The key-wrapping key of (scope, storage key): non-extractable, wrap and unwrap only. The raw
 * bytes are wiped once imported; the CryptoKey lives in memory for the session and is never
 * written (IndexedDB would keep a CryptoKey's raw bytes on disk, extractable or not).
 */
export async function deriveWrappingKey(
	storageKey: StorageKey,
	scope: TaskScope
): Promise<CryptoKey> {
	const raw = base64UrlBytes(storageKey.key);
	try {
		const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey']);
		return await crypto.subtle.deriveKey(
			{ name: 'HKDF', hash: 'SHA-256', salt: HKDF_SALT, info: hkdfInfo(scope, storageKey.keyId) },
			base,
			{ name: 'AES-GCM', length: 256 },
			false,
			['wrapKey', 'unwrapKey']
		);
	} finally {
		raw.fill(0);
	}
}

function wrapData(taskId: string): Uint8Array<ArrayBuffer> {
	return new TextEncoder().encode(`extractions-brutes/data-key/${taskId}`);
}

/**
 * A fresh data key for one task. Extractable only so that it can be wrapped: it lives in memory
 * for the encryption of the task's ZIP, and only its wrapped form is stored.
 */
export function newDataKey(): Promise<CryptoKey> {
	return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
}

export async function wrapDataKey(
	wrappingKey: CryptoKey,
	dataKey: CryptoKey,
	taskId: string
): Promise<WrappedKey> {
	const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
	const data = await crypto.subtle.wrapKey('raw', dataKey, wrappingKey, {
		name: 'AES-GCM',
		iv,
		additionalData: wrapData(taskId)
	});
	return { iv, data };
}

/**
 * The task's data key back, non-extractable and decrypt-only, or TaskDataError('key-mismatch')
 * when this wrapping key did not wrap it (a storage key changed under the same id, another
 * user's or structure's key, a wrapped key moved to another task).
 */
export async function unwrapDataKey(
	wrappingKey: CryptoKey,
	wrapped: WrappedKey,
	taskId: string
): Promise<CryptoKey> {
	try {
		return await crypto.subtle.unwrapKey(
			'raw',
			wrapped.data,
			wrappingKey,
			{ name: 'AES-GCM', iv: wrapped.iv, additionalData: wrapData(taskId) },
			{ name: 'AES-GCM', length: 256 },
			false,
			['decrypt']
		);
	} catch {
		throw new TaskDataError('key-mismatch', MESSAGES['key-mismatch']);
	}
}

/** Where the storage key stands for this session. */
export type KeyringState =
	| { kind: 'unknown' }
	| { kind: 'ready'; keyId: string }
	/** The API answered 404: it offers no storage key, so no ZIP is kept or read. */
	| { kind: 'absent' }
	/** The last attempt failed (network, 401, 5xx, a malformed answer): asked again next time. */
	| { kind: 'unavailable' };

export type WrappingKey = { kind: 'ready'; keyId: string; key: CryptoKey };
export type KeyringAnswer = WrappingKey | { kind: 'absent' } | { kind: 'unavailable' };

export interface StorageKeyring {
	/** The state as last known, for listing tasks without a request. */
	readonly state: KeyringState;
	/** The wrapping key, fetched and derived once per session; retried after a failure. */
	wrappingKey(): Promise<KeyringAnswer>;
}

/** Fetches the storage key (null on 404), e.g. `(signal) => client.storageKey(sid, signal)`. */
export type StorageKeySource = () => Promise<StorageKey | null>;

/** The keyring of one (user, structure) session: the key is asked of the API, never stored. */
export function apiKeyring(scope: TaskScope, source: StorageKeySource): StorageKeyring {
	let state: KeyringState = { kind: 'unknown' };
	let ready: WrappingKey | null = null;
	let pending: Promise<KeyringAnswer> | null = null;

	const fetchKey = async (): Promise<KeyringAnswer> => {
		try {
			const storageKey = await source();
			if (storageKey === null) {
				state = { kind: 'absent' };
				return state;
			}
			const key = await deriveWrappingKey(storageKey, scope);
			ready = { kind: 'ready', keyId: storageKey.keyId, key };
			state = { kind: 'ready', keyId: storageKey.keyId };
			return ready;
		} catch {
			state = { kind: 'unavailable' };
			return state;
		}
	};

	return {
		get state() {
			return state;
		},
		wrappingKey() {
			if (ready) return Promise.resolve(ready);
			if (state.kind === 'absent') return Promise.resolve(state);
			pending ??= fetchKey().finally(() => (pending = null));
			return pending;
		}
	};
}
