// The README is the first screen a user reads: short, true, and a door into docs/.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[`*_]/g, '')
		.replace(/[^\p{L}\p{N} -]/gu, '')
		.replace(/ /g, '-');
}

function anchorsOf(markdown: string): Set<string> {
	const anchors = new Set<string>();
	let inFence = false;
	for (const line of markdown.split('\n')) {
		if (line.startsWith('```')) inFence = !inFence;
		const match = !inFence && /^#{1,6} (.+)$/.exec(line);
		if (match) anchors.add(slug(match[1]));
	}
	return anchors;
}

/** Relative links and images of a markdown file, outside code blocks and spans. */
function relativeLinks(markdown: string): string[] {
	const text = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
	const links: string[] = [];
	for (const match of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
		if (!/^[a-z]+:/i.test(match[1])) links.push(match[1]);
	}
	return links;
}

const markdownFiles = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('README', () => {
	it('fits on a few screens (at most 15 KB)', () => {
		expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(15 * 1024);
	});

	it('links every page in docs/', () => {
		const pages = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
		expect(pages.length).toBeGreaterThan(10);
		const linked = new Set(relativeLinks(readme).map((link) => link.split('#')[0]));
		expect(pages.filter((page) => !linked.has(`docs/${page}`))).toEqual([]);
	});

	it.each(markdownFiles)('%s has no broken relative link or anchor', (file) => {
		const source = readFileSync(join(ROOT, file), 'utf8');
		const broken: string[] = [];
		for (const link of relativeLinks(source)) {
			const [target, anchor] = link.split('#');
			const path = target === '' ? join(ROOT, file) : resolve(ROOT, dirname(file), decodeURI(target));
			if (!existsSync(path)) {
				broken.push(`${link} (no such file)`);
				continue;
			}
			if (anchor && path.endsWith('.md') && statSync(path).isFile() && !anchorsOf(readFileSync(path, 'utf8')).has(anchor)) {
				broken.push(`${link} (no heading for #${anchor})`);
			}
		}
		expect(broken).toEqual([]);
	});

	it('names the two commands, and CI runs the test command it names', () => {
		expect(readme).toContain('npm ci && npm run demo');
		expect(readme).toContain('npm ci && npm test');
		expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
	});

	it('covers install (GUI, npm, Docker, queue mode), each vendor, the workflows and the figures', () => {
		for (const words of ['Community nodes', '~/.n8n/nodes', 'Docker', 'every worker', '**Kommo**', '**Chargebee**', '**Paddle Billing**', '**Zuora**', '## Shipped workflows', '## Benchmarks and reliability']) {
			expect(readme).toContain(words);
		}
		for (const file of readdirSync(join(ROOT, 'workflows'))) {
			const name = file.replace(/\.json$/, '');
			expect(readme).toMatch(new RegExp(name.replace(/^kommo-won-to-(paddle|zuora)$/, '…-to-$1')));
		}
	});
});
