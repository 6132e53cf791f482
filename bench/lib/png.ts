/**
 * A tiny RGB raster and PNG encoder for the bench's charts, with nothing but node:zlib: the
 * package has no runtime dependencies and the bench adds none either. Enough for lines,
 * rectangles and text in the embedded 5×7 bitmap font (font5x7.ts).
 *
 * PNG (ISO/IEC 15948, RFC 2083): 8-byte signature, then chunks of [length, type, data, CRC-32
 * over type + data]; IHDR (width, height, bit depth 8, colour type 2 = RGB, no interlace), one
 * IDAT with the zlib-deflated scanlines (each prefixed with filter type 0), IEND.
 */
import { deflateSync } from 'node:zlib';

import { glyph, GLYPH_HEIGHT, GLYPH_WIDTH } from './font5x7';

export type Rgb = readonly [number, number, number];

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

/** CRC-32 as PNG uses it (the zlib / ISO 3309 polynomial). */
export function crc32(data: Uint8Array): number {
	let c = 0xffffffff;
	for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
	const out = Buffer.alloc(12 + data.length);
	out.writeUInt32BE(data.length, 0);
	out.write(type, 4, 'ascii');
	data.copy(out, 8);
	out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
	return out;
}

export class Canvas {
	readonly pixels: Uint8Array;

	constructor(
		readonly width: number,
		readonly height: number,
		background: Rgb = [255, 255, 255],
	) {
		if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new Error(`canvas size ${width}×${height}`);
		this.pixels = new Uint8Array(width * height * 3);
		this.fillRect(0, 0, width, height, background);
	}

	set(x: number, y: number, color: Rgb): void {
		x = Math.round(x);
		y = Math.round(y);
		if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
		const i = (y * this.width + x) * 3;
		this.pixels[i] = color[0];
		this.pixels[i + 1] = color[1];
		this.pixels[i + 2] = color[2];
	}

	get(x: number, y: number): Rgb {
		const i = (y * this.width + x) * 3;
		return [this.pixels[i], this.pixels[i + 1], this.pixels[i + 2]];
	}

	fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
		const x0 = Math.max(0, Math.round(x));
		const y0 = Math.max(0, Math.round(y));
		const x1 = Math.min(this.width, Math.round(x + w));
		const y1 = Math.min(this.height, Math.round(y + h));
		for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.set(xx, yy, color);
	}

	/** A straight line `thickness` pixels wide; `dash` = [on, off] pixels for a dashed one. */
	line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1, dash?: [number, number]): void {
		const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
		const half = (thickness - 1) / 2;
		for (let s = 0; s <= steps; s++) {
			if (dash && s % (dash[0] + dash[1]) >= dash[0]) continue;
			const x = x0 + ((x1 - x0) * s) / steps;
			const y = y0 + ((y1 - y0) * s) / steps;
			this.fillRect(Math.round(x - half), Math.round(y - half), thickness, thickness, color);
		}
	}

	/** Connected line through the points. */
	polyline(points: Array<[number, number]>, color: Rgb, thickness = 2): void {
		for (let i = 1; i < points.length; i++) this.line(points[i - 1][0], points[i - 1][1], points[i][0], points[i][1], color, thickness);
	}

	/** Width in pixels of `text` at `scale`. */
	static textWidth(text: string, scale = 1): number {
		return text.length === 0 ? 0 : (text.length * (GLYPH_WIDTH + 1) - 1) * scale;
	}

	/** Text with its top-left corner at (x, y); `align` moves the anchor to the centre or the right end. */
	text(x: number, y: number, text: string, color: Rgb, scale = 1, align: 'left' | 'center' | 'right' = 'left'): void {
		const width = Canvas.textWidth(text, scale);
		let cx = Math.round(align === 'center' ? x - width / 2 : align === 'right' ? x - width : x);
		for (const ch of text) {
			const columns = glyph(ch);
			for (let col = 0; col < GLYPH_WIDTH; col++) {
				for (let row = 0; row < GLYPH_HEIGHT; row++) {
					if ((columns[col] >> row) & 1) this.fillRect(cx + col * scale, y + row * scale, scale, scale, color);
				}
			}
			cx += (GLYPH_WIDTH + 1) * scale;
		}
	}

	/** Text turned 90° counter-clockwise (reads bottom to top), its start at (x, y). */
	textUp(x: number, y: number, text: string, color: Rgb, scale = 1): void {
		let cy = y;
		for (const ch of text) {
			const columns = glyph(ch);
			for (let col = 0; col < GLYPH_WIDTH; col++) {
				for (let row = 0; row < GLYPH_HEIGHT; row++) {
					if ((columns[col] >> row) & 1) this.fillRect(x + row * scale, cy - col * scale, scale, scale, color);
				}
			}
			cy -= (GLYPH_WIDTH + 1) * scale;
		}
	}

	toPng(): Buffer {
		return encodePng(this.width, this.height, this.pixels);
	}
}

/** Encodes 8-bit RGB pixels (row after row, 3 bytes a pixel) as a PNG file. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
	if (rgb.length !== width * height * 3) throw new Error(`encodePng: ${rgb.length} bytes for ${width}×${height} RGB`);
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // colour type: RGB
	ihdr[10] = 0; // compression: deflate
	ihdr[11] = 0; // filter method 0
	ihdr[12] = 0; // no interlace
	const stride = width * 3;
	const raw = Buffer.alloc((stride + 1) * height);
	for (let y = 0; y < height; y++) {
		raw[y * (stride + 1)] = 0; // filter type None
		raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
	}
	return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}
