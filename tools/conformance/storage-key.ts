/** Storage key checks (SPEC §8): shape, stability, one key per user and structure. */
import * as v from 'valibot';
import { StorageKeySchema, type StorageKey } from '../../src/lib/contract/spico.ts';
import { fail, isProblem, me, type Account, type Context } from './context.ts';

export async function storageKeyChecks(ctx: Context): Promise<void> {
	const { report, http } = ctx;
	const get = async (account: Account): Promise<StorageKey | 'absent'> => {
		const path = `/structures/${encodeURIComponent(account.structureId)}/storage-key`;
		const res = await http.request(path, { token: account.token });
		if (res.status === 404) {
			const bad = isProblem(res);
			if (bad) fail(`GET ${path} → 404 : ${bad}`);
			return 'absent';
		}
		if (res.status !== 200) fail(`GET ${path} : HTTP ${res.status}, 200 ou 404 attendu`);
		const parsed = v.safeParse(StorageKeySchema, res.json);
		if (!parsed.success) {
			const field = parsed.issues[0].path?.map((p) => String(p.key)).join('.') ?? '(racine)';
			fail(`GET ${path} : champ « ${field} » non conforme ({ keyId, key: 32 octets base64url })`);
		}
		return parsed.output;
	};
	let first: StorageKey | 'absent' | null = null;
	await report.check('storage key shape', async () => {
		first = await get(ctx.me);
		return first === 'absent' ? 'non proposée (404 problem+json)' : `keyId ${first.keyId}`;
	});
	await report.check('storage key stable', async () => {
		if (first === null) fail('première lecture en échec');
		const again = await get(ctx.me);
		if (first === 'absent' || again === 'absent') {
			if (first !== again) fail('proposée une fois sur deux');
			return 'non proposée';
		}
		if (again.keyId !== first.keyId || again.key !== first.key)
			fail('clé ou keyId différent d’une lecture à l’autre');
	});
	if (ctx.opts.otherToken) {
		await report.check('storage key per user and structure', async () => {
			const other = await me(ctx, ctx.opts.otherToken!);
			const theirs = await get(other);
			if (first === null || first === 'absent' || theirs === 'absent') return 'non proposée';
			if (theirs.key === first.key) fail('la même clé pour deux utilisateurs de deux structures');
		});
	} else {
		report.skip('storage key per user and structure', 'demande --other-token');
	}
}
