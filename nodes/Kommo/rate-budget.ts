/**
 * The worker side of the Kommo Rate Budget (nodes/KommoRateBudget): before each Kommo request
 * ask the broker for a permit, return it when the answer is in. When the broker cannot be
 * reached the process falls back to its own limiter at the credential's "Fallback Requests per
 * Second" (fail safe: slower, never unlimited) and asks the broker again after RECHECK_MS.
 * A refused secret is a configuration error and fails the request.
 */
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RequestContext } from '../shared/http';
import { getLimiter, type RateLimit } from '../shared/rate-limiter';

export interface RateBudget {
	url: string;
	secret: string;
	/** This process's own limit while the broker is unreachable. */
	fallback: RateLimit;
}

/** Time between two tries of an unreachable broker (meanwhile the fallback limiter is used). */
export const RECHECK_MS = 10_000;
/** The broker holds a permit request at most 20 s; wait a little longer for its answer. */
const ACQUIRE_TIMEOUT_MS = 30_000;
/** Give up on a broker that keeps saying "retry" after this many rounds (~10 minutes). */
const MAX_ROUNDS = 30;

const unreachableUntil = new Map<string, number>();

/** For tests: try every broker again. */
export function resetRateBudget(): void {
	unreachableUntil.clear();
}

interface BrokerResponse {
	statusCode: number;
	body: unknown;
}

async function post(ctx: RequestContext, budget: RateBudget, body: IDataObject, timeout: number): Promise<BrokerResponse> {
	const options: IHttpRequestOptions = {
		method: 'POST',
		url: budget.url,
		headers: { Authorization: `Bearer ${budget.secret}` },
		body,
		json: true,
		timeout,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	return (await ctx.helpers.httpRequest(options)) as BrokerResponse;
}

function fieldOf(body: unknown, key: string): unknown {
	return typeof body === 'object' && body !== null ? (body as IDataObject)[key] : undefined;
}

function unreachable(ctx: RequestContext, why: string): undefined {
	ctx.logger?.warn(
		`Kommo Rate Budget not reachable (${why}); this process uses its own limiter at the credential's "Fallback Requests per Second" for ${RECHECK_MS / 1000} s`,
	);
	return undefined;
}

/** A permit from the broker, or undefined when it cannot be reached or answers nonsense. */
async function brokerPermit(ctx: RequestContext, budget: RateBudget, host: string): Promise<(() => void) | undefined> {
	for (let round = 0; round < MAX_ROUNDS; round++) {
		let response: BrokerResponse;
		try {
			response = await post(ctx, budget, { action: 'acquire', host }, ACQUIRE_TIMEOUT_MS);
		} catch (error) {
			return unreachable(ctx, (error as Error).message);
		}
		if (response.statusCode === 401 || response.statusCode === 503) {
			throw new NodeOperationError(ctx.getNode(), `The Kommo Rate Budget refused the permit request (${response.statusCode})`, {
				description:
					'The "Shared Rate Budget Secret" of this Kommo credential must be the one of the credential the Kommo Rate Budget node uses, at least 16 characters.',
			});
		}
		const permit = fieldOf(response.body, 'permit');
		if (response.statusCode === 200 && typeof permit === 'string') {
			let returned = false;
			return () => {
				if (returned) return;
				returned = true;
				// not awaited: the request's answer is in; a lost release only costs the 60 s lease
				void post(ctx, budget, { action: 'release', permit }, 10_000).catch(() => undefined);
			};
		}
		if (response.statusCode === 200 && fieldOf(response.body, 'retry') === true) continue;
		return unreachable(ctx, `HTTP ${response.statusCode} ${JSON.stringify(response.body).slice(0, 200)}`);
	}
	throw new NodeOperationError(ctx.getNode(), 'No permit from the Kommo Rate Budget after 10 minutes', {
		description: 'Every Kommo request of every worker waits in one line at the Kommo Rate Budget; the line is too long.',
	});
}

/** A limiter for vendorRequest that takes its permits from the shared budget. */
export function budgetLimiter(ctx: RequestContext, budget: RateBudget, host: string): { acquire(): Promise<() => void> } {
	return {
		acquire: async () => {
			if ((unreachableUntil.get(budget.url) ?? 0) <= Date.now()) {
				const release = await brokerPermit(ctx, budget, host);
				if (release) {
					unreachableUntil.delete(budget.url);
					return release;
				}
				unreachableUntil.set(budget.url, Date.now() + RECHECK_MS);
			}
			return await getLimiter(`Kommo fallback|${host}`, budget.fallback).acquire();
		},
	};
}
