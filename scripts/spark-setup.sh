#!/bin/sh
# Installs Apache Spark (the pyspark wheel from PyPI, which ships Spark's jars and its Connect server)
# into the project's own cache, .cache/pyspark. Idempotent: a second run only checks the version.
# The Spark engine's tests and bench/spark.ts need it; nothing else does.
set -e
cd "$(dirname "$0")/.."
PYSPARK_VERSION=4.3.0
TARGET=.cache/pyspark
STAMP="$TARGET/.installed-$PYSPARK_VERSION"
if [ -f "$STAMP" ]; then exit 0; fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is missing: it is needed to install pyspark (Spark tests fail under CI=true)" >&2
  exit 0
fi
echo "installing pyspark $PYSPARK_VERSION into $TARGET (Spark and its Connect server, about 500 MB)" >&2
rm -rf "$TARGET"
# --no-deps: only the jars and launch scripts are used (the server is a JVM); py4j and pandas are not.
if ! python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$TARGET" "pyspark==$PYSPARK_VERSION"; then
  rm -rf "$TARGET"
  echo "could not install pyspark: the Spark tests skip (and fail under CI=true)" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 0
fi
touch "$STAMP"
