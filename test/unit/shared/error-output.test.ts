/**
 * "On Error → Continue (using error output)": n8n moves an item to a node's error output when
 * the item carries `error`, or when its JSON has no keys besides `error`, `message` and `details`
 * (n8n 2.x; n8n 1.x only `error` alone or `error` + `message`: WorkflowExecute.
 * handleNodeErrorOutput); otherwise a failed item stays on the success output, where the next
 * step would treat it as a result. Our items do both, so they route in every supported n8n. The shipped workflows rely on the
 * error outputs of the Kommo and vendor nodes to turn a failure into a Kommo task, so every
 * action node's per-item error must have that shape. The errors below are raised before any
 * HTTP call (bad input), so no sandbox is needed.
 */
import type { IDataObject, INodeParameters, INodeType } from 'n8n-workflow';

import { ChargebeeBilling } from '../../../nodes/ChargebeeBilling/ChargebeeBilling.node';
import { Kommo } from '../../../nodes/Kommo/Kommo.node';
import { PaddleBilling } from '../../../nodes/PaddleBilling/PaddleBilling.node';
import { Zuora } from '../../../nodes/Zuora/Zuora.node';
import { executeNode } from '../../helpers/n8n-context';

const ROUTED_KEYS = ['error', 'message', 'details'];

const cases: Array<[string, INodeType, INodeParameters]> = [
	['Kommo Lead → Get (bad id)', new Kommo(), { authentication: 'longLivedToken', resource: 'lead', operation: 'get', leadId: { __rl: true, mode: 'id', value: 'abc' } }],
	['Kommo Lead → Update (per-item loop)', new Kommo(), { authentication: 'longLivedToken', resource: 'lead', operation: 'update', leadId: { __rl: true, mode: 'id', value: 'abc' } }],
	['Kommo Note → Add (batch)', new Kommo(), { authentication: 'longLivedToken', resource: 'note', operation: 'addToLead', leadId: { __rl: true, mode: 'id', value: '5' }, text: ' ' }],
	['Kommo Task → Create (batch)', new Kommo(), { authentication: 'longLivedToken', resource: 'task', operation: 'createForLead', leadId: { __rl: true, mode: 'id', value: '5' }, text: '' }],
	['Chargebee Subscription → Create', new ChargebeeBilling(), { resource: 'subscription', operation: 'create', customerId: 'not an id!' }],
	['Paddle Address → Create', new PaddleBilling(), { resource: 'address', operation: 'create', customerId: 'nope', countryCode: 'US' }],
	['Zuora Subscription → Create', new Zuora(), { resource: 'subscription', operation: 'create', accountNumber: '', productRatePlanId: 'x', contractEffectiveDate: '2025-01-01' }],
];

describe('failed items have the shape n8n routes to the error output', () => {
	test.each(cases)('%s', async (_name, nodeType, parameters) => {
		const out = await executeNode({ nodeType, parameters, items: [{ json: { leadId: 5 } }], continueOnFail: true });
		expect(out[0]).toHaveLength(1);
		const json = out[0][0].json as IDataObject;
		expect(typeof json.error).toBe('string');
		expect((json.error as string).length).toBeGreaterThan(0);
		expect(Object.keys(json).filter((key) => !ROUTED_KEYS.includes(key))).toEqual([]);
		expect(out[0][0].pairedItem).toEqual({ item: 0 });
		// n8n 1.x does not route { error, details } by its JSON: the item's own error does it
		expect(out[0][0].error).toBeInstanceOf(Error);
	});
});
