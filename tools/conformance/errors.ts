/** Error checks (SPEC §8): 401, 403 and 422 answers, each a problem+json. */
import { PAGE_LIMIT_MAX, listSearchParams } from '../../src/lib/contract/spico.ts';
import { addDays } from '../../src/lib/core/calendar.ts';
import { expectProblem, me, type Context } from './context.ts';

export async function errorChecks(ctx: Context): Promise<void> {
	const { report, http } = ctx;
	const sid = encodeURIComponent(ctx.me.structureId);
	const dossiers = `/structures/${sid}/dossiers`;
	const good = listSearchParams({
		...ctx.period,
		archived: false,
		statuses: ['en_attente'],
		limit: 1
	});

	await report.check('401 no token', async () => {
		for (const path of ['/me', `${dossiers}?${good}`]) {
			expectProblem(await http.request(path, { token: null }), 401, `GET ${path.split('?')[0]}`);
		}
	});
	await report.check('401 bad token', async () => {
		const bad = `conformance-invalid-${Date.now().toString(36)}`;
		for (const path of ['/me', `${dossiers}?${good}`]) {
			expectProblem(await http.request(path, { token: bad }), 401, `GET ${path.split('?')[0]}`);
		}
	});
	if (ctx.opts.otherToken) {
		await report.check('403 other structure', async () => {
			const other = await me(ctx, ctx.opts.otherToken!);
			const osid = encodeURIComponent(other.structureId);
			for (const path of [
				`/structures/${osid}/thematics`,
				`/structures/${osid}/dossiers?${good}`,
				`/structures/${osid}/storage-key`
			]) {
				expectProblem(
					await http.request(path, { token: ctx.me.token }),
					403,
					`GET ${path.split('?')[0]}`
				);
			}
			return 'thematics, dossiers, storage-key';
		});
	} else {
		report.skip('403 other structure', 'demande --other-token');
	}

	const q = (patch: Record<string, string | null>, status: string[] = ['en_attente']) => {
		const p = listSearchParams({ ...ctx.period, archived: false, statuses: [], limit: 10 });
		for (const s of status) p.append('status', s);
		for (const [k, val] of Object.entries(patch)) {
			if (val === null) p.delete(k);
			else p.set(k, val);
		}
		return p;
	};
	const cases: [string, URLSearchParams][] = [
		['from invalid', q({ from: '2023-02-30' })],
		['to missing', q({ to: null })],
		['from after to', q({ from: addDays(ctx.period.to, 1) })],
		['status unknown', q({}, ['inconnu'])],
		['status missing', q({}, [])],
		['archived invalid', q({ archived: 'peut-etre' })],
		['limit 0', q({ limit: '0' })],
		[`limit ${PAGE_LIMIT_MAX + 1}`, q({ limit: String(PAGE_LIMIT_MAX + 1) })],
		['limit not a number', q({ limit: 'abc' })],
		['cursor forged', q({ cursor: 'conformance-forged-cursor' })]
	];
	for (const [name, params] of cases) {
		await report.check(`422 ${name}`, async () => {
			expectProblem(
				await http.request(`${dossiers}?${params}`, { token: ctx.me.token }),
				422,
				'GET dossiers'
			);
		});
	}
	await report.check('422 invalid extraction event', async () => {
		// Invalid on purpose: nothing is recorded in the platform's audit trail.
		const res = await http.request(`/structures/${sid}/extraction-events`, {
			method: 'POST',
			token: ctx.me.token,
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ outcome: 'conformance-invalid' })
		});
		expectProblem(res, 422, 'POST extraction-events');
	});
}
