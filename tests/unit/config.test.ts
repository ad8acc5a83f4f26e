import { describe, expect, it } from 'vitest';
import { ConfigError, configTokenSource, loadConfig, parseConfig } from '../../src/lib/config';

const URL_ = 'http://app.test/config.json';

function fetchReturning(response: Response | Error): typeof fetch {
	return async () => {
		if (response instanceof Error) throw response;
		return response;
	};
}

describe('parseConfig', () => {
	it('fills in the defaults', () => {
		expect(parseConfig({ apiBaseUrl: 'http://api.test/api/v1' })).toEqual({
			apiBaseUrl: 'http://api.test/api/v1',
			maxPeriodYears: 5,
			retentionDays: 7
		});
	});

	it('keeps the token and the settings given', () => {
		expect(
			parseConfig(
				{
					apiBaseUrl: '/api/v1',
					token: 'sandbox-alice',
					maxPeriodYears: 3,
					retentionDays: 2,
					pageSize: 250
				},
				'config.json',
				'http://localhost:5173/config.json'
			)
		).toEqual({
			apiBaseUrl: '/api/v1',
			token: 'sandbox-alice',
			maxPeriodYears: 3,
			retentionDays: 2,
			pageSize: 250
		});
	});

	it('keeps tasks 1 to 30 days, no longer (SPEC §7)', () => {
		const base = { apiBaseUrl: 'http://api.test/api/v1' };
		expect(parseConfig({ ...base, retentionDays: 30 }).retentionDays).toBe(30);
		expect(() => parseConfig({ ...base, retentionDays: 31 })).toThrow(
			'Configuration invalide (config.json), champ « retentionDays » : au plus 30 jours.'
		);
		expect(() => parseConfig({ ...base, retentionDays: 0 })).toThrow(/au moins 1 jour/);
	});

	it('honours a token only for an API on this machine, and says why otherwise', () => {
		for (const apiBaseUrl of [
			'http://127.0.0.1:8787/api/v1',
			'http://localhost/api/v1',
			'http://[::1]:8787/api/v1'
		]) {
			expect(parseConfig({ apiBaseUrl, token: 'sandbox-alice' }).token).toBe('sandbox-alice');
		}
		const refusal =
			/Configuration refusée \(config.json\) : le champ « token » n’est accepté que pour une API sur ce poste .*https:\/\/spico.example\/api\/v1.*configurez la connexion « auth »/;
		expect(() =>
			parseConfig({ apiBaseUrl: 'https://spico.example/api/v1', token: 'sandbox-alice' })
		).toThrow(refusal);
		// A relative API is on the page's host: a deployment's, not this machine's.
		expect(() =>
			parseConfig({ apiBaseUrl: '/api/v1', token: 'x' }, 'config.json', 'https://app.example/')
		).toThrow(/Configuration refusée/);
		// Not resolvable: not provably local.
		expect(() => parseConfig({ apiBaseUrl: '/api/v1', token: 'x' })).toThrow(
			/Configuration refusée/
		);
		// Look-alike host names are not loopback.
		expect(() =>
			parseConfig({ apiBaseUrl: 'http://127.0.0.1.evil.example/api', token: 'x' })
		).toThrow(/Configuration refusée/);
		expect(() => parseConfig({ apiBaseUrl: 'http://localhost.evil.example/', token: 'x' })).toThrow(
			/Configuration refusée/
		);
	});

	it('reads the sign-in settings, with the defaults', () => {
		const auth = { issuer: 'https://sso.example/realms/spico', clientId: 'extractions-brutes' };
		expect(parseConfig({ apiBaseUrl: 'https://spico.example/api/v1', auth }).auth).toEqual({
			...auth,
			scope: 'openid profile',
			switchAccountPrompt: 'login'
		});
		expect(() =>
			parseConfig({ apiBaseUrl: '/api', auth: { ...auth, issuer: 'pas une adresse' } })
		).toThrow(/champ « auth.issuer » : adresse du fournisseur d’identité attendue/);
		expect(() => parseConfig({ apiBaseUrl: '/api', auth: { issuer: auth.issuer } })).toThrow(
			/champ « auth.clientId »/
		);
		expect(() =>
			parseConfig({ apiBaseUrl: '/api', auth: { ...auth, issuer: 'http://sso.example/realms/x' } })
		).toThrow(/doit être en https/);
		expect(
			parseConfig({ apiBaseUrl: '/api', auth: { ...auth, issuer: 'http://127.0.0.1:8787/oidc' } })
				.auth?.issuer
		).toBe('http://127.0.0.1:8787/oidc');
	});

	it('names the faulty field in French', () => {
		expect(() => parseConfig({})).toThrow(ConfigError);
		expect(() => parseConfig({ apiBaseUrl: '  ' })).toThrow(/champ « apiBaseUrl »/);
		expect(() => parseConfig({ apiBaseUrl: '/api', maxPeriodYears: 2.5 })).toThrow(
			/champ « maxPeriodYears » : nombre entier d’années attendu/
		);
		expect(() => parseConfig(null)).toThrow(/Configuration invalide/);
		expect(() => parseConfig({ apiBaseUrl: '/api', pageSize: 5001 })).toThrow(
			/champ « pageSize » : au plus 5000/
		);
	});
});

describe('configTokenSource', () => {
	it('gives the token of config.json, and reads config.json again when asked to refresh', async () => {
		let reads = 0;
		const getToken = configTokenSource({ token: 'sandbox-alice' }, async () => {
			reads++;
			return { token: 'sandbox-alice.2' };
		});
		expect(await getToken()).toBe('sandbox-alice');
		expect(reads).toBe(0);
		// Two workers hit by the same 401 share one read.
		const both = await Promise.all([getToken({ refresh: true }), getToken({ refresh: true })]);
		expect(both).toEqual(['sandbox-alice.2', 'sandbox-alice.2']);
		expect(reads).toBe(1);
		expect(await getToken()).toBe('sandbox-alice.2');
	});

	it('keeps its token when config.json cannot be read again', async () => {
		const getToken = configTokenSource({ token: 'sandbox-alice' }, () =>
			Promise.reject(new ConfigError('réseau'))
		);
		expect(await getToken({ refresh: true })).toBe('sandbox-alice');
		const none = configTokenSource({}, async () => ({}));
		expect(await none({ refresh: true })).toBeNull();
	});

	it('takes the name of the task database, a plain name only', () => {
		expect(parseConfig({ apiBaseUrl: '/api', tasksDatabase: 'hote-1' }).tasksDatabase).toBe(
			'hote-1'
		);
		expect(() => parseConfig({ apiBaseUrl: '/api', tasksDatabase: 'a:b' })).toThrow(
			/champ « tasksDatabase »/
		);
	});
});

describe('loadConfig', () => {
	it('refuses to start with a token for an API elsewhere, and takes it for a local one', async () => {
		const fetch = fetchReturning(Response.json({ apiBaseUrl: '/api/v1', token: 'sandbox-alice' }));
		await expect(loadConfig({ url: URL_, fetch })).rejects.toThrow(/Configuration refusée/);
		const local = fetchReturning(Response.json({ apiBaseUrl: '/api/v1', token: 'sandbox-alice' }));
		await expect(
			loadConfig({ url: 'http://127.0.0.1:5173/config.json', fetch: local })
		).resolves.toMatchObject({ token: 'sandbox-alice' });
	});

	it('loads and validates config.json', async () => {
		const fetch = fetchReturning(Response.json({ apiBaseUrl: 'http://api.test/api/v1' }));
		await expect(loadConfig({ url: URL_, fetch })).resolves.toMatchObject({ maxPeriodYears: 5 });
	});

	it('says when config.json is missing, unreadable or unreachable', async () => {
		await expect(
			loadConfig({ url: URL_, fetch: fetchReturning(new Response('', { status: 404 })) })
		).rejects.toThrow(/config.json est introuvable/);
		await expect(
			loadConfig({ url: URL_, fetch: fetchReturning(new Response('{', { status: 200 })) })
		).rejects.toThrow(/pas un JSON valide/);
		await expect(
			loadConfig({ url: URL_, fetch: fetchReturning(new TypeError('Failed to fetch')) })
		).rejects.toThrow(/réseau indisponible/);
	});
});
