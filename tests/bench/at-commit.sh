#!/usr/bin/env bash
# Runs the bench on a commit as committed, without the working tree's uncommitted changes (others may be
# editing provider/ in this checkout): exports <rev> (default HEAD) into a temporary directory, links this
# checkout's node_modules into it, runs `npm run bench` (or `npm run bench:ci` with --ci) there, and removes it.
# With --provider=<rev2>, shared/, provider/ and sdk/ come from <rev2> instead: the same bench measuring the
# package as it was at another commit, e.g. before and after an improvement.
#
#   tests/bench/at-commit.sh [rev] [--ci] [--provider=<rev2>] [-- bench args]
#   tests/bench/at-commit.sh HEAD --provider=aa01133        # the package before the shared list-watch
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rev=HEAD
script=bench
provider=
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --ci) script=bench:ci ;;
    --provider=*) provider=${1#--provider=} ;;
    --) shift; extra=("$@"); break ;;
    *) rev=$1 ;;
  esac
  shift
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/kvsnap-bench-at-XXXXXX")
trap 'rm -rf "$dir"' EXIT
git -C "$repo" archive "$rev" | tar -x -C "$dir"
what="bench and package at $(git -C "$repo" rev-parse --short "$rev")"
if [ -n "$provider" ]; then
  rm -rf "$dir/shared" "$dir/provider" "$dir/sdk"
  git -C "$repo" archive "$provider" shared provider sdk | tar -x -C "$dir"
  what="bench at $(git -C "$repo" rev-parse --short "$rev"), shared/ provider/ sdk/ at $(git -C "$repo" rev-parse --short "$provider")"
fi
ln -s "$repo/node_modules" "$dir/node_modules"
echo "bench: $what, exported to $dir" >&2
cd "$dir"
# shellcheck source=/dev/null
source "$repo/scripts/node-env.sh" # Node 24 first on PATH, as for every npm command here
KVSNAP_BENCH_LABEL=$what npm run "$script" -- "${extra[@]}"
