import type { z } from 'zod';
import {
  type AnalysisInfo,
  type AnalysisResult,
  analysisInfoSchema,
  analysisResultSchema,
  errorSchema,
  type SqlAnswer,
  sqlAnswerSchema,
} from './types.js';

/** An error the API answered with, carrying its message, code and status. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function getJson<S extends z.ZodType>(schema: S, url: string, init?: RequestInit): Promise<z.infer<S>> {
  const response = await fetch(url, init);
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const parsed = errorSchema.safeParse(body);
    if (parsed.success) {
      const { message, code, status } = parsed.data.error;
      throw new ApiError(message, code, status);
    }
    throw new ApiError(`the server answered ${response.status}`, 'http', response.status);
  }
  return schema.parse(body);
}

let catalog: Promise<AnalysisInfo[]> | undefined;

/** The catalog, fetched once per page load. */
export function fetchCatalog(): Promise<AnalysisInfo[]> {
  catalog ??= getJson(analysisInfoSchema.array(), '/api/analyses');
  return catalog;
}

/** Runs an analysis (the server shares the result between viewers). */
export function runAnalysis(name: string, params: Record<string, string>): Promise<AnalysisResult> {
  const query = new URLSearchParams(params).toString();
  return getJson(
    analysisResultSchema,
    `/api/analyses/${encodeURIComponent(name)}${query ? `?${query}` : ''}`,
  );
}

/** Runs one read-only SELECT in the server's sandbox. */
export function runSql(sql: string): Promise<SqlAnswer> {
  return getJson(sqlAnswerSchema, '/api/sql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
  });
}
