/** JSON parameters: what n8n hands a node for a `json` field, read the same way by every vendor. */
import type { IDataObject } from 'n8n-workflow';

/**
 * A JSON-object parameter, which arrives as an object already or as text: undefined when empty,
 * null when it is not one JSON object (the caller says so in its own words).
 */
export function readJsonObject(value: unknown): IDataObject | null | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'object' && !Array.isArray(value)) return value as IDataObject;
	if (typeof value === 'string') {
		try {
			const parsed = JSON.parse(value) as unknown;
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as IDataObject;
		} catch {
			// not JSON: null below
		}
	}
	return null;
}
