import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/lib/config';

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
			parseConfig({
				apiBaseUrl: '/api/v1',
				token: 'sandbox-alice',
				maxPeriodYears: 3,
				retentionDays: 2
			})
		).toEqual({
			apiBaseUrl: '/api/v1',
			token: 'sandbox-alice',
			maxPeriodYears: 3,
			retentionDays: 2
		});
	});

	it('names the faulty field in French', () => {
		expect(() => parseConfig({})).toThrow(ConfigError);
		expect(() => parseConfig({ apiBaseUrl: '  ' })).toThrow(/champ « apiBaseUrl »/);
		expect(() => parseConfig({ apiBaseUrl: '/api', maxPeriodYears: 2.5 })).toThrow(
			/champ « maxPeriodYears » : nombre entier d’années attendu/
		);
		expect(() => parseConfig(null)).toThrow(/Configuration invalide/);
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
