// The history the Claim, Confirm and Release nodes share: one row of n8n's processed-data store
// per workflow, rewritten whole by every write (see lock.ts for why Claim takes a lock first).

/** Default history size; see docs/dedupe.md for the arithmetic. */
export const DEFAULT_HISTORY_SIZE = 10000;

/**
 * Release repeats its (idempotent) removal after these pauses. The claim lock serialises the
 * executions of ONE node; a Claim in another node that read the shared history just before the
 * removal may write the key back a moment later (n8n's helper rewrites the whole row). Without
 * the repeats that write-back would turn the vendor's retry into a "Duplicate" and lose the event.
 */
export const RELEASE_CONFIRM_DELAYS_MS = [250, 1000];

/** Confirm checks its write after these pauses, recording again what a parallel write undid, until it is in place. */
export const CONFIRM_VERIFY_DELAYS_MS = [150, 300, 600, 1200];
