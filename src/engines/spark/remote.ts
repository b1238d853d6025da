import { UserError } from '../../errors/index.js';

/** Where a Spark Connect server listens and how to reach it, from an `sc://` connection string. */
export interface SparkRemote {
  host: string;
  port: number;
  /** TLS on the gRPC channel (`;use_ssl=true`, or implied by a token). */
  useSsl: boolean;
  /** Bearer token sent with every call (`;token=…`). */
  token: string | undefined;
  /** Spark user the session runs as (`;user_id=…`, default: shoplake). */
  userId: string;
}

/** Spark Connect's default port, used when the connection string names none. */
export const DEFAULT_SPARK_PORT = 15002;

/**
 * Parses Spark's connection string `sc://host[:port][/;key=value;…]` (the format every Spark Connect
 * client accepts); a malformed one is the user's mistake.
 */
export function parseSparkRemote(text: string): SparkRemote {
  const bad = (why: string) =>
    new UserError(
      `invalid Spark remote '${text}': ${why} (expected sc://host:port, e.g. sc://127.0.0.1:15002)`,
      {
        code: 'bad_spark_remote',
      },
    );
  const match = /^sc:\/\/(\[[0-9a-fA-F:.]+\]|[^:/;[\]]+)(?::(\d+))?\/?((?:;[^;=]+=[^;]*)*)$/.exec(
    text.trim(),
  );
  if (!match) throw bad('not an sc:// connection string');
  const [, host = '', portText, paramText = ''] = match;
  const port = portText === undefined ? DEFAULT_SPARK_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw bad(`port ${portText} is out of range`);
  const params = new Map<string, string>();
  for (const pair of paramText.split(';').filter((p) => p !== '')) {
    const [key = '', ...rest] = pair.split('=');
    params.set(key, decodeURIComponent(rest.join('=')));
  }
  const useSslText = params.get('use_ssl');
  if (useSslText !== undefined && useSslText !== 'true' && useSslText !== 'false') {
    throw bad('use_ssl must be true or false');
  }
  const token = params.get('token');
  return {
    host: host.startsWith('[') ? host.slice(1, -1) : host,
    port,
    // Spark's own clients refuse to send a token in clear text; so do we.
    useSsl: useSslText === 'true' || (useSslText === undefined && token !== undefined),
    token,
    userId: params.get('user_id') ?? 'shoplake',
  };
}
