#!/bin/sh
# Fetches Hadoop's MiniDFSCluster (org.apache.hadoop:hadoop-client-minicluster and the shaded client jars
# it needs, versions pinned in scripts/hadoop/pom.xml) from Maven Central into the project's own cache,
# .cache/hadoop/lib, for the test that reads the lake from HDFS (src/engines/spark/hdfs.test.ts).
# Idempotent: a stamp per version makes a second run instant, and a warm .cache/hadoop/m2 (Maven's
# local repository, kept here rather than in ~/.m2) lets it copy again without the network.
# Under CI=true a failure fails; elsewhere the HDFS test then skips and says why.
set -e
cd "$(dirname "$0")/.."
ROOT=$(pwd)
HADOOP_VERSION=3.5.0
TARGET="$ROOT/.cache/hadoop"
STAMP="$TARGET/.installed-$HADOOP_VERSION"
if [ -f "$STAMP" ]; then exit 0; fi

fail() {
  echo "$1 (the HDFS test skips, and fails under CI=true)" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 0
}

if ! command -v mvn >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing maven (apt) to fetch Hadoop's minicluster" >&2
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends maven >/dev/null || true
fi
command -v mvn >/dev/null 2>&1 || fail "Maven (mvn) is missing: install the Debian package maven"

echo "fetching Hadoop $HADOOP_VERSION's minicluster into $TARGET/lib (about 110 MB)" >&2
rm -rf "$TARGET/lib"
mkdir -p "$TARGET"
copy() {
  mvn -B -q "$@" -f scripts/hadoop/pom.xml -Dmaven.repo.local="$TARGET/m2" \
    dependency:copy-dependencies -DoutputDirectory="$TARGET/lib" -DincludeScope=runtime
}
# Offline first: a machine that fetched once copies from the local repository without the network.
if ! copy -o >/dev/null 2>&1; then
  copy || { rm -rf "$TARGET/lib"; fail "could not fetch hadoop-client-minicluster $HADOOP_VERSION from Maven Central"; }
fi
if ! ls "$TARGET/lib/hadoop-client-minicluster-$HADOOP_VERSION.jar" >/dev/null 2>&1; then
  fail "hadoop-client-minicluster-$HADOOP_VERSION.jar is missing from $TARGET/lib after the copy"
fi
touch "$STAMP"
