#!/bin/sh
# Runs the compiled test files only (*.test.js): node's default discovery would also run modules whose
# names merely end in -test.js, such as the ab-test analysis.
# One Spark Connect server (local[2], loopback only) serves the whole run for the Spark engine's tests;
# it is stopped however the tests end. Without Spark installed the Spark tests skip, except under
# CI=true, where they fail.
set -e
cd "$(dirname "$0")/.."
if [ -x .cache/pyspark/pyspark/bin/spark-submit ]; then
  trap 'sh scripts/spark-connect.sh stop' EXIT
  trap 'exit 130' INT TERM
  SHOPLAKE_SPARK_REMOTE=$(sh scripts/spark-connect.sh start)
  export SHOPLAKE_SPARK_REMOTE
  SHOPLAKE_SPARK_PID=$(cat .cache/spark-connect/pid)
  export SHOPLAKE_SPARK_PID
fi
find dist -name '*.test.js' | sort | xargs node --test --test-concurrency=1
