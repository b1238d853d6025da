import { UserError } from '../../errors/index.js';

/** Turns a local lake file path into the URI Spark reads it from. */
export interface LakeLocator {
  readonly baseUri: string;
  /** Whether Spark reads the very files this process sees (the default file:// URI of the local lake). */
  readonly local: boolean;
  uriOf(localPath: string): string;
}

/**
 * Spark may read the lake from another place than this process sees it (HDFS, S3, a shared mount): the
 * manifest is read locally, and each live file's path relative to the local lake is appended to
 * `lakeUri`. Default: the local lake itself as `file://…`.
 */
export function lakeLocator(localLake: string, lakeUri?: string): LakeLocator {
  const base = (lakeUri ?? `file://${localLake}`).replace(/\/+$/, '');
  if (!/^[a-z][a-z0-9+.-]*:\/\/./i.test(base)) {
    throw new UserError(
      `invalid lake URI '${lakeUri}': give the lake directory as Spark sees it, e.g. file:///data/lake, hdfs://namenode:8020/shoplake/lake or s3a://bucket/shoplake/lake`,
      { code: 'bad_lake_uri' },
    );
  }
  const prefix = localLake.replace(/\/+$/, '');
  return {
    baseUri: base,
    local: base === `file://${prefix}`,
    uriOf(localPath: string): string {
      if (!localPath.startsWith(`${prefix}/`)) {
        throw new Error(`lake file ${localPath} is outside the lake ${prefix}`);
      }
      return `${base}${localPath.slice(prefix.length)}`;
    },
  };
}
