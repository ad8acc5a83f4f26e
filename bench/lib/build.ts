// Builds the app (unminified when profiling) and the floor's worker bundle.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'vite';
import { BUILD_DIR, profiling, ROOT, values } from './e2e-config';

export function run(cmd: string, args: string[]): Promise<void> {
	return new Promise((done, fail) => {
		const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		let log = '';
		child.stdout.on('data', (c: Buffer) => (log += c.toString()));
		child.stderr.on('data', (c: Buffer) => (log += c.toString()));
		child.on('close', (code) =>
			code === 0 ? done() : fail(new Error(`${cmd} ${args.join(' ')}:\n${log.slice(-4000)}`))
		);
	});
}

export async function buildAll(): Promise<void> {
	if (!values['skip-build']) {
		const t = performance.now();
		// Unminified when profiling, so that the profile names the functions.
		await run('npx', ['vite', 'build', ...(profiling ? ['--minify', 'false'] : [])]);
		console.log(`vite build: ${((performance.now() - t) / 1000).toFixed(1)} s`);
	}
	await build({
		configFile: false,
		logLevel: 'warn',
		build: {
			outDir: join(BUILD_DIR, '__bench'),
			emptyOutDir: true,
			minify: !profiling,
			target: 'esnext',
			lib: {
				entry: join(ROOT, 'bench', 'floor.worker.ts'),
				formats: ['es'],
				fileName: () => 'floor.js'
			}
		}
	});
}
