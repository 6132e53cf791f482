/** What the incoming-lead (unsorted) operations share. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { show } from '../common';

export const uidProperty: INodeProperties = {
	displayName: 'Incoming Lead UID',
	name: 'uid',
	type: 'string',
	default: '',
	required: true,
	displayOptions: show('unsorted', ['accept', 'decline']),
	placeholder: 'e.g. 5af9dedb6f2c6a29eaac6ee37fc75ffbb66e139e4603bdd0e14e39d4b319',
	description: 'The "uid" of the incoming lead, from Incoming Lead → Get Many',
};

export function uidParameter(ctx: IExecuteFunctions, itemIndex: number): string {
	const uid = String(ctx.getNodeParameter('uid', itemIndex, '') ?? '').trim();
	if (uid === '' || /[/?#\s]/.test(uid)) {
		throw new NodeOperationError(ctx.getNode(), uid === '' ? 'The incoming lead UID is empty' : `"${uid}" is not an incoming lead UID`, {
			itemIndex,
			description: 'Use the "uid" field that Incoming Lead → Get Many returns (a long hexadecimal text).',
		});
	}
	return uid;
}

function firstId(embedded: IDataObject | undefined, key: string): IDataObject[keyof IDataObject] {
	const list = (embedded?.[key] ?? []) as IDataObject[];
	return list[0]?.id ?? null;
}

/**
 * An incoming lead, or Kommo's answer to accept/decline, with the ids of its lead, contact and
 * company taken out of `_embedded` (at most 10 fields; HAL links dropped).
 */
export function shapeIncoming(u: IDataObject): IDataObject {
	const embedded = u._embedded as IDataObject | undefined;
	return {
		uid: u.uid,
		category: u.category ?? null,
		pipeline_id: u.pipeline_id ?? null,
		created_at: u.created_at ?? null,
		...(u.source_name !== undefined ? { source_name: u.source_name } : {}),
		...(u.source_uid !== undefined ? { source_uid: u.source_uid } : {}),
		...(u.metadata !== undefined ? { metadata: u.metadata } : {}),
		lead_id: firstId(embedded, 'leads'),
		contact_id: firstId(embedded, 'contacts'),
		company_id: firstId(embedded, 'companies'),
	};
}
