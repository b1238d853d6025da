"""chDB (ClickHouse in-process) contender of bench/sessions.ts, run in a fresh process per measurement.

Usage: python sessions_chdb.py ANALYSIS CLICKSTREAM_FILES_JSON EXPERIMENTS_FILES_JSON
Reads the lake's live clickstream Parquet files directly and computes the analysis from events, with the
definitions of docs/ANALYSES.md written in ClickHouse SQL (arrays where ClickHouse has them). Runs it
twice (cold, warm) and prints one JSON line: times, peak RSS and the answer in bench's canonical form.
"""

import json
import resource
import sys
import time

import chdb


def relation(files):
    return "(" + " UNION ALL ".join(f"SELECT * FROM file('{f}', Parquet)" for f in files) + ")"


def events(clicks):
    return f"""ev0 AS (
      SELECT timestamp AS ts, session_id, customer_id, action, page, device, duration_seconds,
        toInt64(toUnixTimestamp(timestamp)) AS sec
      FROM {clicks}
    ),
    derived AS (
      SELECT *, if(sec - lagInFrame(sec, 1, toInt64(0)) OVER (PARTITION BY customer_id ORDER BY ts
          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) <= 1800, 0, 1) AS starts
      FROM ev0 WHERE session_id IS NULL
    ),
    ev AS (
      SELECT ts, assumeNotNull(session_id) AS session, customer_id, action, page, device, duration_seconds, sec
      FROM ev0 WHERE session_id IS NOT NULL
      UNION ALL
      SELECT ts, concat(customer_id, '~', toString(sum(starts) OVER (PARTITION BY customer_id ORDER BY ts
          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))), customer_id, action, page, device, duration_seconds, sec
      FROM derived
    )"""


SESS = """sess AS (
      SELECT session, argMin(device, (sec, device)) AS device, min(ts) AS started,
        max(sec + duration_seconds) - min(sec) AS seconds, count() AS events,
        countIf(action = 'VIEW') AS page_views, max(action = 'PURCHASE') AS purchased
      FROM ev GROUP BY session
    )"""


def sql(analysis, clicks, experiments):
    ev = events(clicks)
    if analysis == "sessions":
        return f"""WITH {ev}, {SESS}
          SELECT toString(toDate(started)) AS day, device, count() AS sessions, round(avg(seconds), 1),
            quantileExactInclusive(0.5)(seconds), round(avg(page_views), 2), round(avg(events = 1), 4),
            round(avg(purchased), 4)
          FROM sess GROUP BY day, device ORDER BY day, device"""
    if analysis == "conversion-by-device":
        return f"""WITH {ev}, {SESS}
          SELECT device, count(), sum(purchased) FROM sess GROUP BY device ORDER BY device"""
    if analysis == "ab-test":
        return f"""WITH {ev}, {SESS}
          SELECT x.experiment, x.variant, count(), sum(s.purchased)
          FROM {experiments} x JOIN sess s ON s.session = x.session_id
          WHERE x.variant IN ('A', 'B') GROUP BY x.experiment, x.variant ORDER BY x.experiment, x.variant"""
    if analysis == "funnel":
        return f"""WITH {ev},
          f AS (
            SELECT session, minIf(sec, action = 'VIEW') AS t1,
              groupArrayIf(sec, action = 'ADD_TO_CART') AS c, groupArrayIf(sec, action = 'CHECKOUT') AS k,
              groupArrayIf(sec, action = 'PURCHASE') AS p
            FROM ev GROUP BY session HAVING countIf(action = 'VIEW') > 0
          ),
          f2 AS (SELECT *, if(has(arrayMap(x -> x >= t1, c), 1), arrayMin(arrayFilter(x -> x >= t1, c)), NULL) AS t2 FROM f),
          f3 AS (SELECT *, if(t2 IS NOT NULL AND has(arrayMap(x -> x >= t2, k), 1), arrayMin(arrayFilter(x -> x >= t2, k)), NULL) AS t3 FROM f2),
          f4 AS (SELECT *, if(t3 IS NOT NULL AND has(arrayMap(x -> x >= t3, p), 1), arrayMin(arrayFilter(x -> x >= t3, p)), NULL) AS t4 FROM f3)
          SELECT count(), count(t2), count(t3), count(t4), quantileExactInclusive(0.5)(t2 - t1),
            quantileExactInclusive(0.5)(t3 - t2), quantileExactInclusive(0.5)(t4 - t3)
          FROM f4"""
    if analysis == "user-paths":
        return f"""WITH {ev},
          a AS (
            SELECT session, minIf(sec, action = 'PURCHASE') AS psec,
              arraySort(groupArray((sec, action, page))) AS evs
            FROM ev GROUP BY session HAVING countIf(action = 'PURCHASE') > 0
          ),
          l AS (
            SELECT session, arrayMap(x -> if(x.2 = 'VIEW', x.3, x.2), arrayFilter(x -> x.1 <= psec, evs)) AS labels FROM a
          ),
          d AS (
            SELECT session, arrayFilter((x, i) -> i = 1 OR x != labels[i - 1], labels, arrayEnumerate(labels)) AS steps FROM l
          ),
          paths AS (
            SELECT arrayStringConcat(arrayConcat(if(length(steps) > 5, ['…'], []),
              arraySlice(steps, greatest(1, length(steps) - 4))), ' > ') AS path FROM d
          )
          SELECT path, count() AS sessions FROM paths GROUP BY path ORDER BY sessions DESC, path LIMIT 10"""
    raise SystemExit(f"no chDB SQL for {analysis}")


def r4(x):
    return None if x is None or (isinstance(x, float) and x != x) else round(float(x) * 1e4) / 1e4


def canonical(analysis, rows):
    if analysis == "sessions":
        return [[r[0], r[1], int(r[2])] + [r4(v) for v in r[3:]] for r in rows]
    if analysis == "conversion-by-device":
        return [[r[0], int(r[1]), int(r[2])] for r in rows]
    if analysis == "ab-test":
        return [[r[0], r[1], int(r[2]), int(r[3])] for r in rows]
    if analysis == "user-paths":
        return [[r[0], int(r[1])] for r in rows]
    if analysis == "funnel":
        n = rows[0]
        return [["all", k + 1, int(n[k]), None if k == 0 else r4(n[3 + k])] for k in range(4)]
    raise SystemExit(analysis)


def main():
    analysis, clicks, experiments = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    query = sql(analysis, relation(clicks), relation(experiments))
    times, rows = [], []
    for _ in range(2):
        t0 = time.perf_counter()
        out = chdb.query(query, "JSONCompact")
        times.append((time.perf_counter() - t0) * 1000)
        rows = json.loads(out.bytes() or b'{"data": []}')["data"]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"coldMs": times[0], "warmMs": times[1], "rssMb": rss, "answer": canonical(analysis, rows)}))


main()
