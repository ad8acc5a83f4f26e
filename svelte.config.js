import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// Every page is prerendered as a static shell: the app has no server of its own in production.
		adapter: adapter(),
		alias: {
			$core: 'src/lib/core',
			$contract: 'src/lib/contract'
		}
	}
};

export default config;
