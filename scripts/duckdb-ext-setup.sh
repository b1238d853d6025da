#!/bin/sh
# Installs DuckDB's httpfs extension into the project's own cache, .cache/duckdb-extensions, for
# encryption at rest: DuckDB writes Parquet modular encryption only with the OpenSSL that httpfs brings
# (without it, it offers only an insecure fallback, which shoplake never uses). The extension comes as
# DuckDB's own signed build from PyPI (duckdb-extension-httpfs); DuckDB checks its signature when shoplake
# loads it by path. The version must be exactly the DuckDB version of @duckdb/node-api. Idempotent.
# Run by `npm run setup:encryption` and by the test set-up; under CI=true a failure fails the run.
set -e
cd "$(dirname "$0")/.."
DUCKDB_VERSION=1.5.5
TARGET=.cache/duckdb-extensions
FILE="$TARGET/v$DUCKDB_VERSION/httpfs.duckdb_extension"
STAMP="$TARGET/.installed-httpfs-$DUCKDB_VERSION"
if [ -f "$STAMP" ] && [ -f "$FILE" ]; then exit 0; fi
fail() {
  rm -rf "$TARGET"
  echo "$1: encryption at rest is unavailable (its tests fail under CI=true)" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 0
}
command -v python3 >/dev/null 2>&1 || fail "python3 is missing (needed to fetch the httpfs extension)"
echo "installing DuckDB's httpfs extension $DUCKDB_VERSION into $TARGET (for encryption at rest)" >&2
rm -rf "$TARGET"
mkdir -p "$TARGET/wheel"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --dest "$TARGET/wheel" "duckdb-extension-httpfs==$DUCKDB_VERSION" || fail "cannot download duckdb-extension-httpfs"
mkdir -p "$TARGET/v$DUCKDB_VERSION"
python3 - "$TARGET/wheel" "$FILE" "$DUCKDB_VERSION" <<'PY' || fail "the wheel holds no httpfs extension"
import glob, shutil, sys, zipfile
wheels = glob.glob(sys.argv[1] + "/*.whl")
member = "duckdb_extension_httpfs/extensions/v%s/httpfs.duckdb_extension" % sys.argv[3]
with zipfile.ZipFile(wheels[0]) as z, z.open(member) as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
rm -rf "$TARGET/wheel"
touch "$STAMP"
