// ZIP entries deflated as their bytes arrive, either by the platform's CompressionStream (a third
// faster than fflate in Chromium) or by fflate's synchronous Deflate (no blob: workers).
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

/** Whether this runtime has `CompressionStream('deflate-raw')` (Chromium 103+, Firefox 113+). */
export function hasNativeDeflateRaw(): boolean {
	if (nativeDeflateRaw === undefined) {
		try {
			new CompressionStream('deflate-raw');
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
}

function fflateCompressor(level: number, out: (chunk: Uint8Array) => void): Compressor {
	const d = new Deflate({ level: level as 6 }, (chunk) => out(chunk));
	return {
		push: (chunk) => d.push(chunk, false),
		end: () => d.push(new Uint8Array(0), true)
	};
}

function nativeCompressor(out: (chunk: Uint8Array) => void): Compressor {
	const stream = new CompressionStream('deflate-raw');
	const writer = stream.writable.getWriter();
	const reader = stream.readable.getReader();
	// The readable side must be drained concurrently, or writes stall on backpressure.
	const pump = (async () => {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) return;
			out(value);
		}
	})();
	pump.catch(() => {}); // surfaced by end(); avoids an unhandled rejection meanwhile
	return {
		push: (chunk) => writer.write(chunk as Uint8Array<ArrayBuffer>),
		end: async () => {
			await writer.close();
			await pump;
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
	readonly #crc = new Crc32();
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
	}

	/** Adds uncompressed bytes. */
	async push(chunk: Uint8Array): Promise<void> {
		if (this.size + chunk.length > this.#limit) {
			throw new ZipSizeError(`${this.#label}, une fois décompressée,`);
		}
		this.#crc.update(chunk);
		this.size += chunk.length;
		await this.#compressor.push(chunk);
	}

	/** Flushes the compressor and tells the ZIP the entry is complete. */
	async end(): Promise<void> {
		await this.#compressor.end();
		this.crc = this.#crc.digest();
		// Size and CRC are read by the ZIP when the final chunk arrives.
		this.#emit(new Uint8Array(0), true);
	}

	#emit(chunk: Uint8Array, final: boolean): void {
		if (!this.ondata) throw new Error('Entry not added to a ZIP');
		this.ondata(null, chunk as Uint8Array<ArrayBuffer>, final);
	}
}
