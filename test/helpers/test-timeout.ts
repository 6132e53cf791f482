// Unit and integration tests assert behaviour, not speed (speed lives in bench/). jest's default
// 5 s per test failed the loopback-sandbox tests on a shared 2-core machine at load 17 (CI runs
// them while n8n installs in the background), so a test gets 30 s before it counts as hung.
jest.setTimeout(30_000);
