/**
 * The pseudonymisation key (SPEC §13): PBKDF2-SHA-256 of the passphrase, salt = the structure's
 * id, made once per run with WebCrypto into a non-extractable HMAC key. The passphrase and the key
 * are never stored: the key lives in memory for the run, and crosses to the workers as a CryptoKey
 * (structured-cloneable, its bytes not readable from script).
 */

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA-256; SPEC §13 asks for at least this. */
export const PBKDF2_ITERATIONS = 600_000;
export const MIN_PASSPHRASE_LENGTH = 12;

/** Length as a person counts it: code points, so that « é » or an emoji is one character. */
export function passphraseLength(passphrase: string): number {
	let n = 0;
	for (const _ of passphrase) n++;
	return n;
}

/**
 * The same passphrase typed on another system must give the same pseudonyms: composed and
 * decomposed accents (« é » as one or two code points) are made one (NFC). Nothing else is
 * changed: spaces and case are part of the passphrase.
 */
export function normalisePassphrase(passphrase: string): string {
	return passphrase.normalize('NFC');
}

export function requireStructureId(structureId: unknown): string {
	if (typeof structureId !== 'string' || structureId === '') {
		throw new Error(
			'Identifiant de la structure manquant : la pseudonymisation est impossible, aucun fichier n’a été produit.'
		);
	}
	return structureId;
}

const utf8 = new TextEncoder();

/**
 * The HMAC-SHA-256 key of a (passphrase, structure): 32 bytes of PBKDF2-SHA-256, non-extractable,
 * usable only to sign. Takes about as long as PBKDF2's iterations cost (≈ 0.3–1 s): WebCrypto
 * runs it off the page's thread.
 */
export async function derivePseudonymKey(
	passphrase: string,
	structureId: string
): Promise<CryptoKey> {
	const salt = requireStructureId(structureId);
	if (typeof passphrase !== 'string' || passphraseLength(passphrase) < MIN_PASSPHRASE_LENGTH) {
		throw new Error(
			`La phrase secrète doit contenir au moins ${MIN_PASSPHRASE_LENGTH} caractères.`
		);
	}
	const subtle = globalThis.crypto.subtle;
	const base = await subtle.importKey(
		'raw',
		utf8.encode(normalisePassphrase(passphrase)),
		'PBKDF2',
		false,
		['deriveKey']
	);
	return subtle.deriveKey(
		{ name: 'PBKDF2', hash: 'SHA-256', salt: utf8.encode(salt), iterations: PBKDF2_ITERATIONS },
		base,
		{ name: 'HMAC', hash: 'SHA-256', length: 256 },
		false,
		['sign']
	);
}
