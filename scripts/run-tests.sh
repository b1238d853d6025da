#!/bin/sh
# Runs the compiled test files only (*.test.js): node's default discovery would also run modules whose
# names merely end in -test.js, such as the ab-test analysis.
set -e
cd "$(dirname "$0")/.."
find dist -name '*.test.js' | sort | xargs node --test --test-concurrency=1
