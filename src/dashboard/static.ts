import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the build writes the browser bundle: dist/web/, next to dist/src/. */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** One built file, held in memory: the bundle is fixed for the life of the process. */
export interface StaticFile {
  body: Buffer;
  type: string;
}

/** Reads the built frontend (index.html, app.js, app.css, …) once; empty when it was not built. */
export function loadWebFiles(dir: string = WEB_DIR): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) files.set(`/${name}`, { body: readFileSync(join(dir, name)), type });
  }
  return files;
}

/** Reads one built file as text (the report inlines the bundle). */
export function webFileText(name: string, dir: string = WEB_DIR): string {
  const path = join(dir, name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: the frontend is built by 'sh scripts/setup.sh' (npm run build)`);
  }
  return readFileSync(path, 'utf8');
}
