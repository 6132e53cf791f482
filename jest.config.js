// Three projects so that CI and developers can run each level on its own:
//   unit        – pure functions (parsing, signatures, mapping, error shapes)
//   integration – our nodes against the loopback sandboxes, in-process
//   e2e         – a real n8n 2.x process with the packed package installed
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', isolatedModules: true }];

const base = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
	projects: [
		{
			...base,
			displayName: 'unit',
			// test/security: hostile-input and attack regression tests (in-process, like unit tests);
			// bench/test: unit tests of the benchmark's own code (report, charts, statistics)
			testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/security/**/*.test.ts', '<rootDir>/bench/test/**/*.test.ts'],
			// builds the Chargebee sandbox's type schemas (type-check.ts) once, outside any test timeout
			globalSetup: '<rootDir>/dev/sandbox/chargebee/warm-type-cache.ts',
			setupFilesAfterEnv: [
				'<rootDir>/test/helpers/test-timeout.ts',
				'<rootDir>/test/helpers/reset-process-state.ts',
				'<rootDir>/test/helpers/paddle-spec-guard.ts',
			],
		},
		{
			...base,
			displayName: 'integration',
			testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
			// builds the Chargebee sandbox's type schemas (type-check.ts) once, outside any test timeout
			globalSetup: '<rootDir>/dev/sandbox/chargebee/warm-type-cache.ts',
			setupFilesAfterEnv: [
				'<rootDir>/test/helpers/test-timeout.ts',
				'<rootDir>/test/helpers/reset-process-state.ts',
				'<rootDir>/test/helpers/paddle-spec-guard.ts',
			],
		},
		{
			...base,
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
			// installs n8n + Node 24 before any test file runs: no test timeout includes the install
			globalSetup: '<rootDir>/test/e2e/global-setup.ts',
			// sets the 300 s timeout (ignored here by jest 30) and stops leftover n8n instances
			setupFilesAfterEnv: ['<rootDir>/test/e2e/setup.ts'],
		},
	],
};
