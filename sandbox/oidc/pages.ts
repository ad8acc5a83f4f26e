/**
 * The sandbox provider's pages, in French: the one-click login page, the sign-out step, the
 * signed-out page and the error page. Plain HTML, no script but the sign-out's auto-submit, nothing
 * fetched from elsewhere.
 */
import { SANDBOX_STRUCTURES, type SandboxAccount } from '../generator.ts';
import { OIDC_PATH } from './constants.ts';

const escape = (text: string) =>
	text.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c
	);

const STYLE = `
body { margin: 0; background: #f6f6f6; color: #161616; font: 1rem/1.5 system-ui, sans-serif; }
main { box-sizing: border-box; max-width: 34rem; margin: 3rem auto; padding: 1.5rem 2rem 2rem;
  background: #fff; border-top: 0.3rem solid #000091; }
h1 { margin: 0 0 0.5rem; font-size: 1.5rem; line-height: 1.25; }
p { margin: 0 0 1rem; }
ul { margin: 1.5rem 0; padding: 0; list-style: none; }
li + li { margin-top: 1rem; }
button { width: 100%; padding: 0.75rem 1rem; border: 1px solid #000091; background: #000091;
  color: #fff; font: inherit; font-weight: 600; text-align: left; cursor: pointer; }
button:hover { background: #1212ff; }
button:focus-visible { outline: 3px solid #0a76f6; outline-offset: 2px; }
button.secondary { background: #fff; color: #000091; }
.what { display: block; font-weight: 400; font-size: 0.875rem; }
.note { color: #3a3a3a; font-size: 0.875rem; }
`;

function page(title: string, body: string, script = ''): string {
	return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} — Bac à sable SPICO</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>${script}
</body>
</html>`;
}

function accountDescription(account: SandboxAccount): string {
	if (!account.structureId) return 'compte personnel';
	const name = SANDBOX_STRUCTURES.find((s) => s.id === account.structureId)?.name;
	return `compte de la structure ${name ?? account.structureId}`;
}

/** One button per demo user: a click signs in as that user. */
export function loginPage(uid: string, accounts: readonly SandboxAccount[]): string {
	const action = `${OIDC_PATH}/interaction/${encodeURIComponent(uid)}`;
	const items = accounts
		.map(
			(a) => `<li><form method="post" action="${action}/login">
<input type="hidden" name="account" value="${escape(a.userId)}">
<button type="submit">Se connecter en tant que ${escape(a.userName)}<span class="what">${escape(accountDescription(a))}</span></button>
</form></li>`
		)
		.join('\n');
	return page(
		'Connexion',
		`<h1>Connexion au bac à sable SPICO</h1>
<p>Fournisseur d’identité de démonstration : choisissez un compte, sans mot de passe.</p>
<ul>
${items}
</ul>
<form method="post" action="${action}/abort"><button class="secondary" type="submit">Annuler</button></form>
<p class="note">Données synthétiques uniquement. En production, l’application se connecte au fournisseur d’identité de l’établissement (Keycloak, Pro Santé Connect…).</p>`
	);
}

/** oidc-provider's confirmation form (`form` carries its anti-forgery token), sent at once. */
export function logoutPage(form: string): string {
	return page(
		'Déconnexion',
		`<h1>Déconnexion</h1>
${form}
<p>Fin de la session du bac à sable SPICO…</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Se déconnecter</button>`,
		`
<script>
const form = document.getElementById('op.logoutForm');
const yes = document.createElement('input');
yes.type = 'hidden'; yes.name = 'logout'; yes.value = 'yes';
form.append(yes);
form.submit();
</script>`
	);
}

export function signedOutPage(): string {
	return page(
		'Déconnecté',
		'<h1>Vous êtes déconnecté</h1><p>La session du bac à sable SPICO est terminée.</p>'
	);
}

export function providerErrorPage(out: Record<string, unknown>): string {
	const code = typeof out['error'] === 'string' ? out['error'] : 'erreur';
	const description =
		typeof out['error_description'] === 'string'
			? out['error_description']
			: 'La demande de connexion est invalide.';
	return page(
		'Erreur',
		`<h1>Connexion impossible</h1>
<p>${escape(description)}</p>
<p class="note">Code : ${escape(code)}. Revenez à l’application et reconnectez-vous.</p>`
	);
}
