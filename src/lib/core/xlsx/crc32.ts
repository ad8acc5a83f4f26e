// CRC-32 (ZIP polynomial), slicing by 8: fflate keeps its own CRC private, and ZIP entries fed
// by the native CompressionStream need one computed on the uncompressed bytes.

const TABLES = (() => {
	const t = new Int32Array(256 * 8);
	for (let i = 0; i < 256; i++) {
		let c = i;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[i] = c;
	}
	for (let i = 0; i < 256; i++) {
		let c = t[i] as number;
		for (let s = 1; s < 8; s++) {
			c = (t[c & 0xff] as number) ^ (c >>> 8);
			t[s * 256 + i] = c;
		}
	}
	return t;
})();

/** Running CRC-32: `update` with each chunk, then `digest`. */
export class Crc32 {
	#c = -1;

	update(d: Uint8Array): void {
		const t = TABLES;
		let c = this.#c;
		let i = 0;
		const end8 = d.length - (d.length % 8);
		for (; i < end8; i += 8) {
			const a = (c ^ (d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24))) | 0;
			c =
				t[1792 + (a & 0xff)]! ^
				t[1536 + ((a >>> 8) & 0xff)]! ^
				t[1280 + ((a >>> 16) & 0xff)]! ^
				t[1024 + (a >>> 24)]! ^
				t[768 + d[i + 4]!]! ^
				t[512 + d[i + 5]!]! ^
				t[256 + d[i + 6]!]! ^
				t[d[i + 7]!]!;
		}
		for (; i < d.length; i++) c = t[(c ^ d[i]!) & 0xff]! ^ (c >>> 8);
		this.#c = c;
	}

	/** The CRC as an unsigned 32-bit number. */
	digest(): number {
		return ~this.#c >>> 0;
	}
}

/** CRC-32 of one buffer. */
export function crc32(d: Uint8Array): number {
	const c = new Crc32();
	c.update(d);
	return c.digest();
}
