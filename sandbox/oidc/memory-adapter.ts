/**
 * The provider's storage (sessions, grants, codes, refresh tokens) in this process's memory, with
 * expiry: the sandbox forgets every sign-in when it stops, which is what a demo wants.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
	payload: AdapterPayload;
	expiresAt: number;
}

/** The models a grant's revocation takes with it (not sessions or interactions). */
const GRANTABLE = new Set([
	'AccessToken',
	'AuthorizationCode',
	'RefreshToken',
	'DeviceCode',
	'BackchannelAuthenticationRequest'
]);

interface Shelves {
	stores: Map<string, Map<string, Entry>>;
	grants: Map<string, Set<string>>;
}

/** One provider's storage: `adapter: memoryAdapters()` in its configuration. */
export function memoryAdapters(): (name: string) => Adapter {
	const shelves: Shelves = { stores: new Map(), grants: new Map() };
	return (name) => new MemoryAdapter(name, shelves);
}

class MemoryAdapter implements Adapter {
	readonly #name: string;
	readonly #store: Map<string, Entry>;
	readonly #shelves: Shelves;

	constructor(name: string, shelves: Shelves) {
		this.#name = name;
		this.#shelves = shelves;
		let store = shelves.stores.get(name);
		if (!store) shelves.stores.set(name, (store = new Map()));
		this.#store = store;
	}

	async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
		this.#store.set(id, { payload, expiresAt: Date.now() + expiresIn * 1000 });
		if (payload.grantId && GRANTABLE.has(this.#name)) {
			const { grants } = this.#shelves;
			let ids = grants.get(payload.grantId);
			if (!ids) grants.set(payload.grantId, (ids = new Set()));
			ids.add(`${this.#name}:${id}`);
		}
	}

	async find(id: string): Promise<AdapterPayload | undefined> {
		const entry = this.#store.get(id);
		if (!entry) return undefined;
		if (entry.expiresAt <= Date.now()) {
			this.#store.delete(id);
			return undefined;
		}
		return entry.payload;
	}

	async findByUid(uid: string): Promise<AdapterPayload | undefined> {
		for (const [id, entry] of this.#store) if (entry.payload.uid === uid) return this.find(id);
		return undefined;
	}

	async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
		for (const [id, entry] of this.#store)
			if (entry.payload.userCode === userCode) return this.find(id);
		return undefined;
	}

	async consume(id: string): Promise<void> {
		const entry = this.#store.get(id);
		if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
	}

	async destroy(id: string): Promise<void> {
		this.#store.delete(id);
	}

	async revokeByGrantId(grantId: string): Promise<void> {
		const { stores, grants } = this.#shelves;
		for (const key of grants.get(grantId) ?? []) {
			const colon = key.indexOf(':');
			stores.get(key.slice(0, colon))?.delete(key.slice(colon + 1));
		}
		grants.delete(grantId);
	}
}
