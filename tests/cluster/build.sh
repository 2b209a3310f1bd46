#!/usr/bin/env bash
# Builds (or reuses) the kvsnap-cluster binary: embedded etcd + kube-apiserver.
#
# The binary is cached outside the checkout, in
#   ${KVSNAP_CACHE:-$HOME/.cache/pulumi-kubevirt-snapshot}/cluster/<key>/kvsnap-cluster
# where <key> hashes go.mod, go.sum, *.go, this script and `go version`.
# The last line on stdout is the binary's absolute path; progress goes to stderr.
# Needs only the Go toolchain and the Go module proxy (or a warm GOMODCACHE).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH=/usr/local/go/bin:$PATH
fi
command -v go >/dev/null 2>&1 || { echo "cluster build: go not found on PATH" >&2; exit 1; }

cache_root=${KVSNAP_CACHE:-$HOME/.cache/pulumi-kubevirt-snapshot}/cluster
gover=$(go version)
key=$(
  {
    for f in go.mod go.sum build.sh $(LC_ALL=C ls -- *.go); do
      printf '== %s\n' "$f"
      cat -- "$f"
    done
    printf '== go version\n%s\n' "$gover"
  } | sha256sum | cut -c1-16
)
out_dir=$cache_root/$key
bin=$out_dir/kvsnap-cluster

if [ -x "$bin" ]; then
  echo "cluster build: reused cached binary (key $key)" >&2
  echo "$bin"
  exit 0
fi

mkdir -p "$cache_root"
# Serialise concurrent builds of the same tree (2 cores, several GB of RAM each).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache_root/.lock"
  flock 9
  if [ -x "$bin" ]; then
    echo "cluster build: reused cached binary (key $key)" >&2
    echo "$bin"
    exit 0
  fi
fi

export CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false -trimpath"

# Stamp the Kubernetes version so /version reports the real release instead of
# v0.0.0-master+$Format:%H$ (clients such as kubectl parse it).
kver=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)   # e.g. v1.36.5
kmajor=${kver#v}; kmajor=${kmajor%%.*}
kminor=${kver#v*.}; kminor=${kminor%%.*}
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$kver -X $p.gitMajor=$kmajor -X $p.gitMinor=$kminor -X $p.gitTreeState=clean"
done

echo "cluster build: building kvsnap-cluster (Kubernetes $kver, key $key); a cold build takes many minutes" >&2
start=$(date +%s)
tmp_dir=$(mktemp -d "$cache_root/.build.XXXXXX")
trap 'rm -rf "$tmp_dir"' EXIT
go build -ldflags "$ldflags" -o "$tmp_dir/kvsnap-cluster" . 1>&2
mkdir -p "$out_dir"
mv -f "$tmp_dir/kvsnap-cluster" "$bin"
echo "cluster build: cold build took $(( $(date +%s) - start ))s" >&2
echo "$bin"
