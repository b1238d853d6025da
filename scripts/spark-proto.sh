#!/bin/sh
# Copies Spark Connect's protocol files, verbatim, from the installed Spark release (see spark-setup.sh)
# into src/engines/spark/proto/, where the TypeScript client loads them.
set -e
cd "$(dirname "$0")/.."
JAR=$(ls .cache/pyspark/pyspark/jars/spark-connect_*.jar 2>/dev/null | head -n 1)
if [ -z "$JAR" ]; then
  echo "Spark is not installed: run sh scripts/spark-setup.sh first" >&2
  exit 1
fi
rm -rf src/engines/spark/proto/spark
unzip -q -o "$JAR" 'spark/connect/*.proto' -d src/engines/spark/proto
echo "copied $(ls src/engines/spark/proto/spark/connect | wc -l) files from $JAR" >&2
