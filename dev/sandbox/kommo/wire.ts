/**
 * Kommo's wire shapes for the route files beside index.ts (catalogs, links, incoming leads,
 * task updates): problem+json errors, HAL answers, `validation-errors`, and paged lists that
 * answer 204 when a page is empty (../../../shared/API-FACTS.md, Kommo section).
 */
import type { SandboxRequest, SandboxResponse } from '../kit';

export interface FieldError {
	code: string;
	path: string;
	detail: string;
}

export const now = () => Math.floor(Date.now() / 1000);

export function first(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

export function problem(res: SandboxResponse, status: number, title: string, detail: string, extra: Record<string, unknown> = {}): void {
	res.json(status, { title, type: `https://httpstatus.es/${status}`, status, detail, ...extra }, 'application/problem+json');
}

export function hal(res: SandboxResponse, body: unknown, status = 200): void {
	res.json(status, body, 'application/hal+json');
}

export function validationAnswer(res: SandboxResponse, entries: Array<{ request_id: string; errors: FieldError[] }>): void {
	problem(res, 400, 'Bad Request', 'Request validation failed', { 'validation-errors': entries });
}

/** Every value of a query key in its forms `k`, `k[]`, `k[0]`, comma lists split. */
export function queryValues(query: SandboxRequest['query'], key: string): string[] | undefined {
	const out: string[] = [];
	let seen = false;
	for (const [k, v] of Object.entries(query)) {
		if (k === key || k === `${key}[]` || new RegExp(`^${key.replace(/[[\]]/g, '\\$&')}\\[\\d+\\]$`).test(k)) {
			seen = true;
			for (const x of Array.isArray(v) ? v : [v]) out.push(...String(x).split(','));
		}
	}
	return seen ? out.map((s) => s.trim()).filter(Boolean) : undefined;
}

/** A paged HAL list: `limit` at most 250 (default 50), `_links.next` while more remain, 204 for an empty page. */
export function paged<T>(
	req: SandboxRequest,
	res: SandboxResponse,
	baseUrl: string,
	key: string,
	all: T[],
	path: string,
	render: (t: T) => unknown,
): void {
	const limit = Math.min(250, Math.max(1, Number(first(req.query.limit) ?? 50) || 50));
	const page = Math.max(1, Number(first(req.query.page) ?? 1) || 1);
	const slice = all.slice((page - 1) * limit, page * limit);
	if (slice.length === 0) return void res.empty(204);
	const links: Record<string, { href: string }> = { self: { href: `${baseUrl}${path}?page=${page}&limit=${limit}` } };
	if (page * limit < all.length) links.next = { href: `${baseUrl}${path}?page=${page + 1}&limit=${limit}` };
	hal(res, { _page: page, _links: links, _embedded: { [key]: slice.map(render) } });
}
