// ZIP entries deflated as their bytes arrive, either by the platform's CompressionStream (a third
// faster than fflate in Chromium, and it computes the CRC too) or by fflate's synchronous Deflate
// (no blob: workers).
import { Deflate, type AsyncFlateStreamHandler, type ZipInputFile } from 'fflate';
import { Crc32 } from './crc32';

export type DeflateEngine = 'native' | 'fflate';

/** ZIP fields hold 32-bit sizes and fflate writes no ZIP64. */
export const ZIP32_LIMIT = 0xffffffff;

/**
 * ZIP (DOS) times start in 1980 and fflate refuses years past 2099: a machine clock set before
 * 1980 must still give a valid archive. Local time, as fflate writes it.
 */
export function clampZipTime(time: Date | number | undefined): number {
	const t = time === undefined ? Date.now() : typeof time === 'number' ? time : time.getTime();
	const min = new Date(1980, 0, 1, 0, 0, 0).getTime();
	const max = new Date(2099, 11, 31, 23, 59, 58).getTime();
	return Number.isFinite(t) ? Math.min(Math.max(t, min), max) : min;
}

let nativeDeflateRaw: boolean | undefined;

/**
 * Whether this runtime has `CompressionStream('deflate-raw')` (Chromium 103+, Firefox 113+,
 * Safari 16.4+) — and 'gzip', older, which the native engine uses.
 */
export function hasNativeDeflateRaw(): boolean {
	if (nativeDeflateRaw === undefined) {
		try {
			new CompressionStream('deflate-raw');
			new CompressionStream('gzip');
			nativeDeflateRaw = true;
		} catch {
			// Absent (ReferenceError) or without this format (TypeError).
			nativeDeflateRaw = false;
		}
	}
	return nativeDeflateRaw;
}

/** Thrown when a part would not fit in a ZIP without ZIP64. */
export class ZipSizeError extends Error {
	constructor(what: string) {
		super(
			`${what} dépasse 4 Go, la taille maximale d'un fichier Excel : ` +
				'réduisez la période ou le nombre de formulaires.'
		);
		this.name = 'ZipSizeError';
	}
}

interface Compressor {
	push(chunk: Uint8Array): Promise<void> | void;
	end(): Promise<void> | void;
	/** The CRC-32 of everything pushed, when the compressor computes it itself (gzip). */
	readonly crc?: number;
}

function fflateCompressor(level: number, out: (chunk: Uint8Array) => void): Compressor {
	const d = new Deflate({ level: level as 6 }, (chunk) => out(chunk));
	return {
		push: (chunk) => d.push(chunk, false),
		end: () => d.push(new Uint8Array(0), true)
	};
}

const GZIP_HEADER = 10;
const GZIP_TRAILER = 8;

/**
 * Browsers deflate a chunk within `write()`, as the Streams spec has it: once the write resolves
 * the bytes may be reused. Node's CompressionStream acknowledges a small write at once and zlib
 * reads it later in its thread pool: there the compressor is given its own copy.
 */
const WRITES_RESOLVE_EARLY =
	typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node ===
	'string';

/**
 * The platform's deflate, in gzip format: its trailer carries the CRC-32 of the input, computed
 * natively (a JS CRC cost as much as a third of the deflate). The 10-byte header and the 8-byte
 * trailer are cut off, leaving the raw deflate stream a ZIP entry holds.
 */
function nativeCompressor(out: (chunk: Uint8Array) => void): Compressor {
	const stream = new CompressionStream('gzip');
	const writer = stream.writable.getWriter();
	const reader = stream.readable.getReader();
	let header = GZIP_HEADER;
	// The last 8 bytes seen so far: the trailer, once the stream ends.
	let tail = new Uint8Array(0);
	let crc: number | undefined;
	const take = (chunk: Uint8Array): void => {
		if (header > 0) {
			// zlib writes no optional field (FLG = 0): the header is exactly 10 bytes.
			if (header === GZIP_HEADER && chunk.length > 3 && chunk[3] !== 0) {
				throw new Error('En-tête gzip inattendu');
			}
			const skip = Math.min(header, chunk.length);
			header -= skip;
			chunk = chunk.subarray(skip);
		}
		if (chunk.length >= GZIP_TRAILER) {
			if (tail.length) out(tail);
			out(chunk.subarray(0, chunk.length - GZIP_TRAILER));
			tail = chunk.slice(chunk.length - GZIP_TRAILER);
			return;
		}
		const joined = new Uint8Array(tail.length + chunk.length);
		joined.set(tail);
		joined.set(chunk, tail.length);
		const keep = Math.max(0, joined.length - GZIP_TRAILER);
		if (keep) out(joined.subarray(0, keep));
		tail = joined.slice(keep);
	};
	// The readable side must be drained concurrently, or writes stall on backpressure.
	const pump = (async () => {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			take(value);
		}
		if (tail.length !== GZIP_TRAILER) throw new Error('Flux gzip tronqué');
		crc = (tail[0]! | (tail[1]! << 8) | (tail[2]! << 16) | (tail[3]! << 24)) >>> 0;
	})();
	pump.catch(() => {}); // surfaced by end(); avoids an unhandled rejection meanwhile
	return {
		push: (chunk) =>
			writer.write((WRITES_RESOLVE_EARLY ? chunk.slice() : chunk) as Uint8Array<ArrayBuffer>),
		end: async () => {
			await writer.close();
			await pump;
		},
		get crc() {
			return crc;
		}
	};
}

/** A ZIP entry (fflate `ZipInputFile`) fed with uncompressed bytes, deflated as they come. */
export class DeflatedEntry implements ZipInputFile {
	readonly filename: string;
	readonly compression = 8;
	readonly mtime: number;
	size = 0;
	crc = 0;
	ondata?: AsyncFlateStreamHandler;
	/** JS CRC, for a compressor that does not give one. */
	readonly #crc: Crc32 | null;
	readonly #compressor: Compressor;
	readonly #limit: number;
	readonly #label: string;

	constructor(options: {
		filename: string;
		engine: DeflateEngine;
		level: number;
		mtime: number;
		limit?: number;
		/** What the size error names, e.g. `La feuille « RDV »`. */
		label?: string;
	}) {
		this.filename = options.filename;
		this.mtime = options.mtime;
		this.#limit = options.limit ?? ZIP32_LIMIT;
		this.#label = options.label ?? `La partie « ${options.filename} »`;
		const out = (chunk: Uint8Array): void => {
			if (chunk.length > 0) this.#emit(chunk, false);
		};
		this.#compressor =
			options.engine === 'native' ? nativeCompressor(out) : fflateCompressor(options.level, out);
		this.#crc = options.engine === 'native' ? null : new Crc32();
	}

	/** Adds uncompressed bytes; the caller may reuse them once the promise resolves. */
	async push(chunk: Uint8Array): Promise<void> {
		if (this.size + chunk.length > this.#limit) {
			throw new ZipSizeError(`${this.#label}, une fois décompressée,`);
		}
		this.#crc?.update(chunk);
		this.size += chunk.length;
		await this.#compressor.push(chunk);
	}

	/** Flushes the compressor and tells the ZIP the entry is complete. */
	async end(): Promise<void> {
		await this.#compressor.end();
		const crc = this.#crc ? this.#crc.digest() : this.#compressor.crc;
		if (crc === undefined) throw new Error('CRC-32 manquant');
		this.crc = crc;
		// Size and CRC are read by the ZIP when the final chunk arrives.
		this.#emit(new Uint8Array(0), true);
	}

	#emit(chunk: Uint8Array, final: boolean): void {
		if (!this.ondata) throw new Error('Entry not added to a ZIP');
		this.ondata(null, chunk as Uint8Array<ArrayBuffer>, final);
	}
}
