/**
 * The sandbox provider's fixed names, without its dependencies: the Vite plugin reads them when
 * it writes the dev app's config.json, before anything of oidc-provider is loaded.
 */
export const OIDC_PATH = '/oidc';
/** The API's audience: the resource indicator its access tokens are issued for. */
export const API_AUDIENCE = 'urn:spico-sandbox:api';
/** The app's client: public (no secret), Authorization Code + PKCE only. */
export const CLIENT_ID = 'extractions-brutes';
/** The scope the API's access tokens carry (besides the OpenID ones). */
export const API_SCOPE = 'spico';
export const DEFAULT_SCOPE = `openid profile ${API_SCOPE}`;
export const DEFAULT_TOKEN_TTL_SECONDS = 600;

export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `127.0.0.1:5173` → `http://127.0.0.1:5173/oidc`; null for a host that is not loopback. */
export function issuerForHost(host: string | undefined): string | null {
	if (!host) return null;
	let url: URL;
	try {
		url = new URL(`http://${host}`);
	} catch {
		return null;
	}
	if (!LOOPBACK_HOSTS.has(url.hostname) || url.pathname !== '/' || url.username) return null;
	return `http://${url.host}${OIDC_PATH}`;
}
