/** `--name=value`, `--name value` and bare `--flag` (= 'true') from a bench command line. */
export function args(): Map<string, string> {
	const out = new Map<string, string>();
	const argv = process.argv.slice(2);
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (!a.startsWith('--')) continue;
		const eq = a.indexOf('=');
		if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
		else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) out.set(a.slice(2), argv[++i]);
		else out.set(a.slice(2), 'true');
	}
	return out;
}
