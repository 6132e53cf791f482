// Terminal output of the demo: plain text, colours only on a terminal (and never with NO_COLOR).
const useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

const paint = (code: number) => (text: string) => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = paint(1);
export const dim = paint(2);
export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const cyan = paint(36);

export const OK = green('✔');
export const FAIL = red('✘');
export const SKIP = yellow('–');

export function out(line = ''): void {
	process.stdout.write(`${line}\n`);
}

export function heading(text: string): void {
	const rule = '━'.repeat(Math.max(4, 78 - text.length - 4));
	out();
	out(bold(`━━ ${text} ${rule}`));
}

/** Indents every line of a (possibly multi-line) text. */
export function indent(text: string, prefix: string): string {
	return text
		.split('\n')
		.map((line, i) => (i === 0 ? line : `${' '.repeat(prefix.length)}${line}`))
		.join('\n');
}
