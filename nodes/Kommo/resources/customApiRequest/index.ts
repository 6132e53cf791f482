import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { KommoOperation } from '../common';
import * as request from './request';

export const customApiRequestOperations: INodeProperties = operationSelector('customApiRequest', 'request', [
	{
		name: 'Make a Request',
		value: 'request',
		description:
			'Call any Kommo API v4 endpoint (path under /api/v4/) with this credential, the 7 requests/second limit and retries; use it only when no other operation fits',
		action: 'Make a custom API request',
	},
]);

export const customApiRequestFields: INodeProperties[] = [...request.description];

export const customApiRequestExecute: Record<string, KommoOperation> = { request: request.execute };
