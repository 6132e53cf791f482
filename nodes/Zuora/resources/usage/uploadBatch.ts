import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { optionsCollection } from '../../../shared/descriptions';
import { forOperation, text, timeZoneOf } from '../../helpers';
import { buildUsageFiles, type RowProblem, type UsageDateFormat, type UsageInput, validateUsageRows } from '../../usage-csv';
import type { BatchOperation } from '../types';
import { importUsageFile, reportError, type FileReport } from './import';

/**
 * Usage → Upload Batch: every input item becomes one CSV row; the rows go to
 * Zuora as usage files (multipart, ≤ 4 MB each, split when larger), then
 * each file's import is polled until it is Completed, Failed or Canceled.
 *
 * Rows are checked before anything is uploaded: a bad row stops the batch
 * with a report naming every bad item and field, and nothing is sent.
 * Zuora imports a file all or nothing; when it fails a file, the lines its
 * status message names are mapped back to the input items.
 */
export const uploadBatch: BatchOperation = {
	kind: 'batch',
	description: forOperation('usage', 'uploadBatch', [
		{
			displayName: 'Account Number',
			name: 'accountNumber',
			type: 'string',
			required: true,
			default: '',
			placeholder: '={{ $json.accountNumber }}',
			description: 'Per item: the account the usage belongs to (CSV column ACCOUNT_ID)',
		},
		{
			displayName: 'Unit of Measure',
			name: 'uom',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'API Call',
		},
		{
			displayName: 'Quantity',
			name: 'quantity',
			description: 'How many units of the Unit of Measure were used (one CSV row per input item)',
			type: 'string',
			required: true,
			default: '',
			placeholder: '={{ $json.quantity }}',
		},
		{
			displayName: 'Start Date',
			name: 'startDate',
			type: 'string',
			required: true,
			default: '',
			placeholder: '={{ $json.date }}',
			description: 'Yyyy-mm-dd, an ISO date-time or Unix seconds',
		},
		{
			displayName: 'Additional Columns',
			name: 'columns',
			type: 'collection',
			placeholder: 'Add Column',
			default: {},
			options: [
				{ displayName: 'Charge Number', name: 'chargeNumber', type: 'string', default: '' },
				{ displayName: 'Description', name: 'description', type: 'string', default: '' },
				{ displayName: 'End Date', name: 'endDate', type: 'string', default: '' },
				{ displayName: 'Subscription Number', name: 'subscriptionNumber', type: 'string', default: '' },
			],
		},
		optionsCollection(
			[
				{
					displayName: 'CSV Date Format',
					name: 'dateFormat',
					type: 'options',
					options: [
						{ name: 'MM/DD/YYYY (Zuora Default)', value: 'MM/DD/YYYY' },
						{ name: 'YYYY-MM-DD', value: 'YYYY-MM-DD' },
					],
					default: 'MM/DD/YYYY',
					description: "The date format of the tenant's usage import (its locale settings)",
				},
				{
					displayName: 'File Name Prefix',
					name: 'fileNamePrefix',
					type: 'string',
					default: 'n8n-usage',
					description: 'Zuora limits file names to 50 characters; a content hash is appended',
				},
				{
					displayName: 'Max Wait (Seconds)',
					name: 'maxWaitSeconds',
					type: 'number',
					typeOptions: { minValue: 1 },
					default: 900,
					description: 'How long to poll for the import result before giving up (the import continues in Zuora)',
				},
				{
					displayName: 'On Failure',
					name: 'onFailure',
					type: 'options',
					options: [
						{ name: 'Stop With an Error', value: 'error' },
						{ name: 'Output the Report', value: 'report' },
					],
					default: 'error',
					description: 'What to do when rows are invalid or Zuora fails a file',
				},
				{
					displayName: 'Poll Interval (Seconds)',
					name: 'pollIntervalSeconds',
					type: 'number',
					typeOptions: { minValue: 0, numberPrecision: 2 },
					default: 5,
				},
				{
					displayName: 'Time Zone',
					name: 'timeZone',
					type: 'string',
					default: '',
					placeholder: 'Europe/Berlin',
					description:
						"IANA time zone that gives Unix times their day (written dates keep theirs); use your Zuora tenant's time zone. Empty: the workflow's time zone.",
				},
			],
		),
	]),

	async execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
		if (items.length === 0) return [];
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const dateFormat = (options.dateFormat as UsageDateFormat) ?? 'MM/DD/YYYY';
		const prefix = (text(options.fileNamePrefix) || 'n8n-usage').replace(/[^\w.-]/g, '-').slice(0, 24);
		const pollMs = Math.max(0, Number(options.pollIntervalSeconds ?? 5) * 1000);
		const maxWaitMs = Math.max(1000, Number(options.maxWaitSeconds ?? 900) * 1000);
		const onFailure = (options.onFailure as string) ?? 'error';

		const inputs: UsageInput[] = items.map((_item, i) => {
			const columns = this.getNodeParameter('columns', i, {}) as IDataObject;
			return {
				accountNumber: this.getNodeParameter('accountNumber', i, ''),
				uom: this.getNodeParameter('uom', i, ''),
				quantity: this.getNodeParameter('quantity', i, ''),
				startDate: this.getNodeParameter('startDate', i, ''),
				endDate: columns.endDate,
				subscriptionNumber: columns.subscriptionNumber,
				chargeNumber: columns.chargeNumber,
				description: columns.description,
			};
		});
		const zone = timeZoneOf(this, options.timeZone);
		const { rows, problems } = validateUsageRows(inputs, zone);
		if (problems.length > 0) {
			const badItems = new Set(problems.map((p) => p.itemIndex)).size;
			const report: IDataObject = {
				status: 'NotUploaded',
				rowCount: items.length,
				invalidRowCount: badItems,
				message: `${badItems} of ${items.length} usage rows are invalid; nothing was uploaded`,
				errors: problems.map((p: RowProblem) => ({
					itemIndex: p.itemIndex,
					row: p.itemIndex + 1,
					field: p.field,
					value: (p.value ?? null) as IDataObject[string],
					message: p.message,
				})),
			};
			if (onFailure === 'error') throw reportError(this, `Usage batch not uploaded: ${String(report.message)}`, report);
			return [{ json: report, pairedItem: items.map((_, i) => ({ item: i })) }];
		}

		const files = buildUsageFiles(
			rows.map((row, i) => ({ row, itemIndex: i })),
			dateFormat,
		);
		const reports: FileReport[] = [];
		for (const [fileIndex, file] of files.entries()) {
			reports.push(await importUsageFile.call(this, file, { prefix, part: files.length > 1 ? fileIndex + 1 : undefined, pollMs, maxWaitMs }));
		}

		const failed = reports.filter((r) => r.status !== 'Completed');
		if (failed.length > 0 && onFailure === 'error') {
			const first = failed[0];
			throw reportError(
				this,
				`Zuora did not import usage file ${first.fileName}: ${first.status}${first.errors.length ? ` (${first.errors.length} line errors; the whole file was rejected)` : ''}`,
				{ files: reports, errors: failed.flatMap((r) => r.errors) },
			);
		}
		return reports.map((report, i) => ({
			json: report,
			pairedItem: files[i].itemIndexes.map((item) => ({ item })),
		}));
	},
};
