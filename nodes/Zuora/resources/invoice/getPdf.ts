import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forOperation, text } from '../../helpers';
import { zuoraDownload } from '../../download';
import { zuoraRequest } from '../../transport';
import { BinaryItem, type ItemOperation } from '../types';
import { invoiceKeyField, requireInvoiceKey } from './common';

/**
 * Invoice → Get PDF: the newest PDF of an invoice. GET /v1/invoices/{key}/files (spec
 * GET_InvoiceFiles) lists the invoice's files newest first as `{id, pdfFileUrl, versionNumber}`;
 * with Download on, GET {pdfFileUrl} (= /v1/files/{file-id}, spec GET_Files) puts the PDF in a
 * binary property. Zuora creates the PDF when the invoice is posted, so a draft has none.
 */
export const getPdf: ItemOperation = {
	kind: 'item',
	description: forOperation('invoice', 'getPdf', [
		invoiceKeyField,
		{
			displayName: 'Download',
			name: 'download',
			type: 'boolean',
			default: true,
			description: 'Whether to download the PDF into a binary property (off: only its file ID and URL)',
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			hint: 'The name of the output binary field to put the file in',
			displayOptions: { show: { download: [true] } },
		},
	]),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const key = requireInvoiceKey.call(this, itemIndex);
		const answer = await zuoraRequest.call(this, {
			method: 'GET',
			path: `/v1/invoices/${encodeURIComponent(key)}/files`,
			qs: { page: 1, pageSize: 1 },
			itemIndex,
		});
		const newest = ((answer.invoiceFiles ?? []) as IDataObject[])[0];
		if (!newest?.pdfFileUrl) {
			throw new NodeOperationError(this.getNode(), `Invoice ${key} has no PDF file in Zuora`, {
				itemIndex,
				description: 'Zuora creates the PDF when an invoice is posted. Post the invoice (or regenerate its PDF in Zuora), then run again.',
			});
		}
		const json: IDataObject = {
			invoiceKey: key,
			fileId: String(newest.pdfFileUrl).split('/').pop() ?? null,
			pdfFileUrl: newest.pdfFileUrl,
			versionNumber: newest.versionNumber ?? null,
		};
		if (!this.getNodeParameter('download', itemIndex, true)) return json;
		const property = text(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')) || 'data';
		const file = await zuoraDownload.call(this, String(newest.pdfFileUrl), itemIndex);
		const binary = await this.helpers.prepareBinaryData(file.data, `${key}.pdf`, file.contentType || 'application/pdf');
		return new BinaryItem({ ...json, fileName: `${key}.pdf`, fileSize: file.data.length }, { [property]: binary });
	},
};
