/**
 * Runs the Zuora node in-process (real n8n-core contexts, see n8n-context.ts)
 * against a ZuoraSandbox. One credential data object per "n8n instance":
 * the test credentials helper writes the token that preAuthentication
 * returns into it, as n8n writes it into its database.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ZuoraOAuth2Api } from '../../credentials/ZuoraOAuth2Api.credentials';
import { resetLimiters } from '../../nodes/shared/rate-limiter';
import { zuoraTokenCache } from '../../nodes/Zuora/token-cache';
import { Zuora } from '../../nodes/Zuora/Zuora.node';
import { ZuoraSandbox } from '../../dev/sandbox/zuora';
import { executeNode, loadOptions } from './n8n-context';

// Zuora OAuth client ids are 36 characters (spec createToken: client_id minLength = maxLength = 36)
export const CLIENT_ID = '6f1c2a4e-8f2e-4c1b-9a57-3d0b8e4f2a10';
export const CLIENT_SECRET = 'zuora-very-secret-client-value-42';

export async function startZuora(): Promise<ZuoraSandbox> {
	return await new ZuoraSandbox().addClient(CLIENT_ID, CLIENT_SECRET).start();
}

export function zuoraCredentials(sandbox: ZuoraSandbox, overrides: IDataObject = {}): ICredentialDataDecryptedObject {
	return {
		environment: 'custom',
		baseUrl: sandbox.url,
		clientId: CLIENT_ID,
		clientSecret: CLIENT_SECRET,
		accessToken: '',
		expiresAt: 0,
		refreshAt: 0,
		obtainedAt: 0,
		...overrides,
	};
}

/** Forget tokens and rate-limit state between tests. */
export function resetZuoraProcessState(): void {
	zuoraTokenCache.clear();
	resetLimiters();
}

export interface RunOptions {
	items?: IDataObject[];
	credentials?: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
	/** Same id = the same execution (n8n's Retry On Fail); default: a new execution per run. */
	executionId?: string;
}

let executions = 0;

export async function runZuora(
	sandbox: ZuoraSandbox,
	parameters: INodeParameters,
	options: RunOptions = {},
): Promise<IDataObject[]> {
	const [out] = await executeNode({
		nodeType: new Zuora(),
		parameters,
		credentials: { zuoraOAuth2Api: options.credentials ?? zuoraCredentials(sandbox) },
		credentialTypes: [new ZuoraOAuth2Api()],
		items: (options.items ?? [{}]).map((json) => ({ json }) as INodeExecutionData),
		continueOnFail: options.continueOnFail,
		executionId: options.executionId ?? `zuora-execution-${++executions}`,
	});
	return out.map((item) => item.json);
}

export async function runZuoraError(
	sandbox: ZuoraSandbox,
	parameters: INodeParameters,
	options: RunOptions = {},
): Promise<NodeApiError | NodeOperationError> {
	try {
		await runZuora(sandbox, parameters, options);
	} catch (error) {
		return error as NodeApiError | NodeOperationError;
	}
	throw new Error('expected the Zuora node to fail');
}

export async function zuoraLoadOptions(sandbox: ZuoraSandbox, method: string, parameters: INodeParameters = {}) {
	return await loadOptions(
		{
			nodeType: new Zuora(),
			parameters: { resource: 'subscription', operation: 'create', ...parameters },
			credentials: { zuoraOAuth2Api: zuoraCredentials(sandbox) },
			credentialTypes: [new ZuoraOAuth2Api()],
		},
		method,
	);
}

export { NodeApiError, NodeOperationError };
