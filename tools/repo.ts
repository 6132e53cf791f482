import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository's root (the folder with package.json and workflows/), found from where the calling file runs: its source in tools/ or its compiled copy in .tools-out/. */
export function repoRoot(from = __dirname): string {
	for (let dir = from; ; dir = path.dirname(dir)) {
		if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'workflows'))) return dir;
		if (path.dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
	}
}
