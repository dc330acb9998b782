#!/usr/bin/env bash
# `npm test [-- <part>...]`: the whole suite, or some parts of it:
#   build  types  unit  lint  e2e  py     (default: all, in that order)
set -euo pipefail
cd "$(dirname "$0")/.."
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(build types unit lint e2e py)
PYTHON="${MUSEDANCE_PYTHON:-/usr/bin/python3}"

for part in "${parts[@]}"; do
  echo "=== test: $part ==="
  case "$part" in
    build) node scripts/build.mjs ;;
    types) npm run -s typecheck ;;
    unit) npx vitest run ;;
    lint) node scripts/electronegativity.mjs ;;
    e2e) npx playwright test ;;
    py)
      if [ -d native-models/tests ]; then
        (cd native-models && "$PYTHON" -m pytest -q -p no:cacheprovider tests)
      else
        echo "no native-models tests yet"
      fi ;;
    *) echo "unknown test part: $part (build types unit lint e2e py)" >&2; exit 2 ;;
  esac
done
echo "=== all requested test parts passed ==="
