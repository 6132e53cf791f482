/**
 * The signed raw body → a Paddle event object, or why not. Parsed from the bytes the signature
 * covers (never from n8n's Content-Type-dependent body), and bounded: Paddle's events nest a few
 * levels deep, so a body nested deeper than MAX_DEPTH is refused before JSON.parse (a deep body
 * parses, but every later JSON.stringify of the execution data would overflow the stack).
 */
import type { IDataObject } from 'n8n-workflow';

export const MAX_DEPTH = 64;

export type ParsedEvent =
	| { ok: true; event: IDataObject & { event_type: string } }
	| { ok: false; reason: 'invalid_json' | 'too_deep' | 'not_an_event'; message: string };

/** Deepest `{`/`[` nesting outside strings; stops counting once over the limit. Linear. */
export function nestingDepth(text: string, limit = MAX_DEPTH): number {
	let depth = 0;
	let max = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 0x5c) i++; // backslash: skip the escaped character
			else if (c === 0x22) inString = false;
		} else if (c === 0x22) inString = true;
		else if (c === 0x7b || c === 0x5b) {
			depth++;
			if (depth > max) max = depth;
			if (max > limit) return max;
		} else if (c === 0x7d || c === 0x5d) depth--;
	}
	return max;
}

export function parseEventBody(rawBody: Buffer): ParsedEvent {
	const text = rawBody.toString('utf8');
	if (nestingDepth(text) > MAX_DEPTH) {
		return { ok: false, reason: 'too_deep', message: `The signed body nests deeper than ${MAX_DEPTH} levels; no Paddle event does` };
	}
	let event: unknown;
	try {
		event = JSON.parse(text);
	} catch {
		return { ok: false, reason: 'invalid_json', message: 'The signed body is not JSON' };
	}
	if (!event || typeof event !== 'object' || Array.isArray(event) || typeof (event as IDataObject).event_type !== 'string') {
		return { ok: false, reason: 'not_an_event', message: 'The signed body is not a Paddle event (no event_type)' };
	}
	return { ok: true, event: event as IDataObject & { event_type: string } };
}
