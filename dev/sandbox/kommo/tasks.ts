/**
 * Task updates. Sources: the community OpenAPI (PATCH /api/v4/tasks with TaskUpdateItem[], PATCH
 * /api/v4/tasks/{id} with TaskUpdateById; `id` required in the batch, `is_completed` boolean,
 * `result: {text}`) and Kommo's "Editing tasks" reference (answer `_embedded.tasks[]` of
 * `{id, updated_at, request_id}`). A whole batch is refused when one entity is invalid, as
 * Kommo's other batch writes are (index.ts).
 */
import type { SandboxServer } from '../kit';
import { hal, now, problem, validationAnswer, type FieldError } from './wire';

interface Host extends SandboxServer {
	users: Array<{ id: number }>;
	tasks: Array<{ id: number; updated_at: number; updated_by: number; is_completed: boolean; result: unknown; text: string; complete_till: number; responsible_user_id: number }>;
}

function errorsOf(host: Host, t: Record<string, unknown>, needId: boolean): FieldError[] {
	const errs: FieldError[] = [];
	if (needId && !Number.isInteger(t?.id)) errs.push({ code: 'NotBlank', path: 'id', detail: 'This value should not be blank.' });
	else if (needId && !host.tasks.some((x) => x.id === t.id)) errs.push({ code: 'NotFound', path: 'id', detail: `Task ${String(t.id)} not found` });
	if (t?.is_completed !== undefined && typeof t.is_completed !== 'boolean') {
		errs.push({ code: 'InvalidType', path: 'is_completed', detail: 'This value should be of type bool.' });
	}
	if (t?.result !== undefined) {
		const result = t.result as Record<string, unknown> | null;
		if (!result || typeof result !== 'object' || Array.isArray(result) || typeof result.text !== 'string') {
			errs.push({ code: 'InvalidType', path: 'result.text', detail: 'This value should be of type string.' });
		}
	}
	if (t?.text !== undefined && (typeof t.text !== 'string' || t.text.trim() === '')) errs.push({ code: 'NotBlank', path: 'text', detail: 'This value should not be blank.' });
	if (t?.complete_till !== undefined && !Number.isInteger(t.complete_till)) {
		errs.push({ code: 'InvalidType', path: 'complete_till', detail: 'This value should be of type int.' });
	}
	if (t?.responsible_user_id !== undefined && !host.users.some((u) => u.id === t.responsible_user_id)) {
		errs.push({ code: 'NotSupportedChoice', path: 'responsible_user_id', detail: 'User not found' });
	}
	return errs;
}

function apply(host: Host, id: number, t: Record<string, unknown>): { id: number; updated_at: number } {
	const task = host.tasks.find((x) => x.id === id)!;
	if (t.is_completed !== undefined) task.is_completed = t.is_completed as boolean;
	if (t.result !== undefined) task.result = { text: (t.result as { text: string }).text };
	if (t.text !== undefined) task.text = t.text as string;
	if (t.complete_till !== undefined) task.complete_till = t.complete_till as number;
	if (t.responsible_user_id !== undefined) task.responsible_user_id = t.responsible_user_id as number;
	task.updated_at = now();
	return { id, updated_at: task.updated_at };
}

export function installTaskUpdates(host: Host): void {
	host.route('PATCH', '/api/v4/tasks', (req, res) => {
		const body = req.body;
		if (!Array.isArray(body) || body.length === 0) return problem(res, 400, 'Bad Request', 'Expected a non-empty array of tasks');
		if (body.length > 250) return problem(res, 400, 'Bad Request', 'At most 250 entities per request');
		const errors = body
			.map((t: Record<string, unknown>, i) => ({ request_id: String(t?.request_id ?? i), errors: errorsOf(host, t, true) }))
			.filter((e) => e.errors.length > 0);
		if (errors.length) return validationAnswer(res, errors);
		const tasks = body.map((t: Record<string, unknown>, i) => ({
			...apply(host, Number(t.id), t),
			request_id: String(t.request_id ?? i),
			_links: { self: { href: `${host.url}/api/v4/tasks/${String(t.id)}` } },
		}));
		hal(res, { _links: { self: { href: `${host.url}/api/v4/tasks` } }, _embedded: { tasks } });
	});
	host.route('PATCH', '/api/v4/tasks/:id', (req, res) => {
		const id = Number(req.params.id);
		if (!host.tasks.some((x) => x.id === id)) return problem(res, 404, 'Not Found', `Task ${req.params.id} not found`);
		const body = req.body as Record<string, unknown>;
		if (!body || typeof body !== 'object' || Array.isArray(body)) return problem(res, 400, 'Bad Request', 'Expected one task object');
		const errs = errorsOf(host, body, false);
		if (errs.length) return validationAnswer(res, [{ request_id: '0', errors: errs }]);
		hal(res, { ...apply(host, id, body), _links: { self: { href: `${host.url}/api/v4/tasks/${id}` } } });
	});
}
