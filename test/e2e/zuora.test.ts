// Zuora in a real n8n 2.40.7 with the packed package installed (one n8n for this file):
//  - the Zuora Trigger answers Zuora's credential-less first call with the Basic challenge,
//    and the retried call with credentials starts exactly one execution;
//  - a forged HMAC gets 401 and starts nothing (a valid one runs: n8n hands us the raw body);
//  - the Zuora node shares one OAuth token between concurrent executions, n8n stores it with
//    the credential (preAuthentication + expirable property) so it survives a restart, and a
//    401 refreshes it once.
import path from 'node:path';

import { nodeOutput, startN8n, type N8nHandle } from '../../dev/n8n';
import { ZuoraSandbox } from '../../dev/sandbox/zuora';

const FIXTURES = path.join(__dirname, 'fixtures', 'zuora');
const BASIC_WF = 'E2E Zuora callout Basic';
const HMAC_WF = 'E2E Zuora callout HMAC';
const ACCOUNT_WF = 'E2E Zuora find or create account';

const CALLOUT_USER = 'zuora-e2e';
const CALLOUT_PASSWORD = 'e2e-callout-password-123456';
const HMAC_SECRET = 'e2e-hmac-secret-0123456789abcdef';
const CLIENT_ID = 'e2e0a0b1-c2d3-4e5f-8a9b-0c1d2e3f4a03'; // 36 characters (spec createToken.client_id)
const CLIENT_SECRET = 'e2e-client-secret-value-0987';

const callout = {
	eventType: 'PaymentDeclined',
	objectId: '8ad0887e8f0e4b5a018f1c0d3e4f5a6b',
	// recent: the trigger refuses callouts older than its Max Event Age (7 days by default)
	eventTimestamp: new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000).toISOString().replace('Z', '+00:00'),
	accountNumber: 'A00000042',
	crmId: '31337',
	paymentNumber: 'P-00000012',
	amount: '49.00',
	currency: 'USD',
	gatewayResponse: 'Insufficient funds',
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Zuora in a real n8n', () => {
	let n8n: N8nHandle;
	let zuora: ZuoraSandbox;

	beforeAll(async () => {
		zuora = await new ZuoraSandbox().addClient(CLIENT_ID, CLIENT_SECRET).start();
		n8n = await startN8n({
			name: 'zuora',
			workflows: [path.join(FIXTURES, 'callouts.workflow.json'), path.join(FIXTURES, 'provision.workflow.json')],
			credentials: [
				{
					id: 'e2eZuoraCallout1',
					name: 'Zuora callout (e2e)',
					type: 'zuoraCalloutAuthApi',
					data: { user: CALLOUT_USER, password: CALLOUT_PASSWORD, hmacSecret: HMAC_SECRET, urlSecret: '' },
				},
				{
					id: 'e2eZuoraOAuth01',
					name: 'Zuora sandbox (e2e)',
					type: 'zuoraOAuth2Api',
					data: {
						environment: 'custom',
						baseUrl: zuora.url,
						clientId: CLIENT_ID,
						clientSecret: CLIENT_SECRET,
						accessToken: '',
						expiresAt: 0,
						refreshAt: 0,
						obtainedAt: 0,
					},
				},
			],
			waitForWebhooks: ['e2e-zuora-basic/callout', 'e2e-zuora-hmac/callout'],
		});
		process.stderr.write(`zuora e2e timings: ${JSON.stringify(n8n.timings)}\n`);
	});

	afterAll(async () => {
		await n8n?.stop();
		await zuora?.stop();
	});

	test('a Basic-auth callout is challenged with 401 first, then yields exactly one execution', async () => {
		const workflowId = n8n.workflowIds[BASIC_WF];
		expect(await n8n.api.executions({ workflowId })).toHaveLength(0);

		const { attempts, final } = await zuora.sendCallout(n8n.webhookUrl('e2e-zuora-basic/callout'), callout, {
			type: 'basic',
			user: CALLOUT_USER,
			password: CALLOUT_PASSWORD,
		});
		expect(attempts.map((a) => a.status)).toEqual([401, 200]);
		expect(attempts[0].headers['www-authenticate']).toBe('Basic realm="Kommo Billing E2E", charset="UTF-8"');
		expect(final.status).toBe(200);

		const [execution] = await n8n.api.waitForExecutions(workflowId, 1);
		expect(execution.status).toBe('success');
		await pause(1500);
		expect(await n8n.api.executions({ workflowId })).toHaveLength(1);

		const detail = await n8n.api.execution(execution.id);
		const [item] = nodeOutput(detail, 'Zuora Trigger');
		expect(item.event).toEqual(callout);
		expect(item.normalized).toMatchObject({
			vendor: 'zuora',
			eventType: 'PaymentDeclined',
			category: 'payment_failed',
			// ':' inside a key part is escaped (security review L4)
			dedupeKey: `zuora:${callout.objectId}:PaymentDeclined:${callout.eventTimestamp.replace(/:/g, '%3A')}`,
			kommoLeadId: 31337,
			amount: { minor: '4900', decimal: '49.00', currency: 'USD', formatted: '49.00 USD' },
		});
	});

	test('wrong Basic credentials are refused (401 with the challenge) and start nothing', async () => {
		const workflowId = n8n.workflowIds[BASIC_WF];
		const before = (await n8n.api.executions({ workflowId })).length;
		const { attempts } = await zuora.sendCallout(n8n.webhookUrl('e2e-zuora-basic/callout'), callout, {
			type: 'basic',
			user: CALLOUT_USER,
			password: 'guessed-password',
		});
		expect(attempts.map((a) => a.status)).toEqual([401, 401]);
		await pause(1500);
		expect(await n8n.api.executions({ workflowId })).toHaveLength(before);
	});

	test('a forged HMAC signature yields 401 and no execution; a valid one runs', async () => {
		const workflowId = n8n.workflowIds[HMAC_WF];
		const url = n8n.webhookUrl('e2e-zuora-hmac/callout');

		const forged = await zuora.sendCallout(url, callout, { type: 'hmac', secret: 'not-the-shared-secret' });
		expect(forged.final.status).toBe(401);
		const unsigned = await zuora.sendCallout(url, callout, { type: 'none' });
		expect(unsigned.final.status).toBe(401);
		await pause(1500);
		expect(await n8n.api.executions({ workflowId })).toHaveLength(0);

		const valid = await zuora.sendCallout(url, callout, { type: 'hmac', secret: HMAC_SECRET, headerName: 'X-Zuora-Signature' });
		expect(valid.final.status).toBe(200);
		const executions = await n8n.api.waitForExecutions(workflowId, 1);
		expect(executions).toHaveLength(1);
	});

	test('the Zuora node shares one OAuth token across executions, keeps it over a restart, refreshes once on 401', async () => {
		const workflowId = n8n.workflowIds[ACCOUNT_WF];
		const provision = async (leadId: number) => {
			const response = await fetch(n8n.webhookUrl('e2e-zuora-account'), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ leadId: String(leadId), company: `Lead ${leadId} Inc`, firstName: 'Ada', lastName: 'Lovelace' }),
			});
			expect(response.status).toBe(200);
			return (await response.json()) as Record<string, unknown>;
		};

		const accounts = await Promise.all([101, 102, 103, 104].map(provision));
		expect(accounts.map((a) => a.crmId)).toEqual(['101', '102', '103', '104']);
		expect(accounts.every((a) => a.created === true)).toBe(true);
		expect(zuora.tokenRequests).toBe(1);

		// n8n stored the token with the credential: a restarted n8n reuses it.
		await n8n.restart();
		const again = await provision(101);
		expect(again).toMatchObject({ created: false, crmId: '101' });
		expect(zuora.tokenRequests).toBe(1);

		// Zuora drops the token early: the 401 makes n8n refresh it once and retry.
		zuora.revokeTokens();
		const afterRevoke = await provision(105);
		expect(afterRevoke).toMatchObject({ created: true, crmId: '105' });
		expect(zuora.tokenRequests).toBe(2);
		expect(zuora.accounts).toHaveLength(5);

		const executions = await n8n.api.waitForExecutions(workflowId, 6);
		expect(executions.every((e) => e.status === 'success')).toBe(true);
		expect(n8n.logs()).not.toContain(CLIENT_SECRET);
	});

	test('testing the credentials in n8n: a token is fetched and the catalog answers; a wrong secret is reported', async () => {
		type TestResult = { status: string; message: string };
		const oauth = (clientSecret: string) => ({
			credentials: {
				id: 'e2eZuoraOAuth01',
				name: 'Zuora sandbox (e2e)',
				type: 'zuoraOAuth2Api',
				data: { environment: 'custom', baseUrl: zuora.url, clientId: CLIENT_ID, clientSecret, accessToken: '' },
			},
		});
		const good = await n8n.api.request<TestResult>('POST', '/rest/credentials/test', oauth(CLIENT_SECRET));
		expect(good.status).toBe('OK');
		expect(zuora.requestsTo('GET', '/v1/catalog/products').length).toBeGreaterThan(0);

		const wrongSecret = 'wrong-secret-for-the-e2e-test';
		const bad = await n8n.api.request<TestResult>('POST', '/rest/credentials/test', oauth(wrongSecret));
		expect(bad.status).toBe('Error');
		expect(bad.message).toContain('invalid_client');
		expect(bad.message).not.toContain(wrongSecret);

		const callout = await n8n.api.request<TestResult>('POST', '/rest/credentials/test', {
			credentials: {
				id: 'e2eZuoraCallout1',
				name: 'Zuora callout (e2e)',
				type: 'zuoraCalloutAuthApi',
				data: { user: CALLOUT_USER, password: 'short', hmacSecret: '', urlSecret: '' },
			},
		});
		expect(callout).toEqual({ status: 'Error', message: 'Too short to be safe: Basic Auth Password (use a long random value)' });
	});
});
