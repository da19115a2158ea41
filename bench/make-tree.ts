// Generates a deterministic file tree for the tree-target benchmark: folders 1-4 deep with
// about 20 files each and a size mix like a home or project folder (many small files, few
// large ones carrying most bytes). Also changes a fraction of its files for incrementals.
//
//   node bench/make-tree.ts <dir> [files] [bytes]

import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, writeSync, readdirSync, statSync, utimesSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';

export interface TreeShape {
  files: number;
  /** Total bytes, approximately (within a few percent). */
  bytes: number;
  seed: number;
  /** realistic: a mix of sizes (below); small: every file 16 B - 4 KiB, `bytes` ignored. */
  mix: 'realistic' | 'small';
}

export interface BenchSettings {
  /** Where the generated tree and the copies go: never inside the repository. */
  dir: string;
  shape: TreeShape;
  rounds: number;
}

/**
 * A benchmark's folder, tree and rounds: its defaults, each overridden by STILLPOINT_BENCH_DIR,
 * STILLPOINT_BENCH_FILES, STILLPOINT_BENCH_BYTES or STILLPOINT_BENCH_ROUNDS.
 */
export function benchSettings(defaults: { dir: string; files: number; bytes: number; seed: number; rounds: number }): BenchSettings {
  const dir = resolve(process.env.STILLPOINT_BENCH_DIR ?? defaults.dir);
  const repository = resolve(import.meta.dirname, '..');
  if (dir === repository || dir.startsWith(repository + sep)) throw new Error('STILLPOINT_BENCH_DIR must be outside the repository');
  return {
    dir,
    shape: {
      files: Number(process.env.STILLPOINT_BENCH_FILES ?? defaults.files),
      bytes: Number(process.env.STILLPOINT_BENCH_BYTES ?? defaults.bytes),
      seed: defaults.seed,
      mix: 'realistic',
    },
    rounds: Number(process.env.STILLPOINT_BENCH_ROUNDS ?? defaults.rounds),
  };
}

/** A small deterministic PRNG (mulberry32), so every run builds the same tree. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function logUniform(rnd: () => number, min: number, max: number): number {
  return Math.round(Math.exp(Math.log(min) + rnd() * (Math.log(max) - Math.log(min))));
}

/**
 * File sizes: 70% up to 8 KiB, 25% up to 128 KiB, 4.5% up to 1 MiB, 0.5% large files that
 * take the remaining bytes (at least 1 MiB each): for 50,000 files and 2.25 GiB, a mean of
 * 47 KiB with a median near 4 KiB, like a home or project folder. A total too small for that
 * mix scales the smaller files down.
 */
function sizes(shape: TreeShape, rnd: () => number): number[] {
  if (shape.mix === 'small') return Array.from({ length: shape.files }, () => logUniform(rnd, 16, 4096));
  const out: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < shape.files; i++) {
    const r = rnd();
    if (r < 0.7) out.push(logUniform(rnd, 16, 8 * 1024));
    else if (r < 0.95) out.push(logUniform(rnd, 8 * 1024, 128 * 1024));
    else if (r < 0.995) out.push(logUniform(rnd, 128 * 1024, 1024 * 1024));
    else {
      out.push(-1);
      large.push(i);
    }
  }
  let small = out.reduce((sum, n) => (n > 0 ? sum + n : sum), 0);
  // Fewer bytes than the mix's small files take (20,000 files take about 0.6 GiB): every file
  // but the large ones shrinks in proportion, so that the tree has the bytes asked for.
  const largeFloor = large.length * 1024 * 1024;
  if (shape.bytes < small + largeFloor) {
    const factor = Math.max(0, shape.bytes - largeFloor) / small;
    out.forEach((n, i) => n > 0 && (out[i] = Math.max(1, Math.round(n * factor))));
    small = out.reduce((sum, n) => (n > 0 ? sum + n : sum), 0);
  }
  const left = Math.max(0, shape.bytes - small);
  const weights = large.map(() => logUniform(rnd, 1, 64));
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  large.forEach((i, k) => (out[i] = Math.max(1024 * 1024, Math.round((left * weights[k]!) / total))));
  return out;
}

let pool: Buffer | undefined;

/** File contents are slices of one random pool: incompressible, and cheap to produce. */
function writeData(path: string, size: number, rnd: () => number): void {
  const POOL = (pool ??= randomBytes(64 * 1024 * 1024));
  const fd = openSync(path, 'w', 0o644);
  try {
    let done = 0;
    while (done < size) {
      const n = Math.min(size - done, 4 * 1024 * 1024);
      const at = Math.floor(rnd() * (POOL.length - n));
      done += writeSync(fd, POOL, at, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** Builds the tree under dir unless a tree of this shape is already there. */
export function makeTree(dir: string, shape: TreeShape): void {
  const stamp = join(dir, '..', `${dir.split('/').pop()}.shape.json`);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === JSON.stringify(shape) && existsSync(dir)) return;
  rmSync(dir, { recursive: true, force: true });
  rmSync(stamp, { force: true });
  const rnd = random(shape.seed);
  const fileSizes = sizes(shape, rnd);
  // The folders a new one may go under (fewer than 4 deep), in the order they were made:
  // kept as they come rather than filtered from all folders each time, which at 1,000,000
  // files (50,000 folders) took longer than writing the files.
  const parents: string[] = [''];
  let folder = '';
  let folderIndex = 0;
  for (let i = 0; i < fileSizes.length; i++) {
    if (i % 20 === 0) {
      // A new folder under a random existing one, at most 4 deep.
      const parent = parents[Math.floor(rnd() * parents.length)]!;
      folder = parent ? `${parent}/d${folderIndex++}` : `d${folderIndex++}`;
      mkdirSync(join(dir, folder), { recursive: true });
      if (folder.split('/').length < 4) parents.push(folder);
    }
    const ext = ['txt', 'jpg', 'pdf', 'json', 'bin', 'ts', 'md'][Math.floor(rnd() * 7)];
    writeData(join(dir, folder, `f${i}.${ext}`), fileSizes[i]!, rnd);
  }
  writeFileSync(stamp, JSON.stringify(shape));
}

/** Every regular file under dir, in a stable order. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile()) out.push(path);
    }
  };
  visit(dir);
  return out;
}

/** Rewrites `fraction` of the files (same size, new bytes, new mtime); returns the bytes changed. */
export function changeFiles(dir: string, fraction: number, seed: number): { files: number; bytes: number } {
  const rnd = random(seed);
  const files = listFiles(dir);
  let bytes = 0;
  const count = Math.max(1, Math.round(files.length * fraction));
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(rnd() * files.length));
  const later = Date.now() / 1000 + 1;
  for (const i of chosen) {
    const path = files[i]!;
    const size = statSync(path).size;
    writeData(path, size, rnd);
    utimesSync(path, later, later);
    bytes += size;
  }
  return { files: count, bytes };
}

if (import.meta.main) {
  const [dir, files = '50000', bytes = String(2.25 * 1024 ** 3)] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: node bench/make-tree.ts <dir> [files] [bytes]\n');
    process.exit(2);
  }
  makeTree(dir, { files: Number(files), bytes: Number(bytes), seed: 1, mix: 'realistic' });
}
