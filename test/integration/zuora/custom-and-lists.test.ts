/**
 * Zuora node, issue #18: the account and subscription lists behind the resource locators
 * (methods.listSearch, run in a real LoadOptionsContext) and the Custom API Request operation,
 * against the Zuora sandbox.
 */
import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { ZuoraOAuth2Api } from '../../../credentials/ZuoraOAuth2Api.credentials';
import { Zuora } from '../../../nodes/Zuora/Zuora.node';
import { createLoadOptionsContext } from '../../helpers/n8n-context';
import { resetZuoraProcessState, runZuora, runZuoraError, startZuora, zuoraCredentials } from '../../helpers/zuora';
import type { ZuoraSandbox } from '../../../dev/sandbox/zuora';

let sandbox: ZuoraSandbox;
beforeAll(async () => {
	sandbox = await startZuora();
});
afterAll(async () => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	resetZuoraProcessState();
});

async function listSearch(method: string, filter?: string, token?: string): Promise<INodeListSearchResult> {
	const node = new Zuora();
	const context = createLoadOptionsContext({
		nodeType: node,
		parameters: { resource: 'account', operation: 'get' },
		credentials: { zuoraOAuth2Api: zuoraCredentials(sandbox) },
		credentialTypes: [new ZuoraOAuth2Api()],
	});
	const fn = node.methods.listSearch[method as keyof typeof node.methods.listSearch];
	return await fn.call(context as ILoadOptionsFunctions, filter, token);
}

describe('listSearch', () => {
	it('searchAccounts loads the accounts from Object Query, searches by name start or number, and pages', async () => {
		sandbox.seedAccount({ name: 'Hopper Computing' });
		sandbox.seedAccount({ name: 'hopscotch Ltd' });
		sandbox.seedAccount({ name: 'Lovelace Engines' });
		const all = await listSearch('searchAccounts');
		expect(all.results.map((r) => r.value)).toEqual(['A00000001', 'A00000002', 'A00000003']);
		expect(all.results[0].name).toBe('Hopper Computing (A00000001)');

		const hop = await listSearch('searchAccounts', 'hop');
		expect(hop.results.map((r) => r.name)).toEqual(['Hopper Computing (A00000001)', 'hopscotch Ltd (A00000002)']);
		const [byName] = sandbox.requestsTo('GET', '/object-query/accounts').slice(-1);
		expect(byName.query['filter[]']).toBe('name.SW:hop');

		const byNumber = await listSearch('searchAccounts', 'A00000003');
		expect(byNumber.results.map((r) => r.value)).toEqual(['A00000003']);

		for (let i = 0; i < 55; i++) sandbox.seedAccount({ name: `Bulk ${i}` });
		const first = await listSearch('searchAccounts');
		expect(first.results).toHaveLength(50);
		expect(first.paginationToken).toBeDefined();
		const second = await listSearch('searchAccounts', undefined, first.paginationToken as string);
		expect(second.results).toHaveLength(8);
		expect(second.paginationToken).toBeUndefined();
		expect(sandbox.invalidRequests).toEqual([]);
	});

	it('searchSubscriptions lists subscription numbers with their status', async () => {
		const account = sandbox.seedAccount({ name: 'Sub Co' });
		const base = { resource: 'subscription', operation: 'create', accountNumber: account.accountNumber, productRatePlanId: '8ad09be48db5aba7018db5plan00pro-m', contractEffectiveDate: '2026-01-01', termType: 'TERMED', initialTerm: 12, initialTermPeriodType: 'Month', autoRenew: true };
		await runZuora(sandbox, base);
		await runZuora(sandbox, { ...base, additionalFields: { subscriptionNumber: 'KL-31337' } });
		const all = await listSearch('searchSubscriptions');
		expect(all.results.map((r) => r.value).sort()).toEqual(['A-S00000001', 'KL-31337'].sort());
		expect(all.results.find((r) => r.value === 'KL-31337')?.name).toBe('KL-31337 (Active)');
		const kl = await listSearch('searchSubscriptions', 'kl-');
		expect(kl.results.map((r) => r.value)).toEqual(['KL-31337']);
	});

	it('a filter on a field Object Query does not allow is Zuora\'s 4XX error, carried into the node error', async () => {
		sandbox.seedAccount({ name: 'Acme' });
		const error = await runZuoraError(sandbox, { resource: 'customApi', operation: 'request', method: 'GET', path: '/object-query/accounts', query: '{"filter[]": "shoesize.EQ:44"}' });
		expect(error.message).toBe("Zuora 400 (60000020): Field 'shoesize' is not filterable [field: shoesize] [item 0]");
	});
});

describe('Custom API Request', () => {
	it('GET a path with query parameters through the shared token and returns Zuora\'s JSON', async () => {
		const account = sandbox.seedAccount({ name: 'Custom Co' });
		const [out] = await runZuora(sandbox, { resource: 'customApi', operation: 'request', method: 'GET', path: `v1/accounts/${account.accountNumber}`, query: '{"unused": "x"}' });
		expect(out).toMatchObject({ success: true, basicInfo: { accountNumber: account.accountNumber } });
		const [get] = sandbox.requestsTo('GET', `/v1/accounts/${account.accountNumber}`);
		expect(get.query).toEqual({ unused: 'x' });
		expect(get.headers['zuora-version']).toBeDefined();
		expect(sandbox.tokenRequests).toBe(1);
	});

	it('POST carries a derived Idempotency-Key (or the given one); a full URL on the tenant host is accepted', async () => {
		const body = JSON.stringify({ name: 'Posted Co', currency: 'USD', billCycleDay: 1, autoPay: false, billToContact: { firstName: 'Ada', lastName: 'Lovelace' } });
		const [created] = await runZuora(sandbox, { resource: 'customApi', operation: 'request', method: 'POST', path: `${sandbox.url}/v1/accounts`, body });
		expect(created).toMatchObject({ success: true, accountNumber: 'A00000001' });
		const [post] = sandbox.requestsTo('POST', '/v1/accounts');
		expect(post.headers['idempotency-key']).toMatch(/^n8n-kb-custom-/);

		await runZuora(sandbox, { resource: 'customApi', operation: 'request', method: 'POST', path: '/v1/accounts', body, idempotencyKey: 'my-key-1' });
		expect(sandbox.requestsTo('POST', '/v1/accounts')[1].headers['idempotency-key']).toBe('my-key-1');
	});

	it('PUT sends the JSON body; Zuora\'s success:false answer becomes an error with its code and field', async () => {
		const account = sandbox.seedAccount({ name: 'Put Co' });
		const [ok] = await runZuora(sandbox, { resource: 'customApi', operation: 'request', method: 'PUT', path: `/v1/accounts/${account.accountNumber}`, body: '{"notes": "from n8n"}' });
		expect(ok).toMatchObject({ success: true });
		const error = await runZuoraError(sandbox, { resource: 'customApi', operation: 'request', method: 'PUT', path: `/v1/accounts/${account.accountNumber}`, body: '{"billCycleDay": 40}' });
		expect(error.message).toBe("Zuora 200 (53100020): Invalid value for field 'billCycleDay': must be a whole number from 0 to 31 [field: billCycleDay] [item 0]");
		expect(error.context.itemIndex).toBe(0);
	});

	it('refuses URLs on other hosts and malformed JSON before anything is sent', async () => {
		for (const path of ['https://evil.example/v1/accounts', '//evil.example/v1/accounts', 'http://127.0.0.1:1/v1/accounts']) {
			const error = await runZuoraError(sandbox, { resource: 'customApi', operation: 'request', method: 'GET', path });
			expect(error.message).toMatch(/is not on the Zuora host/);
		}
		const bad = await runZuoraError(sandbox, { resource: 'customApi', operation: 'request', method: 'POST', path: '/v1/accounts', body: '{nope' });
		expect(bad.message).toBe('"Body (JSON)" must be a JSON object [item 0]');
		expect(sandbox.requestsTo('GET', /^\/v1\//)).toHaveLength(0);
		expect(sandbox.requestsTo('POST', /^\/v1\//)).toHaveLength(0);
	});
});
