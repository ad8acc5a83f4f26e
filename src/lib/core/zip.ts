// The outer ZIP of finished workbooks. The .xlsx files are already deflated: they are stored
// as they are (recompressing them took 16× longer to gain 0.6%).
import { Crc32 } from './xlsx/crc32';
import { clampZipTime, ZIP32_LIMIT, ZipSizeError } from './xlsx/deflate';

export interface ZipFileInput {
	fileName: string;
	/** The file's bytes as chunks (a workbook's `parts`). */
	parts: readonly Uint8Array[];
}

export interface ZipOptions {
	/** Modification time of the entries (default now; clamped to what ZIP can hold). */
	mtime?: Date | number;
	/** Largest archive in bytes (default 4 GiB − 1: fflate writes no ZIP64); for tests. */
	maxBytes?: number;
}

export interface ZipResult {
	/** The archive's bytes, in order: `new Blob(parts, { type: 'application/zip' })`. */
	parts: Uint8Array[];
	size: number;
}

/** `a.xlsx`, `a (2).xlsx`…: names unique ignoring case, as on Windows and macOS. */
function uniqueFileNames(names: readonly string[]): string[] {
	const taken = new Set<string>();
	return names.map((name) => {
		const dot = name.lastIndexOf('.');
		const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
		let candidate = name;
		for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
		taken.add(candidate.toLowerCase());
		return candidate;
	});
}

export interface StoredZipEntry<B> {
	fileName: string;
	/** Bytes in `body`. */
	size: number;
	/** CRC-32 of `body` (unsigned). */
	crc: number;
	/** The file's bytes, as the caller holds them (chunks, a Blob): never read here. */
	body: B;
}

export interface StoredZipLayout<B> {
	/** Headers and bodies in order: the archive is their concatenation. */
	parts: (Uint8Array | B)[];
	size: number;
}

const encoder = new TextEncoder();

function dosTime(ms: number): number {
	const d = new Date(ms);
	return (
		(((d.getFullYear() - 1980) << 25) |
			((d.getMonth() + 1) << 21) |
			(d.getDate() << 16) |
			(d.getHours() << 11) |
			(d.getMinutes() << 5) |
			(d.getSeconds() >> 1)) >>>
		0
	);
}

/**
 * The archive around bodies it never touches: only the sizes and CRCs are needed, so workbooks
 * held as Blobs are stored without being read or copied. Byte for byte what fflate's `Zip` with
 * `ZipPassThrough` entries writes (data descriptors, UTF-8 flag for non-ASCII names; a test
 * holds it to that).
 */
export function layoutZip<B>(
	entries: readonly StoredZipEntry<B>[],
	options: ZipOptions = {}
): StoredZipLayout<B> {
	const time = dosTime(clampZipTime(options.mtime));
	const maxBytes = options.maxBytes ?? ZIP32_LIMIT;
	const names = uniqueFileNames(entries.map((e) => e.fileName)).map((n) => encoder.encode(n));
	const parts: (Uint8Array | B)[] = [];
	const offsets: number[] = [];
	let size = 0;
	entries.forEach((entry, i) => {
		const name = names[i]!;
		if (name.length > 0xffff) throw new Error('Nom de fichier trop long pour une archive ZIP.');
		// Offsets and sizes are 32-bit: check before writing rather than emit a corrupt archive.
		if (size + entry.size > maxBytes) throw new ZipSizeError("L'archive ZIP");
		const flags = 0x08 | (name.length !== entry.fileName.length ? 0x800 : 0);
		const local = new Uint8Array(30 + name.length);
		const l = new DataView(local.buffer);
		l.setUint32(0, 0x04034b50, true);
		l.setUint16(4, 20, true);
		l.setUint16(6, flags, true);
		l.setUint32(10, time, true);
		l.setUint16(26, name.length, true);
		local.set(name, 30);
		const descriptor = new Uint8Array(16);
		const d = new DataView(descriptor.buffer);
		d.setUint32(0, 0x08074b50, true);
		d.setUint32(4, entry.crc, true);
		d.setUint32(8, entry.size, true);
		d.setUint32(12, entry.size, true);
		offsets.push(size);
		parts.push(local, entry.body, descriptor);
		size += local.length + entry.size + descriptor.length;
	});
	const directorySize = names.reduce((n, name) => n + 46 + name.length, 0);
	const directory = new Uint8Array(directorySize + 22);
	const c = new DataView(directory.buffer);
	let at = 0;
	entries.forEach((entry, i) => {
		const name = names[i]!;
		c.setUint32(at, 0x02014b50, true);
		c.setUint16(at + 4, 20, true);
		c.setUint16(at + 6, 20, true);
		c.setUint16(at + 8, 0x08 | (name.length !== entry.fileName.length ? 0x800 : 0), true);
		c.setUint32(at + 12, time, true);
		c.setUint32(at + 16, entry.crc, true);
		c.setUint32(at + 20, entry.size, true);
		c.setUint32(at + 24, entry.size, true);
		c.setUint16(at + 28, name.length, true);
		c.setUint32(at + 42, offsets[i]!, true);
		directory.set(name, at + 46);
		at += 46 + name.length;
	});
	c.setUint32(at, 0x06054b50, true);
	c.setUint16(at + 8, entries.length, true);
	c.setUint16(at + 10, entries.length, true);
	c.setUint32(at + 12, directorySize, true);
	c.setUint32(at + 16, size, true);
	parts.push(directory);
	size += directory.length;
	if (size > maxBytes) throw new ZipSizeError("L'archive ZIP");
	return { parts, size };
}

/** CRC-32 and size of a file held as chunks. */
export function measureParts(parts: readonly Uint8Array[]): { crc: number; size: number } {
	const crc = new Crc32();
	let size = 0;
	for (const p of parts) {
		crc.update(p);
		size += p.length;
	}
	return { crc: crc.digest(), size };
}

/** Builds the archive synchronously, storing each file; chunks are shared, not copied. */
export function buildZip(files: readonly ZipFileInput[], options: ZipOptions = {}): ZipResult {
	const layout = layoutZip(
		files.map((f) => ({ fileName: f.fileName, ...measureParts(f.parts), body: f.parts })),
		options
	);
	const parts = layout.parts.flatMap((p) => (p instanceof Uint8Array ? [p] : [...p]));
	return { parts, size: layout.size };
}
