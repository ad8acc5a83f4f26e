/**
 * The kit's only way out: every request goes through here, so a broken server cannot hang it
 * (a timeout per request, a cap on the number of requests, on the whole run and on each body)
 * and every response's headers are seen by the `no-store` check.
 */

export interface HttpLimits {
	/** Per request, headers and body included. */
	timeoutMs: number;
	maxRequests: number;
	maxResponseBytes: number;
	/** Wall-clock deadline of the whole run (ms since the epoch). */
	deadline: number;
}

export interface HttpResponse {
	status: number;
	headers: Headers;
	text: string;
	/** The parsed body, or undefined when it is not JSON. */
	json: unknown;
	/** Content-Type without parameters, lower case. */
	mediaType: string;
}

export interface HttpRequest {
	method?: 'GET' | 'POST' | 'OPTIONS';
	/** Bearer token; null sends no Authorization header. */
	token: string | null;
	/** A raw Authorization header instead of `token`. */
	authorization?: string;
	origin?: string;
	headers?: Record<string, string>;
	body?: string;
}

/** The run may not go on: too many requests or past its deadline. Fails every later check. */
export class BudgetExceeded extends Error {
	override readonly name = 'BudgetExceeded';
}

/** A request that got no complete HTTP answer (timeout, refused, body over the cap). */
export class TransportError extends Error {
	override readonly name = 'TransportError';
}

export interface SeenResponse {
	/** `GET /me`, never a query string (it holds no patient data, but stays short). */
	label: string;
	status: number;
	cacheControl: string | null;
	preflight: boolean;
}

export class BoundedHttp {
	readonly seen: SeenResponse[] = [];
	requests = 0;
	readonly #base: string;

	constructor(
		base: string,
		readonly limits: HttpLimits
	) {
		this.#base = base.replace(/\/+$/, '');
	}

	/** `path` relative to the API base (`/me`), with its query string. */
	url(path: string): string {
		return `${this.#base}${path}`;
	}

	async request(path: string, req: HttpRequest): Promise<HttpResponse> {
		if (this.requests >= this.limits.maxRequests) {
			throw new BudgetExceeded(`plus de ${this.limits.maxRequests} requêtes (--max-requests)`);
		}
		const left = this.limits.deadline - Date.now();
		if (left <= 0) throw new BudgetExceeded('durée maximale dépassée (--max-seconds)');
		this.requests++;
		const method = req.method ?? 'GET';
		const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
		if (req.authorization !== undefined) headers.Authorization = req.authorization;
		else if (req.token !== null) headers.Authorization = `Bearer ${req.token}`;
		if (req.origin !== undefined) headers.Origin = req.origin;
		const label = `${method} ${path.split('?')[0]}`;
		const signal = AbortSignal.timeout(Math.min(this.limits.timeoutMs, left));
		let response: Response;
		try {
			response = await fetch(this.url(path), {
				method,
				headers,
				body: req.body,
				// A redirect is an error (SPEC §8): seen as the 3xx it is.
				redirect: 'manual',
				cache: 'no-store',
				signal
			});
		} catch (error) {
			throw new TransportError(`${label} : pas de réponse (${reasonOf(error)})`);
		}
		const text = await this.#readCapped(response, label);
		this.seen.push({
			label,
			status: response.status,
			cacheControl: response.headers.get('cache-control'),
			preflight: method === 'OPTIONS'
		});
		const mediaType = (response.headers.get('content-type') ?? '')
			.split(';')[0]!
			.trim()
			.toLowerCase();
		let json: unknown;
		try {
			json = text === '' ? undefined : (JSON.parse(text) as unknown);
		} catch {
			json = undefined;
		}
		return { status: response.status, headers: response.headers, text, json, mediaType };
	}

	async #readCapped(response: Response, label: string): Promise<string> {
		const declared = Number(response.headers.get('content-length'));
		if (declared > this.limits.maxResponseBytes) {
			await response.body?.cancel().catch(() => {});
			throw new TransportError(`${label} : réponse de ${declared} octets, au-delà du plafond`);
		}
		if (!response.body) return '';
		const reader = response.body.getReader();
		const chunks: Uint8Array[] = [];
		let size = 0;
		try {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				size += value.byteLength;
				if (size > this.limits.maxResponseBytes) {
					await reader.cancel().catch(() => {});
					throw new TransportError(
						`${label} : réponse au-delà de ${this.limits.maxResponseBytes} octets`
					);
				}
				chunks.push(value);
			}
		} catch (error) {
			if (error instanceof TransportError) throw error;
			throw new TransportError(`${label} : réponse interrompue (${reasonOf(error)})`);
		}
		return Buffer.concat(chunks).toString('utf8');
	}
}

function reasonOf(error: unknown): string {
	const e = error as { name?: string; cause?: { code?: string } };
	if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'délai dépassé';
	return e.cause?.code ?? e.name ?? 'erreur réseau';
}
