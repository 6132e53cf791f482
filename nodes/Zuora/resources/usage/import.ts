/**
 * One usage file of Usage → Upload Batch, into Zuora and followed to its end: the upload
 * (multipart, with an idempotency key from the file's content), the import status polled until
 * Completed, Failed or Canceled (or the wait runs out), the imported count, and the lines Zuora's
 * status message names mapped back to the input items. Also the batch's error with its report.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { text } from '../../helpers';
import { deriveIdempotencyKey, stableIdempotencyKey, zuoraRequest } from '../../transport';
import { lineErrors, multipartFile, type UsageFile } from '../../usage-csv';

const FINAL = new Set(['Completed', 'Failed', 'Canceled', 'Cancelled']);

export interface FileReport extends IDataObject {
	fileName: string;
	status: string;
	importId: string | null;
	size: number;
	rowCount: number;
	importedCount: number | null;
	message: string;
	errors: IDataObject[];
}

function describeProblems(errors: IDataObject[], limit = 20): string {
	const lines = errors.slice(0, limit).map((e) => {
		const where = e.itemIndex === null || e.itemIndex === undefined ? 'File' : `Item ${Number(e.itemIndex) + 1}`;
		const line = e.line ? ` (CSV line ${String(e.line)})` : '';
		return `${where}${line}: ${String(e.message)}`;
	});
	if (errors.length > limit) lines.push(`… and ${errors.length - limit} more (see the error item's report)`);
	return lines.join('\n');
}

export function reportError(context: IExecuteFunctions, message: string, report: IDataObject): NodeOperationError {
	const error = new NodeOperationError(context.getNode(), message, {
		description: describeProblems((report.errors as IDataObject[]) ?? []),
	});
	error.context.report = report;
	return error;
}

export interface ImportSettings {
	/** The start of the file name (a content hash and, for a split batch, the part follow). */
	prefix: string;
	/** 1-based part of a batch split into several files; undefined for a single file. */
	part: number | undefined;
	pollMs: number;
	maxWaitMs: number;
}

/** Uploads one usage file and follows its import; the report says how it ended. */
export async function importUsageFile(this: IExecuteFunctions, file: UsageFile, settings: ImportSettings): Promise<FileReport> {
	const { prefix, part, pollMs, maxWaitMs } = settings;
	const digest = deriveIdempotencyKey('usage-file', { csv: file.csv });
	const fileName = `${prefix}-${digest.slice(-12)}${part !== undefined ? `-${part}` : ''}.csv`;
	const { body, contentType } = multipartFile(fileName, file.csv);
	const upload = await zuoraRequest.call(this, {
		method: 'POST',
		path: '/v1/usage',
		body,
		headers: { 'Content-Type': contentType },
		idempotencyKey: stableIdempotencyKey('usage-file', { csv: file.csv }),
	});
	const statusUrl = String(upload.checkImportStatus ?? '');
	const statusPath = statusUrl ? new URL(statusUrl, 'http://relative.invalid').pathname : '';
	const importId = /\/usage\/([^/]+)\/status/.exec(statusPath)?.[1] ?? null;
	const report: FileReport = {
		fileName,
		status: 'Pending',
		importId,
		size: Number(upload.size ?? body.length),
		rowCount: file.itemIndexes.length,
		importedCount: null,
		message: '',
		errors: [],
	};
	if (!statusPath) {
		throw new NodeOperationError(this.getNode(), `Zuora accepted ${fileName} but gave no status URL to follow`, {
			description: 'Check the import under Billing → Usage in Zuora before uploading again.',
		});
	}
	const started = Date.now();
	for (;;) {
		const status = await zuoraRequest.call(this, { method: 'GET', path: statusPath });
		report.status = String(status.importStatus ?? 'Unknown');
		report.message = text(status.message);
		if (FINAL.has(report.status)) break;
		if (Date.now() - started + pollMs > maxWaitMs) {
			report.status = `${report.status} (still running)`;
			report.message = `Zuora had not finished import ${String(importId)} after ${Math.round(maxWaitMs / 1000)} s; it continues in Zuora. Check Billing → Usage before uploading this file again.`;
			break;
		}
		if (pollMs > 0) await sleep(pollMs);
	}
	if (report.status === 'Completed') {
		report.importedCount = file.itemIndexes.length;
		if (importId) {
			try {
				const details = await zuoraRequest.call(this, { method: 'GET', path: `/v1/object/import/${importId}` });
				if (details.ImportedCount !== undefined) report.importedCount = Number(details.ImportedCount);
			} catch {
				// the counts are a nicety; the status already said Completed
			}
		}
	} else {
		report.importedCount = FINAL.has(report.status) ? 0 : null;
		const perLine = lineErrors(report.message);
		report.errors = perLine.length
			? perLine.map((e) => ({
					line: e.line,
					itemIndex: file.itemIndexes[e.line - 2] ?? null,
					row: file.itemIndexes[e.line - 2] !== undefined ? file.itemIndexes[e.line - 2] + 1 : null,
					message: e.message,
				}))
			: [{ line: null, itemIndex: null, row: null, message: report.message || `Import ${report.status}` }];
	}
	return report;
}
