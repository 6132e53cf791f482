/**
 * Paddle's OpenAPI spec for tests: the validator lives with the sandbox, which checks its own
 * traffic against the spec at run time (test/sandbox/paddle/spec.ts).
 */
export { PaddleSpec, specPath } from '../../sandbox/paddle/spec';
