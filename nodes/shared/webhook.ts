/**
 * The answers a trigger's `webhook()` gives when a call starts no workflow: a refusal (4xx/5xx),
 * the 503 "still activating" while n8n has not yet stored what activation created, and the 200
 * for an event the workflow does not want. Every one is written with `noWebhookResponse`, so no
 * execution starts (security review, "two facts about n8n").
 *
 * The refusal *body* stays each vendor's own shape: tests, sandboxes and people reading the
 * vendors' delivery logs depend on it ({@link REFUSAL_BODY}).
 */
import type {
	ICredentialsDecrypted,
	IDataObject,
	IHookFunctions,
	INodeProperties,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

export type ResponseHeaders = Record<string, string>;

/** Why a call is not accepted: the status, a short machine reason, the message, extra headers. */
export interface Refusal {
	status: number;
	reason: string;
	message: string;
	headers?: ResponseHeaders;
}

/** What a verify or parse step found: the value to go on with, or the refusal to answer. */
export type Verdict<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

/** How a vendor's trigger writes a refusal body. */
export type RefusalBody = (refusal: Refusal) => IDataObject;

export const REFUSAL_BODY = {
	/** `{ error }`: Kommo and Zuora. */
	error: (refusal: Refusal): IDataObject => ({ error: refusal.message }),
	/** `{ message }`: Chargebee. */
	message: (refusal: Refusal): IDataObject => ({ message: refusal.message }),
	/** `{ error: reason, message }`: Paddle. */
	reasonAndMessage: (refusal: Refusal): IDataObject => ({ error: refusal.reason, message: refusal.message }),
} satisfies Record<string, RefusalBody>;

export function refusal(status: number, reason: string, message: string, headers?: ResponseHeaders): Refusal {
	return headers ? { status, reason, message, headers } : { status, reason, message };
}

export const accept = <T>(value: T): Verdict<T> => ({ ok: true, value });
export const reject = <T = never>(status: number, reason: string, message: string, headers?: ResponseHeaders): Verdict<T> => ({
	ok: false,
	refusal: refusal(status, reason, message, headers),
});

/** Writes `body` with `status` (and headers) and starts no execution. */
export function answer(ctx: IWebhookFunctions, status: number, body: IDataObject, headers: ResponseHeaders = {}): IWebhookResponseData {
	const res = ctx.getResponseObject();
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
	res.status(status).json(body);
	return { noWebhookResponse: true };
}

/** Answers a refusal in the vendor's body shape. */
export function refuse(ctx: IWebhookFunctions, refused: Refusal, body: RefusalBody): IWebhookResponseData {
	return answer(ctx, refused.status, body(refused), refused.headers);
}

export const STILL_ACTIVATING = 'The trigger is still being activated; try again shortly';

/**
 * n8n stores what activation created (a secret, a destination id) only after activation
 * finishes. A call that arrives in between is asked to come back (the vendors retry a 503)
 * rather than refused as forged.
 */
export function notYetActive(): Refusal {
	return refusal(503, 'activating', STILL_ACTIVATING);
}

/** 200 for a verified call that starts nothing (an event type not selected): the vendor does not retry it. */
export function acknowledge(body: IDataObject): IWebhookResponseData {
	return { webhookResponse: body };
}

/** The bytes that arrived (n8n keeps them next to its own parse), when it kept them. */
export function rawBody(ctx: IWebhookFunctions): Buffer | undefined {
	const raw = (ctx.getRequestObject() as unknown as { rawBody?: unknown }).rawBody;
	return Buffer.isBuffer(raw) ? raw : undefined;
}

/** A webhook credential's text fields ('' when unset), for the triggers' credential tests. */
export function credentialText<K extends string>(credential: ICredentialsDecrypted, ...keys: K[]): Record<K, string> {
	const data = credential.data ?? {};
	return Object.fromEntries(keys.map((key) => [key, String(data[key] ?? '')])) as Record<K, string>;
}

/**
 * The Mode parameter of a trigger that can register its endpoint in the vendor itself (Automatic:
 * the webhook lifecycle creates it on activation and removes it on deactivation) or be set up there
 * by hand (Manual: the secret comes from a credential). The triggers' registration.ts and
 * verify.ts read `mode`; the two descriptions say what each mode means with that vendor.
 */
export function modeProperty(automatic: string, manual: string): INodeProperties {
	return {
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		options: [
			{ name: 'Automatic', value: 'automatic', description: automatic },
			{ name: 'Manual', value: 'manual', description: manual },
		],
		default: 'automatic',
	};
}

/**
 * The Respond parameter of a trigger whose vendor retries anything but a 2xx (the webhook's
 * `responseMode` reads it): at once, after the run (a failed run answers 500), or from a Respond
 * to Webhook node.
 */
export function respondProperty(vendor: string, acceptedWhen: string, extra: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Respond',
		name: 'responseMode',
		type: 'options',
		options: [
			{ name: 'Immediately', value: 'onReceived', description: `Answer 200 as soon as ${acceptedWhen}` },
			{
				name: 'When Last Node Finishes',
				value: 'lastNode',
				description: `Answer when the workflow is done; a failed run answers 500 so that ${vendor} retries`,
			},
			{
				name: "Using 'Respond to Webhook' Node",
				value: 'responseNode',
				description: 'Answer from a Respond to Webhook node (e.g. 5xx after releasing a dedupe claim)',
			},
		],
		default: 'onReceived',
		...extra,
	};
}

/** The POST webhook at `…/webhook` whose answer the Respond parameter ({@link respondProperty}) times. */
export function respondingWebhook(): IWebhookDescription {
	return { name: 'default', httpMethod: 'POST', responseMode: '={{$parameter["responseMode"]}}', path: 'webhook' };
}

/** What a trigger's trigger/registration.ts exports: its webhook's lifecycle in the vendor. */
export interface WebhookRegistration {
	checkExists(this: IHookFunctions): Promise<boolean>;
	create(this: IHookFunctions): Promise<boolean>;
	/** n8n's `delete` (a reserved word as a function name). */
	remove(this: IHookFunctions): Promise<boolean>;
}

/**
 * A trigger's `webhookMethods`: n8n's checkExists, create and delete of the default webhook, each
 * handed to the trigger's registration module. The type asks for all three, so a trigger cannot
 * leave one out.
 */
export function webhookLifecycle(registration: WebhookRegistration) {
	return {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await registration.checkExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await registration.create.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await registration.remove.call(this);
			},
		},
	};
}
