// The control endpoints under /__sandbox: faults, data restore, audit events received. Never
// subject to faults, so tests can always switch them off.
import type { IncomingMessage } from 'node:http';
import { CONTROL_PATH, type StoredExtractionEvent } from './server.ts';
import type { FaultInjector } from './faults.ts';
import { json, Problem, readJson, type Reply } from './http.ts';

export interface ControlState {
	readonly faults: FaultInjector;
	readonly events: StoredExtractionEvent[];
	/** Back to the generated data; false when the caller gave the database. */
	restoreData(): boolean;
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
			const body = await readJson(req);
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
