import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { KIT_DIRECTIVES } from './deploy/csp.js';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// Every page is prerendered as a static shell: the app has no server of its own in production.
		adapter: adapter(),
		// Hashes of kit's inline bootstrap, in each page's <meta> policy; the deployment's header
		// adds the API origin and frame-ancestors (deploy/csp.js, docs/DEPLOYMENT.md).
		csp: { mode: 'hash', directives: KIT_DIRECTIVES },
		alias: {
			$core: 'src/lib/core',
			$contract: 'src/lib/contract'
		}
	}
};

export default config;
