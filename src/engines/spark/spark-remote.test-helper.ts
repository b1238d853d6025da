/**
 * The Spark Connect server the test run started (scripts/run-tests.sh exports SHOPLAKE_SPARK_REMOTE).
 * Without one, Spark tests are skipped with the reason, except under CI=true, where that is a failure.
 */
export function sparkRemoteForTests(): { remote: string } | { skip: string } {
  const remote = process.env.SHOPLAKE_SPARK_REMOTE;
  if (remote) return { remote };
  const reason =
    'no Spark Connect server: run the tests through scripts/run-tests.sh (npm test), which starts one, or set SHOPLAKE_SPARK_REMOTE';
  if (process.env.CI === 'true') throw new Error(`${reason} (required under CI=true)`);
  return { skip: reason };
}
