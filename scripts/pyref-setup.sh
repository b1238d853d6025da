#!/bin/sh
# Installs the Python reference implementations the models are checked against into a virtual
# environment in the project's own cache, .cache/pyref, pinned: scikit-learn's LogisticRegression and
# cosine_similarity (the prediction models, src/analyses/models), IsolationForest (the fraud model,
# src/fraud) and statsmodels (forecasting and price-elasticity references). Idempotent. Without python3 it says so; the reference tests then fail under CI=true.
set -e
cd "$(dirname "$0")/.."
SKLEARN_VERSION=1.9.1
STATSMODELS_VERSION=0.15.0
TARGET=.cache/pyref
STAMP="$TARGET/.installed-sklearn-$SKLEARN_VERSION-statsmodels-$STATSMODELS_VERSION"
if [ -f "$STAMP" ]; then exit 0; fi
fail() {
  rm -rf "$TARGET"
  echo "$1: the models' reference tests skip (and fail under CI=true)" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 0
}
command -v python3 >/dev/null 2>&1 || fail "python3 is missing"
echo "installing scikit-learn $SKLEARN_VERSION and statsmodels $STATSMODELS_VERSION into $TARGET (reference for the models' tests)" >&2
rm -rf "$TARGET"
python3 -m venv "$TARGET" || fail "cannot create a virtual environment (python3-venv)"
"$TARGET/bin/pip" install --quiet --disable-pip-version-check "scikit-learn==$SKLEARN_VERSION" "statsmodels==$STATSMODELS_VERSION" || fail "cannot install the reference libraries"
touch "$STAMP"
