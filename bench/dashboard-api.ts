import { loadCatalog, runAnalysis } from '../src/analyses/index.js';
import { startDashboard } from '../src/dashboard/index.js';
import { type Engine, openEngine, withRunOptions } from '../src/engines/index.js';

/** How the API part of the dashboard benchmark runs. */
export interface ApiBenchOptions {
  /** Requests per analysis that compute (the shared cache expired): the latency a panel's first viewer sees. */
  cold: number;
  /** Requests per analysis answered from the shared cache, right after a cold one. */
  warm: number;
  /** Runs per analysis directly on an engine in this process (the peer: what the server adds); 0: none. */
  direct: number;
  /** Analyses to measure (default: the whole catalog). */
  only?: readonly string[];
  /** The bound of one analysis: a run still going after it is stopped and the bound is its result. */
  timeoutMs: number;
  /** The server's refresh interval: a cold request comes at least this long after the last computation. */
  refreshMs: number;
  /** Also time the live counters (`/api/live/snapshot`, which counts every time: no cache). */
  live?: boolean;
}

/** What one analysis measured: latencies in ms, or why it was not measured. */
export interface ApiFigures {
  name: string;
  cold: number[];
  warm: number[];
  direct: number[];
  /** Bytes of the API's JSON answer. */
  bytes: number;
  rows: number;
  /** Why the analysis stopped being measured (a bound reached, a parameter it needs, an error). */
  stopped: string | null;
  /** Why the direct runs stopped (the bound reached). */
  directStopped: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The dashboard API's latency per analysis, cold (computed on the server's warm engine) and warm (a
 * cache hit), each request classified by the server's own cache counters rather than by its timing, and
 * the direct runs of the peer.
 * Analyses are visited round-robin, so a cold request of one comes after the others ran, once its cached
 * result has expired (waiting only when a round is shorter than the refresh interval).
 */
export async function apiLatencies(dataDir: string, o: ApiBenchOptions): Promise<ApiFigures[]> {
  const catalog = (await loadCatalog()).filter((a) => !o.only || o.only.includes(a.name));
  const unknown = (o.only ?? []).filter((n) => n !== 'live' && !catalog.some((a) => a.name === n));
  if (unknown.length > 0) throw new Error(`--only: no analysis named ${unknown.join(', ')}`);
  const server = await startDashboard({
    engine: { dataDir },
    refreshMs: o.refreshMs,
    queryTimeoutMs: o.timeoutMs,
    port: 0,
  });
  const figures = catalog.map(
    (a): ApiFigures => ({
      name: a.name,
      cold: [],
      warm: [],
      direct: [],
      bytes: 0,
      rows: 0,
      stopped: null,
      directStopped: null,
    }),
  );
  const computedAt = new Map<string, number>();
  const request = async (f: ApiFigures): Promise<'cold' | 'warm' | null> => {
    const before = server.dashboard.stats().cache.computed;
    const t0 = performance.now();
    let status = 0;
    let body = new ArrayBuffer(0);
    // A backstop beyond the server's own bound, in case a statement does not stop when told.
    const signal = AbortSignal.timeout(o.timeoutMs + 30_000);
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${server.url}/api/analyses/${f.name}`, { signal });
        status = res.status;
        body = await res.arrayBuffer();
        break;
      } catch (err) {
        // A kept-alive connection the server closed after 5 s idle (a long direct run came between)
        // fails at once: asked again on a new one.
        if (attempt === 1 && !signal.aborted) continue;
        f.stopped = `> ${o.timeoutMs / 1000} s (no answer: ${String(err)})`;
        return null;
      }
    }
    const ms = performance.now() - t0;
    if (status === 408) {
      f.stopped = `> ${o.timeoutMs / 1000} s (stopped at the bound)`;
      return null;
    }
    if (status !== 200) {
      f.stopped = `HTTP ${status}: ${errorMessage(body)}`;
      return null;
    }
    const cold = server.dashboard.stats().cache.computed > before;
    if (cold) computedAt.set(f.name, performance.now());
    (cold ? f.cold : f.warm).push(ms);
    f.bytes = body.byteLength;
    f.rows = rowCount(body);
    return cold ? 'cold' : 'warm';
  };
  // The peer's engine is open beside the server's, so each analysis's direct run comes right after its
  // API requests, under the same load and the same state of the OS's file cache.
  const engine = o.direct > 0 ? await openEngine({ dataDir, role: 'viewer' }) : null;
  try {
    for (let round = 0; round < Math.max(o.cold, o.direct); round++) {
      for (const f of figures) {
        if (f.stopped) continue;
        if (round < o.cold) {
          const since = performance.now() - (computedAt.get(f.name) ?? Number.NEGATIVE_INFINITY);
          if (since < o.refreshMs + 50) await sleep(o.refreshMs + 50 - since);
          if ((await request(f)) === null) continue;
          for (let i = 0; i < Math.ceil(o.warm / o.cold) && f.warm.length < o.warm; i++) {
            if ((await request(f)) === null) break;
          }
        }
        if (engine && round < o.direct && !f.directStopped) await directRun(engine, f, o.timeoutMs);
      }
    }
    if (o.live) figures.push(await liveLatency(server.url, o.cold));
  } finally {
    await engine?.close();
    await server.close();
  }
  return figures;
}

/** The live tiles' counting (three statements on the counters' own DuckDB), as a pushed update costs. */
async function liveLatency(url: string, runs: number): Promise<ApiFigures> {
  const f: ApiFigures = {
    name: '(live counters)',
    cold: [],
    warm: [],
    direct: [],
    bytes: 0,
    rows: 1,
    stopped: null,
    directStopped: null,
  };
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/live/snapshot?tz=UTC`);
    const body = await res.arrayBuffer();
    if (res.status !== 200) {
      f.stopped = `HTTP ${res.status}: ${errorMessage(body)}`;
      break;
    }
    f.cold.push(performance.now() - t0);
    f.bytes = body.byteLength;
  }
  return f;
}

/** The peer: the analysis run by the library on an engine of this process, with the same bound. */
async function directRun(engine: Engine, f: ApiFigures, timeoutMs: number): Promise<void> {
  const analysis = (await loadCatalog()).find((a) => a.name === f.name);
  if (!analysis) return;
  const bounded = withRunOptions(engine, { signal: AbortSignal.timeout(timeoutMs) });
  const t0 = performance.now();
  try {
    await runAnalysis(bounded, analysis, {});
    f.direct.push(performance.now() - t0);
  } catch (err) {
    f.directStopped = `${String(err).slice(0, 120)} after ${Math.round(performance.now() - t0)} ms`;
  }
}

function errorMessage(body: ArrayBuffer): string {
  const text = new TextDecoder().decode(body);
  const match = /"message":"((?:[^"\\]|\\.)*)"/.exec(text);
  return (match?.[1] ?? text).slice(0, 160);
}

/** Rows of an analysis answer, counted without parsing it all (answers reach hundreds of MB at 10M). */
function rowCount(body: ArrayBuffer): number {
  const text = new TextDecoder().decode(body);
  const start = text.indexOf('"rows":[');
  if (start < 0) return 0;
  if (text.startsWith(']', start + 8)) return 0;
  let rows = 0;
  let depth = 0;
  let inString = false;
  for (let i = start + 7; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' && ++depth === 1) rows++;
    else if (ch === '}') depth--;
    else if (ch === ']' && depth === 0) break;
  }
  return rows;
}
