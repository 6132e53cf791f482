/**
 * Jest globalSetup (unit and integration projects): builds the Chargebee type schemas of
 * type-check.ts once, before any test file runs, so that no test's timeout includes the few
 * seconds the TypeScript compiler needs the first time (later runs read the cache).
 */
import { loadTypeSchemas } from './type-check';

export default function warmChargebeeTypeCache(): void {
	loadTypeSchemas();
}
