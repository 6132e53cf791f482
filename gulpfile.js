// Copies everything tsc does not emit into dist/: the node and credential icons
// (SVG/PNG, all in icons/, referenced as file:../../icons/… from a node and
// file:../icons/… from a credential, so dist/icons/ sits where those paths
// point) and the codex files (<Node>.node.json).
const { src, dest, series } = require('gulp');

function copyIcons() {
	return src(['icons/**/*.{svg,png}'], {
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
