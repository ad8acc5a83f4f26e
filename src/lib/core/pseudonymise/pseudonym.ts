/**
 * Pseudonyms of dossiers (SPEC §13): `P-` + the first 16 hex digits of
 * HMAC-SHA-256(key, structureId + ":" + dossierId). WebCrypto's HMAC is asynchronous, and row
 * mapping is not: a table computes a page's new pseudonyms before the page is mapped, then answers
 * synchronously.
 */
import { requireStructureId } from './key';

export const PSEUDONYM_PREFIX = 'P-';
/** 16 hex digits = 64 bits: no collision to expect below billions of dossiers. */
export const PSEUDONYM_HEX_DIGITS = 16;

const utf8 = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function requireDossierId(dossierId: unknown): string {
	if (typeof dossierId !== 'string' || dossierId === '') {
		// The type only: the value itself may be anything the API sent.
		const what = typeof dossierId === 'string' ? 'un texte vide' : `de type ${typeof dossierId}`;
		throw new Error(
			`Identifiant de dossier invalide (${what}, texte attendu) : la pseudonymisation est impossible, aucun fichier n’a été produit.`
		);
	}
	return dossierId;
}

export async function pseudonymOf(
	key: CryptoKey,
	structureId: string,
	dossierId: unknown
): Promise<string> {
	const message = `${requireStructureId(structureId)}:${requireDossierId(dossierId)}`;
	const mac = new Uint8Array(
		await globalThis.crypto.subtle.sign('HMAC', key, utf8.encode(message))
	);
	let hex = PSEUDONYM_PREFIX;
	for (let i = 0; i < PSEUDONYM_HEX_DIGITS / 2; i++) hex += HEX[mac[i] as number];
	return hex;
}

/** The pseudonyms of one workbook's dossiers, each computed once. */
export class PseudonymTable {
	readonly #key: CryptoKey;
	readonly #structureId: string;
	readonly #known = new Map<string, string>();

	constructor(key: CryptoKey, structureId: string) {
		if (!(key instanceof CryptoKey) || key.algorithm.name !== 'HMAC') {
			throw new Error(
				'Clé de pseudonymisation absente ou invalide : aucun fichier n’a été produit.'
			);
		}
		this.#key = key;
		this.#structureId = requireStructureId(structureId);
	}

	/** Computes the pseudonyms of the items' dossiers not seen yet. */
	async prepare(items: readonly { readonly dossierId: unknown }[]): Promise<void> {
		const fresh = new Set<string>();
		for (const item of items) {
			const id = requireDossierId(item.dossierId);
			if (!this.#known.has(id)) fresh.add(id);
		}
		const ids = [...fresh];
		const pseudonyms = await Promise.all(
			ids.map((id) => pseudonymOf(this.#key, this.#structureId, id))
		);
		ids.forEach((id, i) => this.#known.set(id, pseudonyms[i] as string));
	}

	/** The pseudonym of a dossier whose item went through `prepare`. */
	get(dossierId: unknown): string {
		const pseudonym = this.#known.get(requireDossierId(dossierId));
		if (pseudonym === undefined) throw new Error('Pseudonyme non calculé pour un dossier.');
		return pseudonym;
	}
}
