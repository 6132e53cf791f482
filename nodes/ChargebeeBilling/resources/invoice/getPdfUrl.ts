import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { isoFromUnix } from '../../helpers';
import { callIdempotencyKey, chargebeeRequest, idPath } from '../../transport';
import { show } from '../types';

const displayOptions = show('invoice', ['getPdfUrl']);

export const description: INodeProperties[] = [
	{
		displayName: 'Invoice ID',
		name: 'invoiceId',
		type: 'string',
		required: true,
		default: '',
		displayOptions,
	},
	{
		displayName: 'Disposition',
		name: 'dispositionType',
		type: 'options',
		options: [
			{ name: 'Attachment (Download)', value: 'attachment' },
			{ name: 'Inline (Open in Browser)', value: 'inline' },
		],
		default: 'attachment',
		displayOptions,
	},
];

/** A short-lived download URL (see validTill); fetch or forward it before it expires. */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = String(this.getNodeParameter('invoiceId', i)).trim();
	const body = (await chargebeeRequest.call(this, {
		method: 'POST',
		path: idPath('/invoices/{id}/pdf', id),
		form: { disposition_type: this.getNodeParameter('dispositionType', i, 'attachment') as string },
		idempotencyKey: callIdempotencyKey('invoice-pdf'),
		itemIndex: i,
	})) as IDataObject;
	const download = body.download as IDataObject;
	return {
		invoiceId: id,
		downloadUrl: download.download_url,
		validTill: download.valid_till,
		validTillIso: isoFromUnix(download.valid_till),
		mimeType: download.mime_type ?? 'application/pdf',
	};
}
