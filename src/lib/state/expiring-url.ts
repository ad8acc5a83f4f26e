/**
 * A `blob:` URL of a plaintext ZIP lives only while its download starts (SPEC §16): once the
 * browser has begun saving the file, the URL is revoked, so no script or tab of the origin can
 * read the ZIP through it later. The next click makes a new one.
 */

/** Long enough for the browser to open the blob (under load too), short for anything else. */
export const DOWNLOAD_URL_LIFETIME_MS = 5_000;

export class ExpiringObjectUrl {
	readonly #blob: Blob;
	readonly #lifetimeMs: number;
	#url: string | null = null;
	#timer: ReturnType<typeof setTimeout> | undefined;

	constructor(blob: Blob, lifetimeMs = DOWNLOAD_URL_LIFETIME_MS) {
		this.#blob = blob;
		this.#lifetimeMs = lifetimeMs;
	}

	/** A URL that works now (the live one, or a new one), revoked `lifetimeMs` from now. */
	take(): string {
		this.#url ??= URL.createObjectURL(this.#blob);
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => this.revoke(), this.#lifetimeMs);
		return this.#url;
	}

	revoke(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		if (this.#url) URL.revokeObjectURL(this.#url);
		this.#url = null;
	}
}
