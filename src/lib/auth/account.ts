/**
 * What the session needs from a sign-in, whatever it is: the standalone app's OpenID Connect
 * (./oidc.ts), or nothing when a host or config.json's demo token gives the token.
 */
import type { TokenGetter } from '../api/client';
import type { AuthConfig } from '../config';
import { signInAgain, signInWithOidc, type OidcOptions } from './oidc';

/** The header's account actions; absent ones are not offered. */
export interface AccountActions {
	/** Ends the provider's session; the page leaves for the provider and comes back signed out. */
	signOut?: () => Promise<void>;
	/** Standalone: a new sign-in with the provider's account choice. Embedded: the host's. */
	switchAccount?: () => Promise<void> | void;
	/** True when the actions take the page to the provider (the session is closed first). */
	leavesPage?: boolean;
}

export type SignInStart =
	| { kind: 'redirecting' }
	| { kind: 'signed-out' }
	| { kind: 'signed-in'; getToken: TokenGetter; account: AccountActions };

export interface SignIn {
	/** Signs in (or finishes a callback); `onExpired` when a renewal after a 401 failed. */
	start(auth: AuthConfig, onExpired: () => void): Promise<SignInStart>;
	/** A sign-in the user asked for (« Se connecter », « Se reconnecter »); false: none started. */
	again(): Promise<boolean>;
}

export interface PageLocation {
	/** The app's root URL: where the provider sends the browser back. */
	appUrl: () => string;
	currentUrl: () => string;
	/** Replaces the address bar's URL without navigating. */
	replaceUrl: (url: URL) => void;
}

/** The standalone app's sign-in: OpenID Connect with the page's URL and history. */
export function oidcSignIn(page: PageLocation): SignIn {
	let config: AuthConfig | null = null;
	const opts = (onExpired?: () => void): OidcOptions => ({
		appUrl: page.appUrl(),
		currentUrl: page.currentUrl(),
		replaceUrl: page.replaceUrl,
		...(onExpired ? { onExpired } : {})
	});
	return {
		async start(auth, onExpired) {
			config = auth;
			const outcome = await signInWithOidc(auth, opts(onExpired));
			if (outcome.kind !== 'signed-in') return outcome;
			const { account } = outcome;
			return {
				kind: 'signed-in',
				getToken: account.getToken,
				account: {
					signOut: () => account.signOut(),
					switchAccount: () => account.switchAccount(),
					leavesPage: true
				}
			};
		},
		async again() {
			if (!config) return false;
			await signInAgain(config, opts());
			return true;
		}
	};
}
