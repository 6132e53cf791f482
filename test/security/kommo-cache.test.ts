/**
 * Regression for ../shared/reviews/security.md L7 (proof: security-poc/kommo-cache.test.ts): the
 * Kommo field-definition cache was keyed by base URL only, so a credential with an INVALID token
 * received the definitions another credential had loaded. Now it is keyed per credential.
 */
import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { KommoApi } from '../../credentials/KommoApi.credentials';
import { KommoOAuth2Api } from '../../credentials/KommoOAuth2Api.credentials';
import { resetFieldDefinitions } from '../../nodes/Kommo/custom-fields';
import { Kommo } from '../../nodes/Kommo/Kommo.node';
import { loadOptions } from '../../nodes/Kommo/methods';
import { createLoadOptionsContext } from '../helpers/n8n-context';
import { kommoCredentials } from '../integration/kommo/helpers';
import { KommoSandbox } from '../../dev/sandbox/kommo';

let kommo: KommoSandbox;
beforeAll(async () => {
	kommo = await new KommoSandbox().start();
});
afterAll(async () => kommo.stop());
beforeEach(() => resetFieldDefinitions());

const ctx = (token: string) =>
	createLoadOptionsContext({
		nodeType: new Kommo(),
		parameters: { authentication: 'longLivedToken', resource: 'lead', operation: 'update' },
		credentials: kommoCredentials(kommo, { accessToken: token }),
		credentialTypes: [new KommoApi(), new KommoOAuth2Api()],
	}) as ILoadOptionsFunctions;

it('a credential with a wrong token does not get the field definitions another credential loaded', async () => {
	const good = await loadOptions.getLeadCustomFields.call(ctx(kommo.longLivedToken));
	expect(good.length).toBeGreaterThan(3);
	await expect(loadOptions.getLeadCustomFields.call(ctx('not-a-valid-token'))).rejects.toThrow();
	// …and the good one still reads from its own kept copy (no second request to Kommo).
	const reads = kommo.requestsTo('GET', '/api/v4/leads/custom_fields').length;
	expect(await loadOptions.getLeadCustomFields.call(ctx(kommo.longLivedToken))).toEqual(good);
	expect(kommo.requestsTo('GET', '/api/v4/leads/custom_fields').length).toBe(reads);
});
