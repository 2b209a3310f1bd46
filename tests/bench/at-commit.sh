#!/usr/bin/env bash
# Runs the bench on a commit as committed, without the working tree's uncommitted changes (others may be
# editing provider/ in this checkout): exports <rev> (default HEAD) into a temporary directory, links this
# checkout's node_modules into it, runs `npm run bench` (or `npm run bench:ci` with --ci) there, and removes it.
#
#   tests/bench/at-commit.sh [rev] [--ci]        e.g. before and after a change: at-commit.sh abc123; at-commit.sh HEAD
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rev=HEAD
script=bench
for arg in "$@"; do
  case $arg in
    --ci) script=bench:ci ;;
    *) rev=$arg ;;
  esac
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/kvsnap-bench-at-XXXXXX")
trap 'rm -rf "$dir"' EXIT
git -C "$repo" archive "$rev" | tar -x -C "$dir"
ln -s "$repo/node_modules" "$dir/node_modules"
echo "bench: $(git -C "$repo" rev-parse --short "$rev") exported to $dir" >&2
cd "$dir"
# shellcheck source=/dev/null
source "$repo/scripts/node-env.sh" # Node 24 first on PATH, as for every npm command here
npm run "$script"
