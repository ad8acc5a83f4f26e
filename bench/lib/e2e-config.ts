// The e2e benchmark's settings: paths, the account, the period, and the command line.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const BUILD_DIR = join(ROOT, 'build');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
export const TOKEN = 'sandbox-alice';
// The whole span of the sandbox's data (2019 → mid-2026), archived dossiers included: the
// largest extraction of a structure; the config allows 10 years.
export const FROM = '2019-01-01';
export const TO = '2026-06-30';
export const MAX_PERIOD_YEARS = 10;

export const { values } = parseArgs({
	options: {
		scales: { type: 'string', default: 'small,medium,large' },
		repeats: { type: 'string', default: '3,3,2' },
		'skip-build': { type: 'boolean', default: false },
		'skip-cancel': { type: 'boolean', default: false },
		profile: { type: 'boolean', default: false },
		/** Diagnostics: only the floor, with this page size. */
		'floor-only': { type: 'string' },
		out: { type: 'string', default: join(RESULTS_DIR, 'e2e.json') },
		/** chromium (default), firefox, webkit, or a comma-separated list. */
		browser: { type: 'string', default: 'chromium' },
		/** Rounds of one run per engine in turn, instead of each engine's repeats in a row. */
		rounds: { type: 'string', default: '1' },
		/** Chromium in an off-the-record context (IndexedDB and Blobs in memory), not on disk. */
		'off-the-record': { type: 'boolean', default: false }
	}
});
export const scales = values.scales.split(',') as ('small' | 'medium' | 'large')[];
export const repeatList = values.repeats.split(',').map(Number);
export const profiling = values.profile;
