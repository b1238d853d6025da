#!/bin/sh
# Installs the Python reference implementations that the prediction models are checked against
# (scikit-learn's LogisticRegression and cosine_similarity; src/analyses/models/*.test.ts) into a venv
# in the project's cache, .cache/pyref, pinned. Without python3 it says so; the reference tests then
# fail under CI=true and skip otherwise.
set -e
cd "$(dirname "$0")/.."
VENV=.cache/pyref
PINS="numpy==2.1.3 scipy==1.14.1 scikit-learn==1.5.2"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import sklearn, sys; sys.exit(sklearn.__version__ != '1.5.2')" 2>/dev/null; then
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is missing: the models' reference checks against scikit-learn cannot run (they fail under CI=true)" >&2
  exit 0
fi
echo "installing scikit-learn 1.5.2 into $VENV (reference checks of the prediction models)" >&2
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check $PINS
