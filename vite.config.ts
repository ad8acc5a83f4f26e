import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { sandboxPlugin } from './sandbox/vite-plugin.ts';

export default defineConfig({
	plugins: [sveltekit(), sandboxPlugin()],
	server: {
		// workers/ lives beside src/: the dev server must be allowed to read it.
		fs: { allow: ['workers'] }
	},
	worker: { format: 'es' },
	// Pre-bundled up front: discovered late (when the first worker starts), the dev server would
	// reload the page in the middle of an extraction.
	optimizeDeps: { include: ['comlink', 'fflate', 'ky', 'valibot'] },
	test: {
		expect: { requireAssertions: true },
		projects: [
			{
				extends: './vite.config.ts',
				test: {
					name: 'unit',
					environment: 'node',
					include: ['tests/unit/**/*.test.ts', 'tests/contract/**/*.test.ts'],
					testTimeout: 60_000
				}
			},
			{
				extends: './vite.config.ts',
				test: {
					name: 'e2e',
					environment: 'node',
					include: ['tests/e2e/**/*.test.ts'],
					globalSetup: ['tests/e2e/global-setup.ts'],
					testTimeout: 180_000,
					hookTimeout: 300_000,
					fileParallelism: false
				}
			}
		]
	}
});
