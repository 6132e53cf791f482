import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import { kommoLocator } from '../../locators';
import type { KommoOperation } from '../common';
import { show } from '../common';
import * as accept from './accept';
import * as decline from './decline';
import * as getMany from './getMany';
import { uidProperty } from './shared';

export const unsortedOperations: INodeProperties = operationSelector('unsorted', 'getMany', [
	{
		name: 'Accept',
		value: 'accept',
		description: 'Turn an incoming lead into a lead of its pipeline; the UID comes from Get Many',
		action: 'Accept an incoming lead',
	},
	{
		name: 'Decline',
		value: 'decline',
		description: 'Reject an incoming lead, e.g. spam; the UID comes from Get Many',
		action: 'Decline an incoming lead',
	},
	{
		name: 'Get Many',
		value: 'getMany',
		description: 'List incoming leads (forms, calls, mail, chats) that wait to be accepted or declined',
		action: 'Get many incoming leads',
	},
]);

export const unsortedFields: INodeProperties[] = [
	...getMany.description,
	uidProperty,
	kommoLocator(
		'user',
		'userId',
		'On Behalf Of',
		show('unsorted', ['accept', 'decline']),
		'The user Kommo records as having accepted or declined it; leave empty for the credential\'s user. Listing users needs an administrator; otherwise enter the ID.',
		false,
	),
	...accept.description,
	...decline.description,
];

export const unsortedExecute: Record<string, KommoOperation> = {
	getMany: getMany.execute,
	accept: accept.execute,
	decline: decline.execute,
};
