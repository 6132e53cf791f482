// Fails a unit or integration test file whose Paddle sandbox traffic deviated from Paddle's
// OpenAPI spec and was not reported by the sandbox's stop() (e.g. a sandbox used without a
// server, or never stopped). The checks themselves: dev/sandbox/paddle/spec.ts.
import { formatDeviations, takeDeviations } from '../../dev/sandbox/paddle/spec';

afterAll(() => {
	const left = takeDeviations();
	if (left.length > 0) throw new Error(formatDeviations(left));
});
