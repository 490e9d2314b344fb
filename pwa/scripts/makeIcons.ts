/**
 * Draw Nod's app icons as PNG files with nothing but node:zlib: a ring with a dot (a nod) on the
 * theme colour. "any" icons are rounded squares with transparent corners; maskable icons bleed to
 * the edge and keep the mark inside the 80 % safe zone. Run: `npx tsx pwa/scripts/makeIcons.ts`.
 * The output is committed; rerun only when the design changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const theme = [0x1f, 0x4f, 0xd1] as const;
const white = [0xff, 0xff, 0xff] as const;
const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../public/icons');

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** RGBA pixels → PNG (colour type 6, 8 bits, filter 0 on every row). */
function encodePng(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 6;
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    Buffer.from(rgba.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Coverage of each shape at a point in unit coordinates (0..1), for 4×4 supersampling. */
function draw(size: number, maskable: boolean): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  // The mark shrinks for maskable icons so that it stays inside the safe zone.
  const scale = maskable ? 0.8 : 1;
  const ringOuter = 0.3 * scale;
  const ringInner = 0.22 * scale;
  const dot = 0.09 * scale;
  const corner = 0.2;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let background = 0;
      let mark = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          const inSquare = maskable || roundedSquare(x, y, corner);
          if (!inSquare) continue;
          background++;
          const r = Math.hypot(x - 0.5, y - 0.5);
          if ((r <= ringOuter && r >= ringInner) || r <= dot) mark++;
        }
      }
      const total = samples * samples;
      const alpha = background / total;
      const markShare = background === 0 ? 0 : mark / background;
      const i = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) pixels[i + c] = Math.round(theme[c] * (1 - markShare) + white[c] * markShare);
      pixels[i + 3] = Math.round(alpha * 255);
    }
  }
  return pixels;
}

function roundedSquare(x: number, y: number, radius: number): boolean {
  const cx = Math.min(Math.max(x, radius), 1 - radius);
  const cy = Math.min(Math.max(y, radius), 1 - radius);
  return Math.hypot(x - cx, y - cy) <= radius;
}

fs.mkdirSync(outDir, { recursive: true });
const icons: [string, number, boolean][] = [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['maskable-192.png', 192, true],
  ['maskable-512.png', 512, true],
  ['apple-touch-icon.png', 180, true],
];
for (const [name, size, maskable] of icons) {
  fs.writeFileSync(path.join(outDir, name), encodePng(size, draw(size, maskable)));
  console.log(`wrote ${name}`);
}
