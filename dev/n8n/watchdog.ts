// Runs one n8n process and makes sure it dies with the test process:
//   node -e WATCHDOG_SOURCE <parentPid> <graceMs> <command> [args…]
// The harness starts it as the leader of a new process group, so n8n and everything it spawns
// (task runners) share that group and `kill(-pgid)` ends them all. If the parent (jest, a
// demo, a benchmark) disappears without stopping us (a crash, SIGKILL, Ctrl-C), the watchdog
// notices within a second and ends the whole group. Passed with -e so that it needs no file
// next to a compiled copy of the harness.
export const WATCHDOG_SOURCE = `
'use strict';
const { spawn } = require('node:child_process');

const [parentArg, graceArg, command, ...args] = process.argv.slice(1);
const parentPid = Number(parentArg);
// SIGKILL for the group this long after a stop began (the harness's stopGraceMs)
const graceMs = Number(graceArg) || 20000;
const child = spawn(command, args, { stdio: 'inherit' });

function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

function killGroup(signal) {
	try {
		process.kill(-process.pid, signal);
	} catch {
		// group already gone
	}
}

let stopping = false;
function stop(reason, forward) {
	if (stopping) return;
	stopping = true;
	process.stderr.write(\`[watchdog] \${reason}: stopping n8n (pid \${child.pid})\\n\`);
	// n8n handles SIGTERM with process.once (dist/commands/base-command.js): a second one ends it
	// at once, mid-shutdown and without its CPU profile, so a SIGTERM that
	// already reached n8n through the group is not sent again
	if (forward) child.kill('SIGTERM');
	setTimeout(() => killGroup('SIGKILL'), graceMs).unref();
}

// A group-wide SIGTERM (the harness's stop()) reaches n8n directly; the watchdog only has to
// stay until n8n exits. (A signal to the watchdog alone ends the group after the grace above.)
process.on('SIGTERM', () => stop('SIGTERM', false));
process.on('SIGINT', () => stop('SIGINT', false));

const timer = setInterval(() => {
	if (!alive(parentPid)) stop(\`parent process \${parentPid} is gone\`, true);
}, 1000);

child.on('error', (error) => {
	process.stderr.write(\`[watchdog] could not start \${command}: \${error.message}\\n\`);
	process.exit(127);
});
child.on('exit', (code, signal) => {
	clearInterval(timer);
	process.stderr.write(\`[watchdog] n8n exited (\${signal ?? code})\\n\`);
	// take any leftover task runner with us
	killGroup('SIGKILL');
	process.exit(code ?? 1);
});
`;
