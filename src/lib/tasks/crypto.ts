/**
 * Encryption at rest of a task's ZIP (SPEC §7): WebCrypto AES-GCM under the task's own 256-bit
 * data key (stored only wrapped, see keyring.ts). The ZIP is cut into chunks, each encrypted with a fresh random IV; the task id,
 * the chunk's index and the number of chunks are authenticated with it (additional data), so
 * a chunk moved to another task or position, a dropped chunk or one flipped bit is refused.
 */

/** 4 MiB: large enough to keep the calls few, small enough to read the ZIP piece by piece. */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
const IV_BYTES = 12;

export interface EncryptedChunk {
	index: number;
	iv: Uint8Array<ArrayBuffer>;
	data: ArrayBuffer;
}

export type TaskDataProblem =
	'not-kept' | 'key-withheld' | 'key-unavailable' | 'key-rotated' | 'key-mismatch' | 'corrupt';

/** A task's file cannot be given back; the message says why, in French, for the user. */
export class TaskDataError extends Error {
	override readonly name = 'TaskDataError';
	constructor(
		readonly problem: TaskDataProblem,
		message: string
	) {
		super(message);
	}
}

export const MESSAGES: Readonly<Record<TaskDataProblem, string>> = {
	'not-kept':
		"Le fichier de cette tâche n'a pas été conservé dans le navigateur : relancez l'extraction.",
	'key-withheld':
		"Fichier illisible : l'API SPICO ne fournit pas de clé de stockage à votre session, sans laquelle il ne peut pas être déchiffré.",
	'key-unavailable':
		"Fichier momentanément illisible : la clé de stockage n'a pas pu être obtenue de l'API SPICO. Rechargez la page pour réessayer.",
	'key-rotated':
		"Fichier illisible : il a été chiffré avec une clé de stockage que l'API SPICO a renouvelée depuis. Supprimez la tâche et relancez l'extraction.",
	'key-mismatch':
		"Fichier illisible : la clé de stockage fournie par l'API SPICO ne le déchiffre pas. Supprimez la tâche et relancez l'extraction.",
	corrupt:
		"Le fichier de cette tâche est altéré ou incomplet : il n'est pas proposé au téléchargement. Supprimez la tâche et relancez l'extraction."
};

function additionalData(bindTo: string, index: number, count: number): Uint8Array<ArrayBuffer> {
	return new TextEncoder().encode(`extractions-brutes/${bindTo}/${index}/${count}`);
}

export interface CipherOptions {
	/** What the chunks belong to (the task id): authenticated, never stored in clear elsewhere. */
	bindTo: string;
	chunkSize?: number;
}

/**
 * Encrypts `blob` chunk by chunk, handing each one to `write` before the next is read: only one
 * chunk is in memory at a time. An empty blob still gives one (authenticated) chunk. Returns how
 * many chunks were written.
 */
export async function encryptBlobInto(
	key: CryptoKey,
	blob: Blob,
	options: CipherOptions,
	write: (chunk: EncryptedChunk) => Promise<unknown>
): Promise<number> {
	const size = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
	const count = Math.max(1, Math.ceil(blob.size / size));
	for (let index = 0; index < count; index++) {
		const plain = await blob.slice(index * size, (index + 1) * size).arrayBuffer();
		const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
		const data = await crypto.subtle.encrypt(
			{ name: 'AES-GCM', iv, additionalData: additionalData(options.bindTo, index, count) },
			key,
			plain
		);
		await write({ index, iv, data });
	}
	return count;
}

/**
 * The ZIP back from its chunks, read one at a time by index (`read`), or a
 * TaskDataError('corrupt') when any chunk is missing, moved or altered: never a partly decrypted
 * file. Each decrypted chunk becomes a Blob at once, so one chunk at a time is held here.
 */
export async function decryptChunksFrom(
	key: CryptoKey,
	read: (index: number) => Promise<EncryptedChunk | undefined>,
	options: { bindTo: string; count: number; type?: string }
): Promise<Blob> {
	const { bindTo, count } = options;
	const parts: Blob[] = [];
	for (let index = 0; index < count; index++) {
		const chunk = await read(index);
		if (!chunk || chunk.index !== index) throw new TaskDataError('corrupt', MESSAGES.corrupt);
		let plain: ArrayBuffer;
		try {
			plain = await crypto.subtle.decrypt(
				{ name: 'AES-GCM', iv: chunk.iv, additionalData: additionalData(bindTo, index, count) },
				key,
				chunk.data
			);
		} catch {
			// OperationError: the tag does not match (altered data, another key).
			throw new TaskDataError('corrupt', MESSAGES.corrupt);
		}
		parts.push(new Blob([plain]));
	}
	return new Blob(parts, { type: options.type ?? 'application/zip' });
}
