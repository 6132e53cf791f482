/**
 * Paddle's OpenAPI spec for tests: the validator lives with the sandbox, which checks its own
 * traffic against the spec at run time (dev/sandbox/paddle/spec.ts).
 */
export { PaddleSpec, specPath } from '../../../dev/sandbox/paddle/spec';
