import { describe, expect, it } from 'vitest';
import {
	decryptChunksFrom,
	encryptBlobInto,
	type CipherOptions,
	type EncryptedChunk
} from '../../src/lib/tasks/crypto';
import { blobBytes, bytes, problemOf } from './tasks-helpers';

const OPTS = { bindTo: 'task-1', chunkSize: 1000 };

/** A task's data key as it is once unwrapped (keyring.ts): AES-GCM 256, non-extractable. */
const generateZipKey = () =>
	crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);

/** Every chunk, in memory, as the repository would have written them. */
async function encryptBlob(key: CryptoKey, blob: Blob, options: CipherOptions) {
	const chunks: EncryptedChunk[] = [];
	await encryptBlobInto(key, blob, options, async (chunk) => chunks.push(chunk));
	return chunks;
}

/** Decrypts chunks held in memory, each found by its index as the repository reads them. */
function decryptChunks(
	key: CryptoKey,
	chunks: readonly EncryptedChunk[],
	options: { bindTo: string; count: number }
): Promise<Blob> {
	return decryptChunksFrom(key, async (i) => chunks.find((c) => c.index === i), options);
}

describe('encryption of a ZIP', () => {
	it('gives the same bytes back, across several chunks', async () => {
		const key = await generateZipKey();
		const plain = bytes(3500);
		const chunks = await encryptBlob(key, new Blob([plain]), OPTS);
		expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3]);
		const back = await decryptChunks(key, chunks, { bindTo: 'task-1', count: 4 });
		expect(back.type).toBe('application/zip');
		expect(await blobBytes(back)).toEqual(plain);
	});

	it('uses a fresh IV for every chunk and every encryption', async () => {
		const key = await generateZipKey();
		const blob = new Blob([bytes(2000)]);
		const a = await encryptBlob(key, blob, OPTS);
		const b = await encryptBlob(key, blob, OPTS);
		const ivs = [...a, ...b].map((c) => Buffer.from(c.iv).toString('hex'));
		expect(new Set(ivs).size).toBe(4);
		expect(a[0]!.iv).toHaveLength(12);
		// Same plaintext, different IV: different ciphertext, and never the plaintext itself.
		expect(Buffer.from(a[0]!.data).equals(Buffer.from(b[0]!.data))).toBe(false);
		expect(Buffer.from(a[0]!.data).includes(Buffer.from(bytes(2000).subarray(0, 64)))).toBe(false);
	});

	it('keeps an empty ZIP as one authenticated chunk', async () => {
		const key = await generateZipKey();
		const chunks = await encryptBlob(key, new Blob([]), OPTS);
		expect(chunks).toHaveLength(1);
		const back = await decryptChunks(key, chunks, { bindTo: 'task-1', count: 1 });
		expect(back.size).toBe(0);
	});

	it('refuses a flipped byte in the data or in the IV', async () => {
		const key = await generateZipKey();
		const chunks = await encryptBlob(key, new Blob([bytes(2500)]), OPTS);
		const data = new Uint8Array(chunks[1]!.data.slice(0));
		data[17]! ^= 0x01;
		const tampered = chunks.map((c, i) => (i === 1 ? { ...c, data: data.buffer } : c));
		expect(await problemOf(decryptChunks(key, tampered, { bindTo: 'task-1', count: 3 }))).toBe(
			'corrupt'
		);
		const iv = new Uint8Array(chunks[0]!.iv);
		iv[0]! ^= 0x80;
		const badIv = chunks.map((c, i) => (i === 0 ? { ...c, iv } : c));
		expect(await problemOf(decryptChunks(key, badIv, { bindTo: 'task-1', count: 3 }))).toBe(
			'corrupt'
		);
	});

	it('refuses chunks moved, dropped, taken from another task or read with another key', async () => {
		const key = await generateZipKey();
		const chunks = await encryptBlob(key, new Blob([bytes(2500)]), OPTS);
		const [c0, c1, c2] = chunks as [(typeof chunks)[0], (typeof chunks)[0], (typeof chunks)[0]];
		const swapped = [{ ...c0, index: 1 }, { ...c1, index: 0 }, c2];
		expect(await problemOf(decryptChunks(key, swapped, { bindTo: 'task-1', count: 3 }))).toBe(
			'corrupt'
		);
		// The last chunk dropped, and the count lowered to match: the count is authenticated.
		expect(await problemOf(decryptChunks(key, [c0, c1], { bindTo: 'task-1', count: 2 }))).toBe(
			'corrupt'
		);
		expect(await problemOf(decryptChunks(key, [c0, c1], { bindTo: 'task-1', count: 3 }))).toBe(
			'corrupt'
		);
		expect(await problemOf(decryptChunks(key, chunks, { bindTo: 'task-2', count: 3 }))).toBe(
			'corrupt'
		);
		const other = await generateZipKey();
		expect(await problemOf(decryptChunks(other, chunks, { bindTo: 'task-1', count: 3 }))).toBe(
			'corrupt'
		);
	});
});
