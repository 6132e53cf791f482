// Loaded before every e2e test file (jest.config.js, project "e2e", setupFilesAfterEnv).
// A real n8n takes tens of seconds to start, so the default 5 s timeout cannot apply; jest 30
// ignores `testTimeout` inside a project entry, hence this call.
import { stopAll } from '../../dev/n8n';

jest.setTimeout(300_000);

// Whatever a test forgot (or could not reach because it failed), stop it here.
afterAll(async () => {
	await stopAll();
});
