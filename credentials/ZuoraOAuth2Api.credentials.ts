import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { requestAccessToken, tokenIdentity, ZUORA_ENVIRONMENTS, ZUORA_VERSION, zuoraTokenCache } from '../nodes/Zuora/auth';

/**
 * Zuora OAuth 2.0 client credentials.
 *
 * The access token lives in the hidden, expirable `accessToken` property:
 * n8n calls `preAuthentication` when it is empty or after a 401, stores the
 * result with the credential (shared by executions and queue-mode workers)
 * and retries the refused request once. The process-wide cache in
 * nodes/Zuora/token-cache.ts makes concurrent callers share one token request
 * and lets the node refresh shortly before `expires_in` runs out.
 *
 * This departs on purpose from n8n's `extends: ['oAuth2Api']` client-credentials
 * credential: Zuora limits token requests per IP address, so the token is fetched
 * and cached by our own code (docs/zuora.md). nodes/Zuora/auth.ts is the only
 * node file this credential imports.
 */
export class ZuoraOAuth2Api implements ICredentialType {
	name = 'zuoraOAuth2Api';

	displayName = 'Zuora OAuth2 API';

	icon = { light: 'file:../icons/zuora.svg', dark: 'file:../icons/zuora.dark.svg' } as const;

	documentationUrl = 'https://developer.zuora.com/v1-api-reference/api/authentication/';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: ZUORA_ENVIRONMENTS,
			default: 'https://rest.apisandbox.zuora.com',
			description:
				'The Zuora REST endpoint of your tenant. Your tenant URL tells which one: e.g. apisandbox.zuora.com → US API Sandbox (Cloud 2).',
		},
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://rest.apisandbox.zuora.com',
			description:
				'Optional. When set, used instead of the environment (other data centers, a proxy, or a local sandbox).',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Entity ID (Multi-Entity Tenants)',
			name: 'entityId',
			type: 'string',
			default: '',
			description:
				'Only for Zuora Multi-entity: the ID of the entity the calls act in, sent as the Zuora-Entity-Ids header. Leave empty for a single-entity tenant.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Expires At',
			name: 'expiresAt',
			type: 'hidden',
			default: 0,
		},
		{
			displayName: 'Refresh At',
			name: 'refreshAt',
			type: 'hidden',
			default: 0,
		},
		{
			displayName: 'Obtained At',
			name: 'obtainedAt',
			type: 'hidden',
			default: 0,
		},
	];

	/**
	 * Called by n8n when the stored token is empty, after a 401, and when the
	 * credential is tested. `credentials.accessToken` is then the token that
	 * was refused (authenticate() records what it sent), or '' at first use.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		const identity = tokenIdentity(credentials);
		const fetcher = async () =>
			await requestAccessToken((options) => this.helpers.httpRequest(options), identity);
		const rejected = typeof credentials.accessToken === 'string' ? credentials.accessToken : '';
		const record = rejected
			? await zuoraTokenCache.renewRejected(identity, rejected, fetcher)
			: await zuoraTokenCache.fresh(identity, fetcher);
		return {
			accessToken: record.accessToken,
			expiresAt: record.expiresAt,
			refreshAt: record.refreshAt,
			obtainedAt: record.obtainedAt,
		};
	}

	/**
	 * Signs with the freshest token this process has for the credential (the
	 * node refreshes it shortly before expiry), else the stored one.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		let token = typeof credentials.accessToken === 'string' ? credentials.accessToken : '';
		try {
			token = zuoraTokenCache.current(tokenIdentity(credentials))?.accessToken ?? token;
		} catch {
			// incomplete credential: the stored token (if any) is all there is
		}
		// Remember which token this request carries: after a 401 n8n passes this
		// same object to preAuthentication, which then replaces exactly this token.
		credentials.accessToken = token;
		requestOptions.headers = { ...(requestOptions.headers ?? {}), Authorization: `Bearer ${token}` };
		return requestOptions;
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.baseUrl || $credentials.environment }}',
			url: '/v1/catalog/products',
			qs: { pageSize: 1 },
			// pinned like every node call: unpinned, the tenant's default version answers in old
			// shapes (embedded rate plans) that Zuora's current spec no longer describes
			headers: { 'Zuora-Version': ZUORA_VERSION },
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'success', value: false, message: 'Zuora refused the request; check the environment.' },
			},
		],
	};
}
