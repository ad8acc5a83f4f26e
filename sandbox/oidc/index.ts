/**
 * The sandbox's sign-in, as the API server sees it: the provider's pages and endpoints under
 * `/oidc`, and the check of its access tokens. Hooked into sandbox/server.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OIDC_PATH } from './constants.ts';
import { SandboxOidc, type SandboxOidcOptions } from './provider.ts';
import { tokenVerifier, type TokenCheck } from './verify.ts';

export { OIDC_PATH, SandboxOidc, type SandboxOidcOptions, type TokenCheck };
export {
	API_AUDIENCE,
	CLIENT_ID,
	DEFAULT_SCOPE,
	DEFAULT_TOKEN_TTL_SECONDS,
	issuerForHost
} from './constants.ts';

export interface SandboxSignIn {
	readonly oidc: SandboxOidc;
	/** `/oidc` and below. */
	handles(path: string): boolean;
	serve(req: IncomingMessage, res: ServerResponse): void;
	/** A bearer token that is not a demo token: the provider's JWT, checked. */
	check(token: string): Promise<TokenCheck>;
}

export function sandboxSignIn(options: SandboxOidcOptions = {}): SandboxSignIn {
	const oidc = new SandboxOidc(options);
	return {
		oidc,
		handles: (path) => path === OIDC_PATH || path.startsWith(`${OIDC_PATH}/`),
		serve: (req, res) => oidc.serve(req, res),
		check: tokenVerifier(oidc)
	};
}
