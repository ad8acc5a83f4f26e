// The control endpoints under /__sandbox: faults, data restore, audit events received. Never
// subject to faults, so tests can always switch them off.
import type { IncomingMessage } from 'node:http';
import { CONTROL_PATH, type StoredExtractionEvent } from './server.ts';
import type { FaultInjector } from './faults.ts';
import { json, Problem, readJson, type Reply } from './http.ts';
import { isJsonContentType, prototypeKeyPath } from './http-guard.ts';

export interface ControlState {
	readonly faults: FaultInjector;
	readonly events: StoredExtractionEvent[];
	/** Back to the generated data; false when the caller gave the database. */
	restoreData(): boolean;
}

/** A control body: JSON only (no form or text/plain post from a web page), no prototype key. */
async function readControlJson(req: IncomingMessage): Promise<unknown> {
	if (!isJsonContentType(req.headers['content-type'])) {
		req.resume();
		throw new Problem(415, 'Corps attendu en application/json.');
	}
	const body = await readJson(req);
	const key = prototypeKeyPath(body);
	if (key !== null) throw new Problem(422, `Clé de prototype refusée : « ${key} ».`);
	return body;
}

export async function controlReply(
	state: ControlState,
	req: IncomingMessage,
	path: string
): Promise<Reply> {
	const { faults, events } = state;
	const what = path.slice(CONTROL_PATH.length);
	if (what === '/faults') {
		if (req.method === 'GET')
			return json(200, {
				faults: faults.config,
				requests: faults.requests,
				aborted: faults.aborted
			});
		if (req.method === 'DELETE') {
			faults.reset();
			return { status: 204 };
		}
		if (req.method === 'POST') {
			const body = await readControlJson(req);
			try {
				faults.set(body);
			} catch (error) {
				throw new Problem(422, (error as Error).message);
			}
			return json(200, { faults: faults.config });
		}
		throw new Problem(
			405,
			`Méthode ${req.method} non autorisée ici.`,
			{},
			{ Allow: 'GET, POST, DELETE' }
		);
	}
	if (what === '/data') {
		if (req.method !== 'DELETE') {
			throw new Problem(405, `Méthode ${req.method} non autorisée ici.`, {}, { Allow: 'DELETE' });
		}
		// Back to the generated data: drops the rows changed by `mutateBetweenPages`.
		if (!state.restoreData()) {
			throw new Problem(409, 'Base fournie par l’appelant : rien à restaurer.');
		}
		return { status: 204 };
	}
	if (what === '/extraction-events') {
		if (req.method === 'GET') return json(200, { items: events });
		if (req.method === 'DELETE') {
			events.length = 0;
			return { status: 204 };
		}
		throw new Problem(
			405,
			`Méthode ${req.method} non autorisée ici.`,
			{},
			{ Allow: 'GET, DELETE' }
		);
	}
	throw new Problem(404, `Aucune ressource de contrôle à l’adresse ${path}.`);
}
