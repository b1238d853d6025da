import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { DataLayout } from '../lake/index.js';

/** Where repair puts what it takes out of the lake: nothing is deleted. */
export function damagedDirectory(layout: DataLayout): string {
  return join(layout.root, 'damaged');
}

// The same relative path under <data>/damaged/, with a number added when a file of that name is there.
function target(layout: DataLayout, file: string): string {
  const base = join(damagedDirectory(layout), relative(layout.root, file));
  let path = base;
  for (let n = 2; existsSync(path); n++) path = `${base}.${n}`;
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

/** Moves a file to <data>/damaged/ (same relative path) and returns where it went. */
export function moveAside(layout: DataLayout, file: string): string {
  const to = target(layout, file);
  renameSync(file, to);
  return to;
}

/** Keeps bytes cut from a file (a batch-log tail) under <data>/damaged/ and returns where. */
export function keepAside(layout: DataLayout, file: string, bytes: Buffer): string {
  const to = target(layout, `${file}.tail`);
  writeFileSync(to, bytes);
  return to;
}
