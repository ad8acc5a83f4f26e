/**
 * Memory guards measure in a child Node of their own, with `--expose-gc`: live memory after a full
 * GC is deterministic, unlike timings or RSS, and no other test's heap gets in the way.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs the probe script with `args` and returns what it printed last, as JSON. */
export async function runMemoryProbe<T>(probe: URL, args: string[]): Promise<T> {
	const { stdout } = await run(
		process.execPath,
		['--expose-gc', '--import', 'tsx', fileURLToPath(probe), ...args],
		{ maxBuffer: 1 << 20 }
	);
	return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T;
}
