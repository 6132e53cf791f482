/**
 * The repository's layout (issue 19): test/ holds tests, their helpers and fixtures only; the
 * tools that tests, the demo and the benchmarks share (vendor sandboxes, the real-n8n harness,
 * the demo, screenshots, the reliability suite) live in dev/; bench/ and test/ never import each
 * other, directly or through another folder, so either can change without breaking the other.
 *
 * Import specifiers are read with TypeScript's parser (comments and strings that merely look like
 * imports do not count): import / export … from, import x = require(), require(), import(),
 * require.resolve() and jest.mock()-style calls. Relative and absolute specifiers are resolved
 * against the importing file; package names are ignored.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'results', 'dist', 'coverage']);
/** Folders that were moved to dev/ and must not come back under test/ (at any depth). */
const TOOLING_DIRS = ['sandbox', 'demo', 'screenshots', 'reliability', 'harness'];
const JEST_MODULE_CALLS = new Set(['mock', 'doMock', 'unmock', 'dontMock', 'requireActual', 'requireMock', 'setMock']);

/** Repository-relative paths (forward slashes) of the source files under `dir`. */
function sourceFiles(dir: string): string[] {
	const out: string[] = [];
	const walk = (rel: string) => {
		for (const entry of readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
			const child = `${rel}/${entry.name}`;
			if (entry.isDirectory()) {
				if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(child);
			} else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(child);
		}
	};
	if (existsSync(path.join(ROOT, dir))) walk(dir);
	return out.sort();
}

function stringArg(node: ts.CallExpression): string | undefined {
	const first = node.arguments[0];
	return first && ts.isStringLiteralLike(first) ? first.text : undefined;
}

/** Every module specifier `file` (repository-relative) imports or requires. */
function specifiers(file: string, text = readFileSync(path.join(ROOT, file), 'utf8')): string[] {
	const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('x') ? ts.ScriptKind.TSX : undefined);
	const found: string[] = [];
	const visit = (node: ts.Node) => {
		if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteralLike(node.moduleSpecifier)) {
			found.push(node.moduleSpecifier.text);
		} else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteralLike(node.moduleReference.expression)) {
			found.push(node.moduleReference.expression.text);
		} else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteralLike(node.argument.literal)) {
			found.push(node.argument.literal.text); // import('…').Type
		} else if (ts.isCallExpression(node)) {
			const callee = node.expression;
			const spec = stringArg(node);
			if (spec !== undefined) {
				const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
				const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
				const isMember = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression);
				const isRequireResolve = isMember && callee.expression.text === 'require' && callee.name.text === 'resolve';
				const isJest = isMember && callee.expression.text === 'jest' && JEST_MODULE_CALLS.has(callee.name.text);
				if (isRequire || isImport || isRequireResolve || isJest) found.push(spec);
			}
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return found;
}

/** The repository-relative path a specifier of `file` points at, or undefined for a package name. */
function target(file: string, spec: string): string | undefined {
	if (!spec.startsWith('.') && !path.isAbsolute(spec)) return undefined;
	return path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec)).split(path.sep).join('/');
}

/** The top folder of a repository-relative path ('..' for a path outside the repository). */
function area(rel: string): string {
	return rel.split('/')[0];
}

/** The source file a resolved import target loads, as the TypeScript / node resolution would find it. */
function sourceFileOf(rel: string): string | undefined {
	const candidates = [rel, ...['.ts', '.tsx', '.js', '.mjs', '.cjs'].map((ext) => rel + ext), ...['index.ts', 'index.js'].map((name) => `${rel}/${name}`)];
	if (/\.js$/.test(rel)) candidates.push(rel.replace(/\.js$/, '.ts'));
	return candidates.find((candidate) => SOURCE.test(candidate) && existsSync(path.join(ROOT, candidate)) && statSync(path.join(ROOT, candidate)).isFile());
}

/** Imports of files under `from` that land under `forbidden`, as "file → specifier". */
function directViolations(files: string[], forbidden: string): string[] {
	return files.flatMap((file) =>
		specifiers(file)
			.filter((spec) => {
				const rel = target(file, spec);
				return rel !== undefined && area(rel) === forbidden;
			})
			.map((spec) => `${file} → ${spec}`),
	);
}

/**
 * Import chains from `files` that reach a file under `forbidden` through other folders of the
 * repository (e.g. bench → dev → test), each as "a → b → c".
 */
function transitiveViolations(files: string[], forbidden: string): string[] {
	const edges = new Map<string, string[]>();
	const importsOf = (file: string): string[] => {
		let next = edges.get(file);
		if (!next) {
			next = specifiers(file)
				.map((spec) => target(file, spec))
				.filter((rel): rel is string => rel !== undefined && area(rel) !== '..')
				.map((rel) => sourceFileOf(rel) ?? rel)
				.filter((rel) => SOURCE.test(rel) || area(rel) === forbidden);
			edges.set(file, next);
		}
		return next;
	};
	const out: string[] = [];
	for (const start of files) {
		const seen = new Set<string>([start]);
		const queue: string[][] = [[start]];
		while (queue.length) {
			const chain = queue.shift()!;
			const file = chain[chain.length - 1];
			if (area(file) === forbidden) {
				out.push(chain.join(' → '));
				break; // one chain per starting file is enough to fix it
			}
			if (!existsSync(path.join(ROOT, file))) continue;
			for (const next of importsOf(file)) {
				if (!seen.has(next)) {
					seen.add(next);
					queue.push([...chain, next]);
				}
			}
		}
	}
	return out;
}

describe('repository layout (issue 19)', () => {
	const benchFiles = sourceFiles('bench');
	const testFiles = sourceFiles('test');

	it('finds the source files it checks', () => {
		expect(benchFiles).toContain('bench/run.ts');
		expect(testFiles).toContain('test/unit/layout.test.ts');
	});

	it('reads every kind of import specifier, and no commented-out one', () => {
		const text = [
			"import a from '../x/a';",
			"import type { B } from '../x/b';",
			"import '../x/c';",
			"export { d } from '../x/d';",
			"import e = require('../x/e');",
			"const f = require('../x/f');",
			"const g = import('../x/g');",
			"let h: import('../x/h').H;",
			"const i = require.resolve('../x/i');",
			"jest.mock('../x/j');",
			"// import k from '../x/k';",
			"/* require('../x/l') */",
			"const m = 'from \\'../x/m\\'';",
		].join('\n');
		expect(specifiers('test/unit/example.ts', text)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((name) => `../x/${name}`));
	});

	it('bench/ imports nothing from test/', () => {
		expect(directViolations(benchFiles, 'test')).toEqual([]);
	});

	it('test/ imports nothing from bench/', () => {
		expect(directViolations(testFiles, 'bench')).toEqual([]);
	});

	it('neither reaches the other through another folder (dev/, tools/, …)', () => {
		expect(transitiveViolations(benchFiles, 'test')).toEqual([]);
		expect(transitiveViolations(testFiles, 'bench')).toEqual([]);
	});

	it('test/ holds no tooling folders (they live in dev/)', () => {
		const found: string[] = [];
		const walk = (rel: string) => {
			for (const entry of readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
				if (!entry.isDirectory() || entry.name === 'node_modules') continue;
				if (TOOLING_DIRS.includes(entry.name)) found.push(`${rel}/${entry.name}`);
				walk(`${rel}/${entry.name}`);
			}
		};
		walk('test');
		expect(found).toEqual([]);
		for (const dir of ['sandbox', 'n8n', 'demo', 'screenshots', 'reliability']) {
			expect(existsSync(path.join(ROOT, 'dev', dir))).toBe(true);
		}
	});

	it('the npm package ships none of dev/, test/ or bench/', () => {
		const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
		expect(pkg.files.filter((entry) => /^(\.\/)?(dev|test|bench)(\/|$)/.test(entry) || !entry.startsWith('dist/'))).toEqual([]);
	});
});
