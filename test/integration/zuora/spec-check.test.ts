/**
 * The Zuora sandbox is refereed by Zuora's own OpenAPI spec (issue 15 item 15): a request the
 * spec refuses is answered as Zuora answers invalid input and recorded; an answer of the sandbox
 * outside the spec is recorded, turned into a 500 the caller sees, and makes stop() throw.
 */
import { ZuoraOAuth2Api } from '../../../credentials/ZuoraOAuth2Api.credentials';
import { ZUORA_VERSION } from '../../../nodes/Zuora/auth';
import { CLIENT_ID, CLIENT_SECRET, startZuora } from '../../helpers/zuora';
import { ZuoraSandbox } from '../../../dev/sandbox/zuora';
import { ZuoraSpec } from '../../../dev/sandbox/zuora/spec';

async function token(sandbox: ZuoraSandbox): Promise<string> {
	const res = await fetch(`${sandbox.url}/oauth/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'client_credentials' }).toString(),
	});
	expect(res.status).toBe(200);
	return ((await res.json()) as { access_token: string }).access_token;
}

describe('Zuora sandbox spec referee', () => {
	let sandbox: ZuoraSandbox;
	let bearer: string;

	beforeAll(async () => {
		sandbox = await startZuora();
		bearer = await token(sandbox);
	});

	afterAll(async () => {
		await sandbox.stop();
	});

	const post = async (path: string, body: unknown) =>
		await fetch(`${sandbox.url}${path}`, {
			method: 'POST',
			headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});

	it('refuses an OAuth client id that is not 36 characters (spec createToken.client_id) the OAuth way', async () => {
		const res = await fetch(`${sandbox.url}/oauth/token`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ client_id: 'short-id', client_secret: CLIENT_SECRET, grant_type: 'client_credentials' }).toString(),
		});
		expect(res.status).toBe(400);
		const body = (await res.json()) as { error: string; error_description: string };
		expect(body.error).toBe('invalid_request');
		expect(body.error_description).toContain('/client_id should NOT be shorter than 36 characters');
		expect(sandbox.invalidRequests.at(-1)).toMatchObject({ path: '/oauth/token', operation: 'createToken (POST /oauth/token)' });
	});

	it('refuses a mistyped REST body with spec CommonResponse (reasons, string codes)', async () => {
		const res = await post('/v1/accounts', { name: 'X', currency: 'USD', billCycleDay: 'first', billToContact: { firstName: 'A', lastName: 'B' } });
		expect(res.status).toBe(400);
		const body = (await res.json()) as { success: boolean; processId: string; reasons: Array<{ code: string; message: string }> };
		expect(body.success).toBe(false);
		expect(body.reasons[0].code).toBe('50000020');
		expect(body.reasons[0].message).toContain('/billCycleDay should be integer');
		expect(sandbox.accounts).toHaveLength(0);
		expect(sandbox.invalidRequests.at(-1)?.operation).toBe('POST_Account (POST /v1/accounts)');
	});

	it('refuses a CRUD body with spec ProxyBadRequestResponse (errors, lower case), e.g. a zone-less usage date-time', async () => {
		const account = sandbox.seedAccount({ name: 'Usage Co' });
		const res = await post('/v1/object/usage', { AccountNumber: account.accountNumber, UOM: 'API Call', Quantity: 1, StartDateTime: '2025-01-31T10:00:00' });
		expect(res.status).toBe(400);
		const body = (await res.json()) as { success: boolean; errors: Array<{ code: string; message: string }> };
		expect(body.success).toBe(false);
		expect(body.errors[0].message).toContain('/StartDateTime should match format "date-time"');
		expect(sandbox.usage).toHaveLength(0);
	});

	it('refuses a query parameter outside its declared range (GET_Catalog pageSize ≤ 40)', async () => {
		const res = await fetch(`${sandbox.url}/v1/catalog/products?pageSize=41`, { headers: { authorization: `Bearer ${bearer}` } });
		expect(res.status).toBe(400);
		expect(((await res.json()) as { reasons: Array<{ message: string }> }).reasons[0].message).toContain('query parameter pageSize="41": above the maximum 40');
	});

	it("the routes no node test reaches answer inside the spec too (ZOQL, subscriptions of an account, usage by id, import, 401s, idempotency 409/422)", async () => {
		const account = sandbox.seedAccount({ name: 'Sweep Co', crmId: '4242' });
		const get = async (path: string, auth = true) =>
			await fetch(`${sandbox.url}${path}`, { headers: auth ? { authorization: `Bearer ${bearer}` } : {} });
		expect((await post('/v1/action/query', { queryString: "select Id, Name, CrmId from Account where CrmId = '4242'" })).status).toBe(200);
		expect((await post('/v1/action/query', { queryString: 'select nonsense' })).status).toBe(200); // CRUD error under 200
		const order = await post('/v1/orders', {
			orderDate: '2025-04-01',
			existingAccountNumber: account.accountNumber,
			subscriptions: [{ orderActions: [{ type: 'CreateSubscription', triggerDates: [{ name: 'ContractEffective', triggerDate: '2025-04-01' }], createSubscription: { terms: { initialTerm: { termType: 'EVERGREEN' } }, subscribeToRatePlans: [{ productRatePlanId: '8ad09be48db5aba7018db5plan00pro-m' }] } }] }],
		});
		expect(((await order.json()) as { success: boolean }).success).toBe(true);
		expect((await get(`/v1/subscriptions/accounts/${account.accountNumber}`)).status).toBe(200);
		expect((await get('/v1/subscriptions/A-S404')).status).toBe(200); // not found: HTTP 200, success false
		const usage = (await (await post('/v1/object/usage', { AccountNumber: account.accountNumber, UOM: 'API Call', Quantity: 3, StartDateTime: '2025-04-01T10:00:00+02:00' })).json()) as { Id: string };
		expect((await get(`/v1/object/usage/${usage.Id}`)).status).toBe(200);
		const form = new FormData();
		form.append('file', new Blob([`ACCOUNT_ID,UOM,QTY,STARTDATE\n${account.accountNumber},API Call,5,04/01/2025\n`], { type: 'text/csv' }), 'april.csv');
		const upload = (await (await fetch(`${sandbox.url}/v1/usage`, { method: 'POST', headers: { authorization: `Bearer ${bearer}` }, body: form })).json()) as { checkImportStatus: string };
		const importId = /usage\/([^/]+)\/status/.exec(upload.checkImportStatus)?.[1];
		for (let i = 0; i < 3; i++) await get(`/v1/usage/${importId}/status`);
		expect((await get(`/v1/object/import/${importId}`)).status).toBe(200);
		expect((await get(`/v1/accounts/${account.accountNumber}`, false)).status).toBe(401);
		expect((await get(`/v1/object/usage/${usage.Id}`, false)).status).toBe(401);
		const keyed = async (body: unknown) =>
			await fetch(`${sandbox.url}/v1/accounts`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'idempotency-key': 'sweep-1' }, body: JSON.stringify(body) });
		const newAccount = { name: 'Keyed', currency: 'USD', billCycleDay: 1, billToContact: { firstName: 'A', lastName: 'B' } };
		expect((await keyed(newAccount)).status).toBe(200);
		expect((await keyed({ ...newAccount, name: 'Other' })).status).toBe(422);
		expect(sandbox.responseDeviations).toEqual([]);
	});

	it("the credential's Test request is pinned to the node's Zuora-Version and its answer is inside the spec", async () => {
		const { request } = new ZuoraOAuth2Api().test;
		expect(request.headers).toEqual({ 'Zuora-Version': ZUORA_VERSION });
		const url = `${sandbox.url}${request.url}?${new URLSearchParams(Object.entries(request.qs ?? {}).map(([k, v]): [string, string] => [k, String(v)]))}`;
		const pinned = await fetch(url, { headers: { authorization: `Bearer ${bearer}`, ...(request.headers as Record<string, string>) } });
		expect(pinned.status).toBe(200);
		expect(sandbox.responseDeviations).toEqual([]);
		// unpinned, the old embedded shape comes back: outside the spec
		expect((await fetch(url, { headers: { authorization: `Bearer ${bearer}` } })).status).toBe(500);
		expect(sandbox.takeResponseDeviations()).toHaveLength(1);
	});

	it('records a wrong answer, shows it as a 500, and stop() lists it', async () => {
		const broken = await startZuora();
		const account = broken.seedAccount({ name: 'Broken view' });
		// a deliberately wrong view: GETAccountType.basicInfo.id is a string, billCycleDay an integer
		broken.accountView = () => ({ basicInfo: { id: 42 }, billingAndPayment: { billCycleDay: 'first' }, success: true });
		const res = await fetch(`${broken.url}/v1/accounts/${account.accountNumber}`, { headers: { authorization: `Bearer ${await token(broken)}` } });
		expect(res.status).toBe(500);
		expect(JSON.stringify(await res.json())).toContain('sandbox_spec_violation');
		expect(broken.responseDeviations).toHaveLength(1);
		await expect(broken.stop()).rejects.toThrow(
			/GET \/v1\/accounts\/A\d+ → 200 \(GET_Account \(GET \/v1\/accounts\/\{account-key\}\)\): 200 body \/basicInfo\/id should be string.*\/billingAndPayment\/billCycleDay should be integer/,
		);
	});

	it('lets unknown extra fields through (additionalProperties: false is dropped), but not missing required ones', () => {
		const spec = ZuoraSpec.get();
		expect(spec.errorsAgainst('ProxyCreateUsage', { Quantity: 1, StartDateTime: '2025-01-31T10:00:00+01:00', UOM: 'API Call', Extra: true })).toEqual([]);
		expect(spec.errorsAgainst('ProxyCreateUsage', { Quantity: 1, UOM: 'API Call' }).join()).toContain("should have required property 'StartDateTime'");
	});

	it('ZUORA_SANDBOX_SPEC_CHECK=off switches the referee off (debugging only)', () => {
		const saved = process.env.ZUORA_SANDBOX_SPEC_CHECK;
		process.env.ZUORA_SANDBOX_SPEC_CHECK = 'off';
		try {
			expect(new ZuoraSandbox().specCheck).toBe(false);
		} finally {
			if (saved === undefined) delete process.env.ZUORA_SANDBOX_SPEC_CHECK;
			else process.env.ZUORA_SANDBOX_SPEC_CHECK = saved;
		}
		expect(new ZuoraSandbox().specCheck).toBe(true);
	});
});
