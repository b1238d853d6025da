import type { z } from 'zod';
import {
  type AnalysisInfo,
  type AnalysisResult,
  analysisInfoSchema,
  analysisResultSchema,
  errorSchema,
  type Session,
  type SqlAnswer,
  sessionSchema,
  sqlAnswerSchema,
} from './types.js';

/** Fired on window when the API answers 401: the page then asks for a key. */
export const SIGN_IN_EVENT = 'shoplake:sign-in';

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
    if (response.status === 401) window.dispatchEvent(new CustomEvent(SIGN_IN_EVENT));
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
  catalog ??= getJson(analysisInfoSchema.array(), '/api/analyses').catch((err: unknown) => {
    // Not kept: after a sign-in the next call asks again.
    catalog = undefined;
    throw err;
  });
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

/** The URL of an analysis's rows as a file (CSV or JSON), with the page's parameters. */
export function downloadUrl(name: string, params: Record<string, string>, format: 'csv' | 'json'): string {
  const query = new URLSearchParams({ ...params, format }).toString();
  return `/api/analyses/${encodeURIComponent(name)}/download?${query}`;
}

/** Who the server takes this browser for (a 401 when it has no key yet). */
export function fetchSession(): Promise<Session> {
  return getJson(sessionSchema, '/api/session');
}

/** Signs in with a key: the server checks it and keeps it in an HttpOnly cookie. */
export function signIn(key: string): Promise<Session> {
  return getJson(sessionSchema, '/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key }),
  });
}

/** Signs out: the server clears the cookie. */
export async function signOut(): Promise<void> {
  await fetch('/api/session', { method: 'DELETE' });
}
