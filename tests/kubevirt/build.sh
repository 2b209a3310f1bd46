#!/usr/bin/env bash
# Builds (or reuses) kvsnap-kubevirt for one KubeVirt version: KubeVirt's snapshot and restore controllers,
# its snapshot/restore admission webhook and its CRD generator (see main.go and README.md).
#
#   tests/kubevirt/build.sh [version]     version: v1.9.0 (default), or any versions/<version>.mod here
#
# Cached outside the checkout in ${KVSNAP_CACHE:-$HOME/.cache/pulumi-kubevirt-snapshot}/kubevirt/<version>-<key>/,
# <key> hashing this script, the *.go files, the version's module files, the virt-template stand-ins and
# `go version`. The last line on stdout is the binary's path; progress and the build time go to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
version=${1:-${KVSNAP_KUBEVIRT_VERSION:-v1.9.0}}
modfile=versions/$version.mod
[ -f "$modfile" ] || { echo "kubevirt build: no $modfile (versions here: $(ls versions | sed -n 's/\.mod$//p' | tr '\n' ' '))" >&2; exit 1; }

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then PATH=/usr/local/go/bin:$PATH; fi
command -v go >/dev/null 2>&1 || { echo "kubevirt build: go not found on PATH" >&2; exit 1; }

# Build tags select the few lines where KubeVirt's Go API changed between versions.
case $version in
  v1.9.*) tags=kubevirt_v1_9 ;;
  *) tags=kubevirt_pre_v1_9 ;;
esac

key=$(
  {
    for f in build.sh go.mod "$modfile" "versions/$version.sum" $(LC_ALL=C ls -- *.go) \
      $(find virt-template -type f | LC_ALL=C sort); do
      printf '== %s\n' "$f"
      cat -- "$f"
    done
    printf '== go version\n%s\n' "$(go version)"
  } | sha256sum | cut -c1-16
)
cache_root=${KVSNAP_CACHE:-$HOME/.cache/pulumi-kubevirt-snapshot}/kubevirt
bin=$cache_root/$version-$key/kvsnap-kubevirt
if [ -x "$bin" ]; then
  echo "kubevirt build: reused cached kvsnap-kubevirt for KubeVirt $version (key $key)" >&2
  echo "$bin"
  exit 0
fi
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"   # one Go build at a time on 2 cores
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

export CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false -trimpath -modfile=$modfile"
echo "kubevirt build: building kvsnap-kubevirt for KubeVirt $version (key $key); a cold build takes minutes" >&2
start=$(date +%s)
tmp=$(mktemp -d "$cache_root/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
go build -tags "$tags" -ldflags "-s -w -X main.kubevirtVersion=$version" -o "$tmp/kvsnap-kubevirt" . 1>&2
mkdir -p "$(dirname "$bin")"
mv -f "$tmp/kvsnap-kubevirt" "$bin"
echo "kubevirt build: KubeVirt $version built in $(( $(date +%s) - start ))s" >&2
echo "$bin"
