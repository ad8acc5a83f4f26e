// The outer ZIP of finished workbooks. The .xlsx files are already deflated: they are stored
// as they are (recompressing them took 16× longer to gain 0.6%).
import { Zip, ZipPassThrough } from 'fflate';
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

/** Builds the archive synchronously, storing each file; chunks are shared, not copied. */
export function buildZip(files: readonly ZipFileInput[], options: ZipOptions = {}): ZipResult {
	const mtime = clampZipTime(options.mtime);
	const maxBytes = options.maxBytes ?? ZIP32_LIMIT;
	const parts: Uint8Array[] = [];
	let size = 0;
	let error: unknown;
	const zip = new Zip((err, chunk) => {
		if (err) {
			error ??= err;
			return;
		}
		size += chunk.length;
		parts.push(chunk);
	});
	const names = uniqueFileNames(files.map((f) => f.fileName));
	files.forEach((file, i) => {
		const total = file.parts.reduce((n, p) => n + p.length, 0);
		// Offsets and sizes are 32-bit: check before writing rather than emit a corrupt archive.
		if (size + total > maxBytes) throw new ZipSizeError("L'archive ZIP");
		const entry = new ZipPassThrough(names[i]!);
		entry.mtime = mtime;
		zip.add(entry);
		if (file.parts.length === 0) entry.push(new Uint8Array(0), true);
		file.parts.forEach((p, j) => entry.push(p, j === file.parts.length - 1));
		if (error !== undefined) throw error;
	});
	zip.end();
	if (error !== undefined) throw error;
	if (size > maxBytes) throw new ZipSizeError("L'archive ZIP");
	return { parts, size };
}
