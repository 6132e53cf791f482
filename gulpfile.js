// Copies everything tsc does not emit into dist/: node and credential icons
// (SVG/PNG), codex files (<Node>.node.json) and the package manifest that n8n
// reads when the package is loaded from dist.
const { src, dest, series } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.{svg,png}', 'credentials/**/*.{svg,png}', 'icons/**/*.{svg,png}'], {
		base: '.',
		encoding: false,
		allowEmpty: true,
	}).pipe(dest('dist'));
}

function copyCodex() {
	return src(['nodes/**/*.node.json'], { base: '.', allowEmpty: true }).pipe(dest('dist'));
}

exports.build = series(copyIcons, copyCodex);
exports.default = exports.build;
