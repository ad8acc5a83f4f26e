/**
 * How the sandbox API checks the provider's access tokens (SPEC §12), as a real resource server
 * does: `jose` against the provider's JWKS, its issuer, the API's audience, the expiry. The demo
 * tokens (`sandbox-alice`…) are checked before this, by the API itself.
 */
import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import { SANDBOX_ACCOUNTS } from '../generator.ts';
import { API_AUDIENCE } from './constants.ts';
import type { OidcVerificationKeys } from './provider.ts';

export type TokenCheck =
	| {
			ok: true;
			/** The account's demo token: the API's key to the account. */ accountToken: string;
	  }
	| { ok: false; /** Why, in French, for the 401's detail. */ reason: string };

const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

/** Checks a bearer token that is not a demo token. */
export function tokenVerifier(keys: OidcVerificationKeys): (token: string) => Promise<TokenCheck> {
	const jwks = createLocalJWKSet({ keys: [keys.publicJwk] } as JSONWebKeySet);
	return async (token) => {
		if (!looksLikeJwt(token)) return { ok: false, reason: 'Jeton d’accès inconnu ou expiré.' };
		const issuers = keys.issuers();
		if (issuers.length === 0) return { ok: false, reason: 'Jeton d’accès inconnu ou expiré.' };
		try {
			const { payload } = await jwtVerify(token, jwks, {
				issuer: issuers,
				audience: API_AUDIENCE,
				algorithms: ['RS256'],
				typ: 'at+jwt',
				requiredClaims: ['exp', 'sub'],
				clockTolerance: 0
			});
			const account = SANDBOX_ACCOUNTS.find((a) => a.userId === payload.sub);
			if (!account) return { ok: false, reason: 'Jeton d’accès d’un compte inconnu.' };
			return { ok: true, accountToken: account.token };
		} catch (error) {
			return { ok: false, reason: reasonOf(error) };
		}
	};
}

function reasonOf(error: unknown): string {
	if (error instanceof errors.JWTExpired) return 'Jeton d’accès expiré.';
	if (error instanceof errors.JWTClaimValidationFailed) {
		if (error.claim === 'aud') return 'Jeton d’accès destiné à une autre API (audience).';
		if (error.claim === 'iss') return 'Jeton d’accès d’un autre émetteur.';
		return `Jeton d’accès invalide (${error.claim}).`;
	}
	if (
		error instanceof errors.JWSSignatureVerificationFailed ||
		error instanceof errors.JWKSNoMatchingKey
	) {
		return 'Signature du jeton d’accès invalide.';
	}
	return 'Jeton d’accès illisible.';
}
