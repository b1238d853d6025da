import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { newLakeKeyText } from '../../duckdb/index.js';
import { UserError } from '../../errors/index.js';
import { parseFlags } from '../flags.js';
import { checkOutputFile } from '../output-path.js';

const flagsSchema = z.object({ out: z.string().min(1).optional() });

/** `shoplake encryption-key [--out FILE]`: a new key for an encrypted lake (docs/SECURITY.md). */
export function registerEncryptionKey(program: Command): void {
  program
    .command('encryption-key')
    .description('make a new key for encryption at rest (prints it, or writes it to --out with mode 0600)')
    .option('--out <file>', 'write the key to this new file (mode 0600) instead of printing it')
    .action((opts: unknown) => {
      const { out } = parseFlags(flagsSchema, opts);
      const key = newLakeKeyText();
      if (out === undefined) {
        process.stdout.write(`${key}\n`);
        return;
      }
      if (existsSync(out))
        throw new UserError(`${out} exists: a key file is never overwritten (a lost key loses the lake)`);
      checkOutputFile(out, '--out');
      writeFileSync(out, `${key}\n`, { mode: 0o600, flag: 'wx' });
      process.stderr.write(
        `wrote a new encryption key to ${out}: keep a copy somewhere safe, the lake cannot be read without it\n`,
      );
    });
}
