/**
 * Callouts are configured in Zuora (a callout template or notification pointing at this webhook
 * URL, see docs/zuora.md); nothing is registered remotely. The lifecycle only remembers which URL
 * is live, so the URL to paste into Zuora is visible in the workflow's static data, and refuses to
 * activate with a Signed Data Template that cannot work.
 */
import type { IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { compileTemplate } from './callout-template';

export async function checkExists(this: IHookFunctions): Promise<boolean> {
	const data = this.getWorkflowStaticData('node');
	return data.webhookUrl === this.getNodeWebhookUrl('default');
}

export async function create(this: IHookFunctions): Promise<boolean> {
	const authentication = this.getNodeParameter('authentication', 'basic') as string;
	if (authentication === 'hmac' && this.getNodeParameter('hmacSignedData', 'rawBody') === 'template') {
		const compiled = compileTemplate(this.getNodeParameter('hmacTemplate', '') as string);
		if (!compiled.ok) throw new NodeOperationError(this.getNode(), `Zuora Trigger: ${compiled.problem}`);
	}
	const data = this.getWorkflowStaticData('node');
	data.webhookUrl = this.getNodeWebhookUrl('default');
	return true;
}

export async function remove(this: IHookFunctions): Promise<boolean> {
	const data = this.getWorkflowStaticData('node');
	delete data.webhookUrl;
	return true;
}
