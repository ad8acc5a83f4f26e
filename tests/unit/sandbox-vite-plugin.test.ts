/** The Vite plugin stays inert under Vitest, so loading vite.config.ts never opens a database. */
import { describe, expect, it } from 'vitest';
import { sandboxPlugin } from '../../sandbox/vite-plugin';

describe('sandboxPlugin', () => {
	it('has no server hooks under Vitest', () => {
		expect(process.env['VITEST']).toBeTruthy();
		const plugin = sandboxPlugin();
		expect(plugin.name).toBe('extractions-brutes-sandbox');
		expect(plugin.configureServer).toBeUndefined();
		expect(plugin.configurePreviewServer).toBeUndefined();
	});

	it('mounts the API and config.json outside Vitest', () => {
		const saved = process.env['VITEST'];
		delete process.env['VITEST'];
		try {
			const plugin = sandboxPlugin();
			expect(typeof plugin.configureServer).toBe('function');
			expect(typeof plugin.configurePreviewServer).toBe('function');
		} finally {
			process.env['VITEST'] = saved;
		}
	});
});
