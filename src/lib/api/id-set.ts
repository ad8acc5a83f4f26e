/**
 * An exact set of strings in typed arrays: ids are copied into one byte arena (1 byte a
 * character when they fit in Latin-1, else 2) and found through an open-addressing table of
 * arena offsets. ~20 bytes for a 10-character id, against ~50–100 in a Set<string> that keeps
 * each parsed string alive.
 */
export class CompactIdSet {
	#slots = new Uint32Array(1 << 12); // arena offset + 1; 0 = empty
	#arena = new Uint8Array(1 << 16);
	#used = 0;
	#size = 0;

	get size(): number {
		return this.#size;
	}

	/** Adds `id`; false when it was already there. */
	add(id: string): boolean {
		const mask = this.#slots.length - 1;
		for (let i = hashOf(id) & mask; ; i = (i + 1) & mask) {
			const slot = this.#slots[i]!;
			if (slot === 0) {
				this.#slots[i] = this.#store(id) + 1;
				if (++this.#size * 2 > this.#slots.length) this.#grow();
				return true;
			}
			if (this.#equals(slot - 1, id)) return false;
		}
	}

	#store(id: string): number {
		let wide = 0;
		for (let k = 0; k < id.length; k++) if (id.charCodeAt(k) > 0xff) wide = 1;
		const header = id.length * 2 + wide;
		const need = (header < 0x80 ? 1 : 4) + id.length * (wide + 1);
		if (this.#used + need > this.#arena.length) {
			const bigger = new Uint8Array(
				Math.max(Math.ceil(this.#arena.length * 1.5), this.#used + need)
			);
			bigger.set(this.#arena.subarray(0, this.#used));
			this.#arena = bigger;
		}
		const a = this.#arena;
		const at = this.#used;
		let o = at;
		if (header < 0x80) a[o++] = header;
		else {
			a[o++] = 0x80 | (header >>> 24);
			a[o++] = (header >>> 16) & 0xff;
			a[o++] = (header >>> 8) & 0xff;
			a[o++] = header & 0xff;
		}
		for (let k = 0; k < id.length; k++) {
			const c = id.charCodeAt(k);
			if (wide) a[o++] = c >>> 8;
			a[o++] = c & 0xff;
		}
		this.#used = o;
		return at;
	}

	/** [length, wide, offset of the first character] of the id stored at `at`. */
	#header(at: number): [number, number, number] {
		const a = this.#arena;
		const first = a[at]!;
		if (first < 0x80) return [first >>> 1, first & 1, at + 1];
		const header =
			(((first & 0x7f) << 24) | (a[at + 1]! << 16) | (a[at + 2]! << 8) | a[at + 3]!) >>> 0;
		return [header >>> 1, header & 1, at + 4];
	}

	#equals(at: number, id: string): boolean {
		const [length, wide, start] = this.#header(at);
		if (length !== id.length) return false;
		for (let k = 0, o = start; k < length; k++, o += wide + 1) {
			if (this.#unit(o, wide) !== id.charCodeAt(k)) return false;
		}
		return true;
	}

	#hashAt(at: number): number {
		const [length, wide, start] = this.#header(at);
		let h = 0x811c9dc5;
		for (let k = 0, o = start; k < length; k++, o += wide + 1) {
			h = Math.imul(h ^ this.#unit(o, wide), 0x01000193);
		}
		return finish(h);
	}

	/** The code unit stored at arena offset `o`: one byte, or two (high first) when `wide`. */
	#unit(o: number, wide: number): number {
		const a = this.#arena;
		return wide ? (a[o]! << 8) | a[o + 1]! : a[o]!;
	}

	#grow(): void {
		const slots = new Uint32Array(this.#slots.length * 2);
		const mask = slots.length - 1;
		for (const slot of this.#slots) {
			if (slot === 0) continue;
			let i = this.#hashAt(slot - 1) & mask;
			while (slots[i] !== 0) i = (i + 1) & mask;
			slots[i] = slot;
		}
		this.#slots = slots;
	}
}

/** FNV-1a over the UTF-16 code units, then a murmur finaliser to spread the low bits. */
function hashOf(s: string): number {
	let h = 0x811c9dc5;
	for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
	return finish(h);
}

function finish(h: number): number {
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	return (h ^ (h >>> 16)) >>> 0;
}
