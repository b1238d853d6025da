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
# Prometheus and Alertmanager (Debian packages prometheus and prometheus-alertmanager) for the monitoring
# tests, which start both on loopback against a live shoplake serve. Under CI a missing one fails here.
if ! command -v prometheus >/dev/null 2>&1 || ! command -v prometheus-alertmanager >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing prometheus and prometheus-alertmanager (apt)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
  fi
  if ! command -v prometheus >/dev/null 2>&1 || ! command -v prometheus-alertmanager >/dev/null 2>&1; then
    echo "prometheus or prometheus-alertmanager is missing: install the Debian packages prometheus and prometheus-alertmanager" >&2
    if [ "${CI:-}" = "true" ]; then exit 1; fi
  fi
fi
# Spark (pyspark from PyPI into .cache/pyspark) for the Spark engine's tests; scripts/run-tests.sh
# starts and stops its Connect server.
sh "$(dirname "$0")/spark-setup.sh"
# Chromium (Debian package; playwright-core drives it, no browser is ever downloaded) for the dashboard's
# browser tests and `report --pdf`, and poppler-utils (pdfinfo, pdftotext) to check the PDF.
if ! [ -x /usr/bin/chromium ] || ! command -v pdfinfo >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium and poppler-utils (apt)" >&2
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium poppler-utils >/dev/null
  else
    echo "chromium or pdfinfo is missing: install the Debian packages chromium and poppler-utils (the browser tests fail under CI=true)" >&2
  fi
fi
if [ "$CI" = "true" ] && { ! [ -x /usr/bin/chromium ] || ! command -v pdfinfo >/dev/null 2>&1; }; then
  echo "chromium or poppler-utils could not be installed" >&2
  exit 1
fi
# scikit-learn (pinned, into .cache/pyref) for the prediction and fraud models' reference checks.
sh "$(dirname "$0")/pyref-setup.sh"
# DuckDB's httpfs extension (pinned to DuckDB's version, from PyPI into .cache/duckdb-extensions) for the
# encryption-at-rest tests: DuckDB writes encrypted Parquet securely only with its OpenSSL.
sh "$(dirname "$0")/duckdb-ext-setup.sh"
# Hadoop's MiniDFSCluster (pinned, from Maven Central with mvn into .cache/hadoop) for the test that
# reads the lake from hdfs:// through Spark. Under CI a failure fails here.
sh "$(dirname "$0")/hadoop-setup.sh"
