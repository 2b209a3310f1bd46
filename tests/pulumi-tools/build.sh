#!/usr/bin/env bash
# Build (or reuse) the Pulumi CLI, the Node.js language host and the dynamic-provider launcher
# from the Go modules pinned in this directory.
#
#   tests/pulumi-tools/build.sh            -> last stdout line: the bin dir to put first on PATH
#
# Output dir: ${KVSNAP_CACHE:-$HOME/.cache/pulumi-kubevirt-snapshot}/pulumi/<key>/bin, where <key>
# hashes every input of the build (go.mod/go.sum of both modules, the shim, this script and
# `go version`). A finished dir is never rebuilt; delete it to force a rebuild.
# Everything but that last line goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache_root=${KVSNAP_CACHE:-$HOME/.cache/pulumi-kubevirt-snapshot}

GO=${GO:-go}
if ! command -v "$GO" >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	GO=/usr/local/go/bin/go
fi

# Inputs of the build, in a fixed order.
inputs=(
	"$here/go.mod" "$here/go.sum"
	"$here/language-nodejs/go.mod" "$here/language-nodejs/go.sum"
	"$here/pulumi-resource-pulumi-nodejs" "$here/build.sh"
)
key=$(
	{
		for f in "${inputs[@]}"; do
			printf '%s\n' "${f#"$here"/}"
			cat "$f"
		done
		"$GO" version
	} | sha256sum | cut -c1-16
)
dest="$cache_root/pulumi/$key"
bin="$dest/bin"

if [ -f "$dest/.complete" ] && [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-nodejs" ] &&
	[ -x "$bin/pulumi-resource-pulumi-nodejs" ]; then
	echo "pulumi tools build: reused cached binaries (key $key)" >&2
	echo "$bin"
	exit 0
fi

# Each binary is stamped with the pulumi sdk/v3 release its own module builds it against: the CLI
# with the release go.mod pins (v3.276.0), the language host with the release its module pins (see
# README.md: the module proxy serves no language-host pseudo-version of the CLI's release).
modversion() { (cd "$1" && GOFLAGS=-mod=readonly "$GO" list -m -f '{{.Version}}' github.com/pulumi/pulumi/sdk/v3); }
version=$(modversion "$here")
lh_version=$(modversion "$here/language-nodejs")
stamp=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version

export CGO_ENABLED=0
# -mod=readonly: never rewrite the committed go.mod/go.sum; -buildvcs=false: nothing to stamp.
export GOFLAGS="-mod=readonly -buildvcs=false -trimpath"
buildflags=(-tags osusergo,grpcnotrace)

mkdir -p "$cache_root/pulumi"
tmp=$(mktemp -d "$cache_root/pulumi/.$key.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"

start=$(date +%s)
echo "pulumi tools build: building pulumi $version + pulumi-language-nodejs $lh_version into $bin" \
	"(with a cold Go build cache this takes 20-30 min on 2 cores)" >&2
(cd "$here" && "$GO" build "${buildflags[@]}" -ldflags "-s -w -X $stamp=$version" \
	-o "$tmp/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
(cd "$here/language-nodejs" && "$GO" build "${buildflags[@]}" -ldflags "-s -w -X $stamp=$lh_version" \
	-o "$tmp/bin/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3)
install -m 0755 "$here/pulumi-resource-pulumi-nodejs" "$tmp/bin/pulumi-resource-pulumi-nodejs"
"$GO" version >"$tmp/go-version"
printf "pulumi %s\npulumi-language-nodejs %s\n" "$version" "$lh_version" >"$tmp/versions"
touch "$tmp/.complete"

# Publish atomically; if a concurrent build won the race, keep its result.
if ! mv -T "$tmp" "$dest" 2>/dev/null; then
	if [ ! -f "$dest/.complete" ]; then
		rm -rf "$dest"
		mv -T "$tmp" "$dest"
	fi
fi
trap - EXIT
rm -rf "$tmp"

echo "pulumi tools build: cold build took $(($(date +%s) - start))s" >&2
echo "$bin"
