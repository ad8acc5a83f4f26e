/**
 * The Content-Security-Policy of the standalone build (SPEC §16). SvelteKit (`kit.csp`, hash
 * mode) writes a `<meta>` policy into each prerendered page with the hashes of its inline
 * bootstrap script; that policy cannot know the API's origin (config.json is read at run time)
 * nor carry `frame-ancestors`, so the deployment sends the full policy as a header, built here
 * from the build's own hashes. Both policies apply: the page runs under the stricter of the two.
 *
 *   npm run csp -- --api https://spico.example [--connect https://idp.example] [--nginx]
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * The inline `style` of SvelteKit's route announcer (kit's `write_root.js`, issues 11993 and
 * 11747), allowed by its hash alone with CSP3 `'unsafe-hashes'`. A kit upgrade that changes it
 * shows up as a violation in tests/e2e/csp.test.ts.
 */
export const ANNOUNCER_STYLE =
	'position: absolute; left: 0; top: 0; clip: rect(0 0 0 0); clip-path: inset(50%); overflow: hidden; white-space: nowrap; width: 1px; height: 1px';

/**
 * `'sha256-…'` of a script or style text, as CSP spells a hash source.
 * @param {string} text
 */
export function hashSource(text) {
	return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * What `kit.csp.directives` declares: everything that does not depend on the deployment.
 * @type {NonNullable<import('@sveltejs/kit').KitConfig['csp']>['directives']}
 */
export const KIT_DIRECTIVES = {
	'script-src': ['self'],
	'style-src': ['self', 'unsafe-hashes', `sha256-${hashSource(ANNOUNCER_STYLE).slice(8, -1)}`],
	'worker-src': ['self'],
	'object-src': ['none'],
	'base-uri': ['self'],
	'form-action': ['self']
};

/**
 * Every prerendered page of the standalone build (the embed bundle has no page).
 * @param {string} dir
 * @param {string} [root]
 * @returns {string[]}
 */
function pagesOf(dir, root = dir) {
	/** @type {string[]} */
	const pages = [];
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) {
			if (relative(root, path) !== 'embed') pages.push(...pagesOf(path, root));
		} else if (entry.name.endsWith('.html')) pages.push(path);
	}
	return pages;
}

const META_RE = /<meta http-equiv="content-security-policy" content="([^"]*)"/i;

/**
 * The hash sources of `directive` in the meta policies of every page of `buildDir`.
 * @param {string} buildDir
 * @param {string} directive
 * @returns {string[]}
 */
export function buildHashes(buildDir, directive) {
	/** @type {Set<string>} */
	const hashes = new Set();
	const pages = pagesOf(buildDir);
	if (pages.length === 0)
		throw new Error(`Aucune page HTML dans ${buildDir} : lancez npm run build.`);
	for (const page of pages) {
		const meta = META_RE.exec(readFileSync(page, 'utf8'));
		if (!meta) throw new Error(`${page} : pas de politique CSP (kit.csp manque ?).`);
		const found = (meta[1] ?? '')
			.split(';')
			.map((d) => d.trim().split(/\s+/))
			.find(([name]) => name === directive);
		for (const source of found?.slice(1) ?? []) {
			if (source.startsWith("'sha")) hashes.add(source);
		}
	}
	return [...hashes].sort();
}

/**
 * The header policy of a deployment: `apiOrigins` (and any other origin the app must reach, an
 * OpenID provider…) in `connect-src`; framing refused unless `frameAncestors` says otherwise.
 * @param {{ buildDir: string, apiOrigins: string[], frameAncestors?: string[], reportUri?: string }} options
 * @returns {string}
 */
export function deploymentPolicy({ buildDir, apiOrigins, frameAncestors = ["'none'"], reportUri }) {
	if (apiOrigins.length === 0) throw new Error("L'origine de l'API SPICO est requise (--api).");
	/** @type {string[][]} */
	const directives = [
		['default-src', "'self'"],
		['script-src', "'self'", ...buildHashes(buildDir, 'script-src')],
		['style-src', "'self'", "'unsafe-hashes'", ...buildHashes(buildDir, 'style-src')],
		['connect-src', "'self'", ...apiOrigins],
		['worker-src', "'self'"],
		['img-src', "'self'"],
		['object-src', "'none'"],
		['base-uri', "'self'"],
		['form-action', "'self'"],
		['frame-ancestors', ...frameAncestors],
		...(reportUri ? [['report-uri', reportUri]] : [])
	];
	return directives.map((d) => d.join(' ')).join('; ');
}

function main() {
	const { values } = parseArgs({
		options: {
			api: { type: 'string', multiple: true, default: [] },
			connect: { type: 'string', multiple: true, default: [] },
			build: { type: 'string', default: 'build' },
			nginx: { type: 'boolean', default: false }
		}
	});
	const origins = [...values.api, ...values.connect].map((u) => new URL(u).origin);
	const policy = deploymentPolicy({ buildDir: values.build, apiOrigins: origins });
	console.log(values.nginx ? `add_header Content-Security-Policy "${policy}" always;` : policy);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
