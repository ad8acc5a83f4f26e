/**
 * `blob:` URLs of the plaintext ZIP are revoked soon after a download starts (SPEC §16), and a
 * new one is made for the next click. Node resolves blob: URLs like a browser
 * (`resolveObjectURL`), so revocation is observed, not assumed.
 */
import { resolveObjectURL } from 'node:buffer';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DOWNLOAD_URL_LIFETIME_MS, ExpiringObjectUrl } from '../../src/lib/state/expiring-url';

const alive = (url: string) => resolveObjectURL(url) !== undefined;

beforeEach(() => {
	vi.useFakeTimers();
});
afterEach(() => {
	vi.useRealTimers();
});

describe('ExpiringObjectUrl', () => {
	it('revokes the URL a few seconds after it was taken', () => {
		const link = new ExpiringObjectUrl(new Blob(['PK']));
		const url = link.take();
		expect(alive(url)).toBe(true);
		vi.advanceTimersByTime(DOWNLOAD_URL_LIFETIME_MS - 1);
		expect(alive(url)).toBe(true);
		vi.advanceTimersByTime(1);
		expect(alive(url)).toBe(false);
	});

	it('makes a new URL for the next download, itself revoked in turn', async () => {
		const link = new ExpiringObjectUrl(new Blob(['PK']));
		const first = link.take();
		vi.advanceTimersByTime(DOWNLOAD_URL_LIFETIME_MS);
		const second = link.take();
		expect(second).not.toBe(first);
		expect(alive(second)).toBe(true);
		expect(await resolveObjectURL(second)!.text()).toBe('PK');
		vi.advanceTimersByTime(DOWNLOAD_URL_LIFETIME_MS);
		expect(alive(second)).toBe(false);
	});

	it('a take while alive keeps the same URL and restarts its lifetime', () => {
		const link = new ExpiringObjectUrl(new Blob(['PK']));
		const url = link.take();
		vi.advanceTimersByTime(DOWNLOAD_URL_LIFETIME_MS - 10);
		expect(link.take()).toBe(url);
		vi.advanceTimersByTime(DOWNLOAD_URL_LIFETIME_MS - 10);
		expect(alive(url)).toBe(true);
		vi.advanceTimersByTime(10);
		expect(alive(url)).toBe(false);
	});

	it('revoke() ends it at once', () => {
		const link = new ExpiringObjectUrl(new Blob(['PK']));
		const url = link.take();
		link.revoke();
		expect(alive(url)).toBe(false);
	});
});
