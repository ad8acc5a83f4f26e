// The sandbox's HTTP plumbing: problem+json replies, CORS, bodies read with a bound, bearer tokens.
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 1_000_000;

export interface Reply {
	status: number;
	headers?: Record<string, string>;
	body?: string;
	type?: string;
}

const TITLES: Readonly<Record<number, string>> = {
	400: 'Requête invalide',
	415: 'Type de contenu non accepté',
	401: 'Authentification requise',
	403: 'Accès refusé',
	404: 'Ressource introuvable',
	405: 'Méthode non autorisée',
	409: 'Conflit',
	413: 'Corps de requête trop volumineux',
	422: 'Paramètres invalides',
	429: 'Trop de requêtes',
	500: 'Erreur interne du bac à sable',
	502: 'Passerelle en erreur',
	503: 'Service indisponible',
	504: 'Passerelle hors délai'
};

export class Problem extends Error {
	constructor(
		readonly status: number,
		readonly detail: string,
		readonly extra: Record<string, unknown> = {},
		readonly headers: Record<string, string> = {}
	) {
		super(detail);
	}
}

export interface InvalidParam {
	name: string;
	reason: string;
}

export function problemReply(p: Problem, instance?: string): Reply {
	const body = {
		type: `urn:spico-sandbox:problem:${p.status}`,
		title: TITLES[p.status] ?? 'Erreur',
		status: p.status,
		detail: p.detail,
		...(instance ? { instance } : {}),
		...p.extra
	};
	return {
		status: p.status,
		headers: p.headers,
		body: JSON.stringify(body),
		type: 'application/problem+json; charset=utf-8'
	};
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
	return { status, headers, body: JSON.stringify(value) };
}

const CORS_HEADERS = {
	'Access-Control-Allow-Origin': '*',
	'Access-Control-Expose-Headers': 'Retry-After, Location, WWW-Authenticate'
};

export function send(res: ServerResponse, reply: Reply, drop = false): void {
	const body = Buffer.from(reply.body ?? '', 'utf8');
	const headers: Record<string, string | number> = {
		...CORS_HEADERS,
		'Cache-Control': 'no-store',
		...(reply.body !== undefined
			? { 'Content-Type': reply.type ?? 'application/json; charset=utf-8' }
			: {}),
		'Content-Length': body.length,
		...reply.headers
	};
	res.writeHead(reply.status, headers);
	if (drop) {
		// Half the body then a cut connection: the client sees a truncated response.
		res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
		return;
	}
	res.end(body);
}

export function preflight(req: IncomingMessage, res: ServerResponse): void {
	const headers: Record<string, string> = {
		...CORS_HEADERS,
		'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
		// `*` does not cover Authorization: list it explicitly.
		'Access-Control-Allow-Headers':
			req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type, Accept',
		'Access-Control-Max-Age': '600',
		Vary: 'Access-Control-Request-Headers'
	};
	if (req.headers['access-control-request-private-network'] === 'true') {
		headers['Access-Control-Allow-Private-Network'] = 'true';
	}
	res.writeHead(204, headers);
	res.end();
}

export function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			// Keep draining (so the 413 can still be sent) but stop buffering.
			if (size <= MAX_BODY_BYTES) chunks.push(chunk);
		});
		req.on('end', () => {
			if (size > MAX_BODY_BYTES) reject(new Problem(413, 'Le corps de la requête dépasse 1 Mo.'));
			else resolve(Buffer.concat(chunks).toString('utf8'));
		});
		req.on('error', reject);
	});
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
	const text = await readBody(req);
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw new Problem(400, 'Le corps de la requête n’est pas du JSON valide.');
	}
}

export function bearer(req: IncomingMessage): string | null {
	const h = req.headers.authorization;
	const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
	return m ? (m[1] ?? null) : null;
}

export const UNAUTHORIZED_HEADERS = { 'WWW-Authenticate': 'Bearer realm="spico-sandbox"' };
