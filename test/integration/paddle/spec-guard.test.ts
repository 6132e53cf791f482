/**
 * The Paddle sandbox is checked against Paddle's OpenAPI spec at run time (issue 15 item 15;
 * dev/sandbox/paddle/spec.ts). These tests feed it deliberately wrong traffic and prove the
 * checker catches each kind: a request is refused with Paddle's 400 `invalid_field` envelope and
 * recorded, a wrong answer and a wrong notification are recorded, and stop() throws listing them.
 */
import { PaddleSandbox, SANDBOX_API_KEY } from '../../../dev/sandbox/paddle';
import { takeDeviations } from '../../../dev/sandbox/paddle/spec';
import { PaddleSpec } from './openapi';

jest.setTimeout(30_000);

let sandbox: PaddleSandbox;
const spec = new PaddleSpec();

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
	const response = await fetch(`${sandbox.url}${path}`, {
		method,
		headers: { authorization: `Bearer ${SANDBOX_API_KEY}`, 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: response.status, body: response.status === 204 ? {} : ((await response.json()) as Record<string, any>) };
}

beforeEach(async () => {
	sandbox = await new PaddleSandbox().start();
});
afterEach(async () => {
	// each test reads its own deviations; none may leak into the file's guard
	takeDeviations(sandbox);
	await sandbox.stop();
});

describe('requests', () => {
	it('a body that breaks the operation\'s schema is refused with 400 invalid_field and recorded', async () => {
		const answer = await call('POST', '/customers', { email: 42, name: 'X' });
		expect(answer.status).toBe(400);
		// developer.paddle.com/errors/shared/invalid_field: type, code, detail, documentation_url, errors[{field, message}]
		expect(answer.body.error).toMatchObject({
			type: 'request_error',
			code: 'invalid_field',
			detail: 'Request does not pass validation.',
			documentation_url: 'https://developer.paddle.com/errors/shared/invalid_field',
			errors: [expect.objectContaining({ field: 'email', message: expect.stringContaining('string') })],
		});
		expect(spec.errors(PaddleSpec.schema('error'), answer.body)).toEqual([]);
		expect(sandbox.customers.size).toBe(0);
		expect(sandbox.specGuard.deviations.map((d) => [d.kind, d.what])).toEqual([['request', 'POST /customers']]);
		await expect(sandbox.stop()).rejects.toThrow(/request POST \/customers: email should be string/);
	});

	it('query parameters: a value outside the enum, an unknown parameter, a non-integer per_page', async () => {
		expect((await call('GET', '/customers?status=gone')).body.error.errors).toEqual([expect.objectContaining({ field: 'status.0' })]);
		expect((await call('GET', '/customers?colour=red')).body.error.errors).toEqual([{ field: 'colour', message: 'is not a query parameter of GET /customers' }]);
		expect((await call('GET', '/prices?per_page=ten')).status).toBe(400);
		expect((await call('GET', '/prices?include=product,price')).body.error.errors).toEqual([expect.objectContaining({ field: 'include.1' })]);
		expect(sandbox.specGuard.deviations).toHaveLength(4);
	});

	it('a body where the operation takes none', async () => {
		const answer = await call('DELETE', '/notification-settings/ntfset_01hv8x2af22vrrz7k67g06x1kq', { active: false });
		expect(answer.body.error.errors).toEqual([{ field: '(body)', message: 'DELETE /notification-settings/{notification_setting_id} takes no request body' }]);
		expect(sandbox.specGuard.deviations).toHaveLength(1);
	});

	it('valid requests pass, and comma-separated arrays are read as arrays', async () => {
		expect((await call('POST', '/customers', { email: 'ok@example.com', custom_data: { a: 1 } })).status).toBe(201);
		expect((await call('GET', '/customers?status=active,archived&email=ok@example.com')).status).toBe(200);
		expect((await call('GET', '/prices?include=product&recurring=true&per_page=5')).status).toBe(200);
		expect(sandbox.specGuard.deviations).toEqual([]);
		await sandbox.stop(); // does not throw
		sandbox = await new PaddleSandbox().start();
	});

	it('a test that sends bad input on purpose opts out: still refused, listed, not a deviation', async () => {
		sandbox.tolerateInvalidRequests = true;
		expect((await call('POST', '/customers', { email: 42 })).status).toBe(400);
		expect(sandbox.specGuard.refused).toEqual([expect.objectContaining({ method: 'POST', path: '/customers' })]);
		expect(sandbox.specGuard.deviations).toEqual([]);
		sandbox.reset();
		expect(sandbox.tolerateInvalidRequests).toBe(false);
	});
});

describe('per_page as the spec states it', () => {
	it('above the maximum is clamped where the spec says Paddle clamps (per_page_query: maximum 200)', async () => {
		const list = await call('GET', '/customers?per_page=500');
		expect(list.status).toBe(200);
		expect(list.body.meta.pagination.per_page).toBe(200);
		const settings = await call('GET', '/notification-settings?per_page=1000');
		expect(settings.body.meta.pagination.per_page).toBe(200);
	});

	it('GET /transactions, whose per_page states no clamp (maximum 30), refuses 31', async () => {
		sandbox.tolerateInvalidRequests = true;
		const answer = await call('GET', '/transactions?per_page=31');
		expect(answer.status).toBe(400);
		expect(answer.body.error.errors).toEqual([expect.objectContaining({ field: 'per_page' })]);
		expect((await call('GET', '/transactions?per_page=30')).status).toBe(200);
	});
});

describe('answers and notifications', () => {
	it('an answer missing a field or with a wrong type is recorded, and stop() throws', async () => {
		// `customer` lists no `required`; every declared field counts as required in answers
		// (spec.ts forAnswers: Paddle's answers carry every field, null when empty)
		const created = await call('POST', '/customers', { email: 'shape@example.com' });
		const stored = sandbox.customers.get(created.body.data.id as string)!;
		delete stored.status; // required by components/schemas/customer
		stored.marketing_consent = 'no'; // boolean in the spec
		expect((await call('GET', `/customers/${stored.id as string}`)).status).toBe(200);
		const [deviation] = sandbox.specGuard.deviations;
		expect(deviation.kind).toBe('response');
		expect(deviation.what).toBe(`GET /customers/${stored.id as string} → 200`);
		expect(deviation.errors.join('\n')).toMatch(/data should have required property 'status'/);
		expect(deviation.errors.join('\n')).toMatch(/data\.marketing_consent should be boolean/);
		await expect(sandbox.stop()).rejects.toThrow(/response GET \/customers\/ctm_\w+ → 200/);
	});

	it('an enum value the spec does not list is recorded (e.g. a payment error_code)', async () => {
		const customer = sandbox.createCustomer({ email: 'pay@example.com', name: 'Pay' });
		const address = sandbox.createAddressFor(customer.id as string, 'US');
		const transaction = sandbox.createTransaction({ items: [{ price_id: sandbox.seed.monthlyUsd, quantity: 1 }], customer_id: customer.id, address_id: address.id });
		sandbox.failPayment(transaction.id as string, 'not_enough_balance'); // Paddle's code (schema error_code)
		expect(sandbox.specGuard.deviations).toEqual([]);
		sandbox.failPayment(transaction.id as string, 'insufficient_funds'); // not Paddle's
		expect(sandbox.specGuard.deviations.map((d) => [d.kind, d.errors[0]])).toEqual([
			['notification', expect.stringMatching(/^data\.payments\.0\.error_code should be equal to one of the allowed values/)],
		]);
	});

	it('a status the operation does not declare, an operation the spec lacks, a malformed error envelope are recorded', async () => {
		sandbox.specGuard.response({ method: 'GET', path: '/event-types' }, 201, '{"data":[],"meta":{"request_id":"x"}}');
		sandbox.specGuard.response({ method: 'GET', path: '/no-such-thing' }, 200, '{}');
		sandbox.specGuard.errorBody(404, { error: { type: 'oops', code: 'not_found' } });
		expect(sandbox.specGuard.deviations.map((d) => d.errors[0])).toEqual([
			expect.stringMatching(/^status 201 is not a response of GET \/event-types/),
			'the spec has no such operation',
			expect.stringMatching(/error\.type should be equal to one of the allowed values|should have required property/),
		]);
	});

	it('a sandbox that was never started is caught by the jest guard (takeDeviations)', () => {
		const unstarted = new PaddleSandbox();
		unstarted.emit('customer.created', { id: 'not-a-customer-id' });
		const left = takeDeviations(unstarted);
		expect(left.map((d) => d.kind)).toEqual(['notification']);
		expect(left[0].errors.join('\n')).toMatch(/data\.id should match pattern/);
	});
});

describe('"every declared field" holds for Paddle\'s own examples', () => {
	it('every response and webhook example of the spec validates as an answer (the OPTIONAL list is complete)', () => {
		const answers = new PaddleSpec(undefined, true);
		const doc = answers.doc as unknown as { paths: Record<string, Record<string, any>>; webhooks: Record<string, any>; components: { examples: Record<string, { value: unknown }> } };
		const value = (ex: { value?: unknown; $ref?: string }) => (ex.$ref ? doc.components.examples[ex.$ref.split('/').pop()!].value : ex.value);
		const failures: string[] = [];
		let checked = 0;
		for (const [path, ops] of Object.entries(doc.paths)) {
			for (const [method, op] of Object.entries(ops)) {
				for (const [status, response] of Object.entries((op?.responses ?? {}) as Record<string, any>)) {
					const examples = response?.content?.['application/json']?.examples ?? {};
					for (const [name, ex] of Object.entries(examples as Record<string, { value?: unknown; $ref?: string }>)) {
						checked++;
						// Not modelled by the sandbox, and their examples fit the spec's oneOf only loosely:
						// update-payment-method-transaction omits its include-style fields (not x-included),
						// simulations' examples mix the standard and scenario variants.
						if (path.endsWith('/update-payment-method-transaction') || path.startsWith('/simulations')) continue;
						const errors = answers.errors(PaddleSpec.response(path, method, status), value(ex));
						if (errors.length > 0) failures.push(`${method} ${path} ${status} ${name}: ${errors[0]}`);
					}
				}
			}
		}
		for (const [type, hook] of Object.entries(doc.webhooks)) {
			for (const ex of Object.values((hook.post.requestBody.content['application/json'].examples ?? {}) as Record<string, { value?: unknown; $ref?: string }>)) {
				checked++;
				const errors = answers.errors(PaddleSpec.notification(type), value(ex));
				if (errors.length > 0) failures.push(`webhook ${type}: ${errors[0]}`);
			}
		}
		expect(checked).toBeGreaterThan(120);
		expect(failures).toEqual([]);
	});
});
