import type { Command } from 'commander';
import { lakeKey } from '../duckdb/index.js';

/**
 * `--encryption-key-file FILE` (global): the lake's key for this run. It is handed on as
 * $SHOPLAKE_ENCRYPTION_KEY_FILE, where the library (and the collector's compaction process, which
 * inherits the environment) reads it; the file is read and checked before the command starts.
 */
export function addEncryptionKeyOption(program: Command): void {
  program.option(
    '--encryption-key-file <file>',
    "the lake's encryption key (32 random bytes, base64; see 'shoplake encryption-key'); also $SHOPLAKE_ENCRYPTION_KEY_FILE or $SHOPLAKE_ENCRYPTION_KEY",
  );
  program.hook('preAction', (_program, action) => {
    const file: unknown = action.optsWithGlobals().encryptionKeyFile;
    if (typeof file !== 'string') return;
    process.env.SHOPLAKE_ENCRYPTION_KEY_FILE = file;
    // The flag wins over a key in the environment.
    delete process.env.SHOPLAKE_ENCRYPTION_KEY;
    lakeKey();
  });
}
