/**
 * The host bundle (SPEC §10): `build/embed/extractions-brutes.js`, an ES module, with its workers
 * beside it. Runs after the app's `vite build` (which empties build/). No SvelteKit here: the
 * entry is framework-neutral (src/embed/index.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { svelte, vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';
import { hostIndependentRem } from './src/embed/rem.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const PLACEHOLDER = /(["'`])__EXTRACTIONS_BRUTES_CSS__\1/g;

/**
 * Moves the components' CSS (one file in library mode) into the module, where src/embed/styles.ts
 * adopts it in the shadow root: a host's CSP may refuse `<style>` elements, never adopted sheets.
 * Also ships the public declarations beside the module.
 */
function moduleCss(): Plugin {
	return {
		name: 'extractions-brutes:module-css',
		apply: 'build',
		enforce: 'post',
		generateBundle(_options, bundle) {
			const styles = Object.values(bundle).filter(
				(file) => file.type === 'asset' && file.fileName.endsWith('.css')
			);
			const css = hostIndependentRem(
				styles
					.map((file) =>
						file.type === 'asset'
							? typeof file.source === 'string'
								? file.source
								: new TextDecoder().decode(file.source)
							: ''
					)
					.join('\n')
			);
			for (const file of styles) delete bundle[file.fileName];
			const entry = Object.values(bundle).find((file) => file.type === 'chunk' && file.isEntry);
			if (!entry || entry.type !== 'chunk') return this.error('module-css: no entry chunk');
			const found = entry.code.match(PLACEHOLDER)?.length ?? 0;
			if (found !== 1 || css.trim() === '') {
				return this.error(`module-css: ${found} placeholder(s), ${css.length} characters of CSS`);
			}
			entry.code = entry.code.replace(PLACEHOLDER, () => JSON.stringify(css));
			this.emitFile({
				type: 'asset',
				fileName: 'extractions-brutes.d.ts',
				source: readFileSync(`${root}src/embed/public.d.ts`, 'utf8')
			});
		}
	};
}

export default defineConfig({
	// Relative: the workers are found beside the module, wherever the host serves it.
	base: './',
	publicDir: false,
	plugins: [
		svelte({
			configFile: false,
			preprocess: vitePreprocess(),
			emitCss: true,
			compilerOptions: { css: 'external' }
		}),
		moduleCss()
	],
	resolve: {
		alias: {
			$lib: `${root}src/lib`,
			$core: `${root}src/lib/core`,
			$contract: `${root}src/lib/contract`
		}
	},
	worker: { format: 'es' },
	build: {
		outDir: 'build/embed',
		emptyOutDir: true,
		target: 'es2022',
		cssCodeSplit: false,
		// Served as it is to hosts: minified like the app (library mode would keep whitespace).
		rolldownOptions: { output: { minify: true } },
		lib: {
			entry: 'src/embed/index.ts',
			formats: ['es'],
			fileName: () => 'extractions-brutes.js'
		}
	}
});
