/**
 * HMAC "template" mode: Zuora signs a text the merchant composed from merge fields (docs.zuora.com
 * workflow "Example: Use HMAC authentication in a callout task"), and the trigger re-composes the
 * same text from the callout body's fields.
 *
 * Security review H1 (issue 16 item 1): only that text is signed, so only the fields it names may
 * be trusted. This module therefore
 *  - refuses a template in which two fields touch (`{{a}}{{b}}`: "A0000"+"1…" signs like "A00001"+"…");
 *  - refuses a callout whose signed field is missing or empty (no constant HMAC("") to replay) or
 *    whose value contains a separator character (which would make the split ambiguous again);
 *  - returns the signed fields alone (`view`), which is all the trigger normalises.
 */
import type { IDataObject } from 'n8n-workflow';

import { getPath } from './normalize';

export interface CompiledTemplate {
	/** Literal text around the fields: literals.length === paths.length + 1. */
	literals: string[];
	paths: string[];
	/** Characters of the separators between fields: a signed value may not contain any. */
	separatorChars: Set<string>;
}

const FIELD = /\{\{\s*([^{}]+?)\s*\}\}/g;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function unescape(text: string): string {
	return text.replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\t/g, '\t');
}

export function compileTemplate(template: string): { ok: true; template: CompiledTemplate } | { ok: false; problem: string } {
	const literals: string[] = [];
	const paths: string[] = [];
	let last = 0;
	for (const match of template.matchAll(FIELD)) {
		literals.push(unescape(template.slice(last, match.index)));
		const path = match[1].trim();
		if (path.split('.').some((part) => FORBIDDEN.has(part) || part === '')) {
			return { ok: false, problem: `the signed data template names an invalid field "{{${path}}}"` };
		}
		paths.push(path);
		last = (match.index ?? 0) + match[0].length;
	}
	literals.push(unescape(template.slice(last)));
	if (paths.length === 0) {
		return { ok: false, problem: 'the signed data template names no {{field}}, so the signature would cover no callout data' };
	}
	for (let i = 1; i < paths.length; i++) {
		if (literals[i] === '') {
			return {
				ok: false,
				problem: `{{${paths[i - 1]}}} and {{${paths[i]}}} touch in the signed data template, which is ambiguous: put a separator such as "|" or a new line between them (in Zuora's HMAC data and here)`,
			};
		}
	}
	const separatorChars = new Set<string>();
	for (const literal of literals.slice(1, -1)) for (const c of literal) separatorChars.add(c);
	return { ok: true, template: { literals, paths, separatorChars } };
}

function setPath(target: IDataObject, path: string, value: unknown): void {
	const parts = path.split('.');
	let current = target;
	for (const part of parts.slice(0, -1)) {
		if (!current[part] || typeof current[part] !== 'object') current[part] = {};
		current = current[part] as IDataObject;
	}
	current[parts[parts.length - 1]] = value as IDataObject[string];
}

export type RenderResult = { ok: true; data: string; view: IDataObject } | { ok: false; problem: string };

/** The signed text for this payload, and the payload reduced to the signed fields. */
export function renderSigned(template: CompiledTemplate, payload: unknown): RenderResult {
	let data = template.literals[0];
	const view: IDataObject = {};
	for (let i = 0; i < template.paths.length; i++) {
		const path = template.paths[i];
		const value = getPath(payload, path);
		if (value === undefined || value === null || (typeof value === 'string' && value === '')) {
			return { ok: false, problem: `the signed field "${path}" is missing from the callout` };
		}
		if (typeof value === 'object') return { ok: false, problem: `the signed field "${path}" is not a single value` };
		const text = String(value);
		for (const c of text) {
			if (template.separatorChars.has(c)) {
				return { ok: false, problem: `the signed field "${path}" contains the template's separator, so the signature is ambiguous` };
			}
		}
		data += text + template.literals[i + 1];
		setPath(view, path, value);
	}
	return { ok: true, data, view };
}
