#!/bin/sh
# Installs what the tests need beyond npm packages: promtool (Debian package prometheus), which checks
# the collector's /metrics output. Runs as part of `npm test`; a missing tool fails the tests under CI.
set -e
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing promtool (apt package prometheus)" >&2
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  else
    echo "promtool is missing: install the Debian package prometheus (tests that need it fail under CI=true)" >&2
  fi
fi
# Spark (pyspark from PyPI into .cache/pyspark) for the Spark engine's tests; scripts/run-tests.sh
# starts and stops its Connect server.
sh "$(dirname "$0")/spark-setup.sh"
# scikit-learn (into a venv at .cache/pyref) for the fraud model's reference tests (src/fraud).
sh "$(dirname "$0")/pyref-setup.sh"
