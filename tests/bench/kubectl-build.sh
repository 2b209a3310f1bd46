#!/usr/bin/env bash
# Builds (or reuses) kubectl from the k8s.io/kubernetes module version the ground's apiserver is built from.
# kubectl/go.mod (a tool directive, no Go code) copies tests/cluster/go.mod's k8s.io/kubernetes version and
# its replace block of staging modules; this script refuses to build when the two versions differ. The
# version stamps are tests/cluster/build.sh's, so `kubectl version` reports the same release as the server.
#
#   tests/bench/kubectl-build.sh      -> last stdout line: the kubectl binary's path; progress on stderr
#
# Cached outside the checkout in ${KVSNAP_CACHE:-$HOME/.cache/pulumi-kubevirt-snapshot}/kubectl/<key>/kubectl,
# <key> = first 16 hex of a sha256 over kubectl/go.mod, kubectl/go.sum, this script and `go version`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/kubectl"

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then PATH=/usr/local/go/bin:$PATH; fi
command -v go >/dev/null 2>&1 || { echo "kubectl build: go not found on PATH" >&2; exit 1; }

cache_root=${KVSNAP_CACHE:-$HOME/.cache/pulumi-kubevirt-snapshot}/kubectl
key=$(
  {
    for f in go.mod go.sum ../kubectl-build.sh; do
      printf '== %s\n' "$(basename "$f")"
      cat -- "$f"
    done
    printf '== go version\n%s\n' "$(go version)"
  } | sha256sum | cut -c1-16
)
bin=$cache_root/$key/kubectl
if [ -x "$bin" ]; then
  echo "kubectl build: reused cached binary (key $key)" >&2
  echo "$bin"
  exit 0
fi
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock" # one build at a time
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

export CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false -trimpath"
kver=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
server=$(cd ../../cluster && go list -m -f '{{.Version}}' k8s.io/kubernetes)
if [ "$kver" != "$server" ]; then
  echo "kubectl build: kubectl/go.mod has k8s.io/kubernetes $kver, the apiserver (tests/cluster) $server" >&2
  exit 1
fi
kmajor=${kver#v}; kmajor=${kmajor%%.*}
kminor=${kver#v*.}; kminor=${kminor%%.*}
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$kver -X $p.gitMajor=$kmajor -X $p.gitMinor=$kminor -X $p.gitTreeState=clean"
done

echo "kubectl build: building kubectl $kver (key $key); a cold build takes minutes" >&2
start=$(date +%s)
tmp=$(mktemp -d "$cache_root/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
go build -ldflags "$ldflags" -o "$tmp/kubectl" k8s.io/kubernetes/cmd/kubectl 1>&2
mkdir -p "$(dirname "$bin")"
mv -f "$tmp/kubectl" "$bin"
echo "kubectl build: cold build took $(($(date +%s) - start))s" >&2
echo "$bin"
