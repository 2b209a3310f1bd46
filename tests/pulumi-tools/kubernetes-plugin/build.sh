#!/usr/bin/env bash
# Build (or reuse) pulumi-resource-kubernetes from the Go module proxy (see ../README.md, "kubernetes-plugin/").
#
#   tests/pulumi-tools/kubernetes-plugin/build.sh   -> last stdout line: the dir holding the binary
#
# Output: ${KVSNAP_CACHE:-$HOME/.cache/pulumi-kubevirt-snapshot}/pulumi-kubernetes/<key>/bin/pulumi-resource-kubernetes,
# with `version` (what the plugin reports) and `.complete` beside bin/. <key> hashes every input of the build
# (go.mod, go.sum, the main package, this script and `go version`), as ../build.sh keys its cache; a finished
# dir is never rebuilt (delete it to force a rebuild). Everything but the last line goes to stderr. Needs Go
# (`go` on PATH, else /usr/local/go/bin/go) and Node (`node` on PATH, or NODE=<path>) for the schema copies.
#
# The module zip lacks the generated, git-ignored schema-embed.json / terraform-mapping-embed.json that
# upstream's cmd/pulumi-resource-kubernetes go:embeds (upstream makes them with `go generate`: schema.json
# with "version" set, re-serialized compactly), and `go build -overlay` does not reach go:embed patterns. So
# we build our own 10-line main package (./cmd/pulumi-resource-kubernetes) and generate those two files next
# to it (git-ignored, removed again on exit). Cold: 10-17 min on 2 cores, peak RSS ~4 GB; binary ~167 MB.
set -euo pipefail
start_ms=$(($(date +%s%N) / 1000000))
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${KVSNAP_CACHE:-$HOME/.cache/pulumi-kubevirt-snapshot}
module=github.com/pulumi/pulumi-kubernetes/provider/v4

GO=${GO:-go}
if ! command -v "$GO" >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	GO=/usr/local/go/bin/go
fi

# Inputs of the build, in a fixed order.
inputs=("$here/go.mod" "$here/go.sum" "$here/cmd/pulumi-resource-kubernetes/main.go" "$here/build.sh")
key=$(
	{
		for f in "${inputs[@]}"; do
			printf '%s\n' "${f#"$here"/}"
			cat "$f"
		done
		"$GO" version
	} | sha256sum | cut -c1-16
)
dest="$cache_root/pulumi-kubernetes/$key"
bin="$dest/bin"
complete() { [ -f "$dest/.complete" ] && [ -x "$bin/pulumi-resource-kubernetes" ]; }
reused() {
	echo "pulumi-resource-kubernetes build: reused cached binary $(cat "$dest/version") (key $key)" \
		"in $(($(date +%s%N) / 1000000 - start_ms)) ms" >&2
	echo "$bin"
	exit 0
}
if complete; then reused; fi

# One build at a time: the generated embed files live in this checkout. A build that waited here for
# another one reuses its result.
mkdir -p "$cache_root/pulumi-kubernetes"
exec 9>"$cache_root/pulumi-kubernetes/.build.lock"
flock 9
if complete; then reused; fi

export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false -trimpath"
cd "$here"
# On a fresh machine `go list -m -f '{{.Dir}}'` prints nothing until the module is in the module cache.
"$GO" mod download "$module"
modver=$("$GO" list -m -f '{{.Version}}' "$module")
sdkver=$("$GO" list -m -f '{{.Version}}' github.com/pulumi/pulumi-kubernetes/sdk/v4)
# The provider version reported to the engine: the sdk/v4 release it builds with plus the commit.
version="${sdkver#v}-${modver##*-}"
src=$("$GO" list -m -f '{{.Dir}}' "$module")/cmd/pulumi-resource-kubernetes
[ -f "$src/schema.json" ] || {
	echo "pulumi-resource-kubernetes build: no schema.json in $src" >&2
	exit 1
}
gen=$here/cmd/pulumi-resource-kubernetes
tmp=$(mktemp -d "$cache_root/pulumi-kubernetes/.$key.tmp.XXXXXX")
chmod 755 "$tmp"
trap 'rm -f "$gen"/*-embed.json; rm -rf "$tmp"' EXIT
"${NODE:-node}" -e '
const fs = require("fs");
const [src, gen, version] = process.argv.slice(1);
const schema = JSON.parse(fs.readFileSync(src + "/schema.json", "utf8"));
schema.version = version;
fs.writeFileSync(gen + "/schema-embed.json", JSON.stringify(schema));
const mapping = JSON.parse(fs.readFileSync(src + "/terraform-mapping.json", "utf8"));
fs.writeFileSync(gen + "/terraform-mapping-embed.json", JSON.stringify(mapping));
' "$src" "$gen" "$version"

start=$(date +%s)
echo "pulumi-resource-kubernetes build: building $version into $bin" \
	"(with a cold Go build cache this takes 10-17 min and ~4 GB of memory on 2 cores)" >&2
mkdir -p "$tmp/bin"
"$GO" build -ldflags "-s -w -X $module/pkg/version.Version=$version" \
	-o "$tmp/bin/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
printf '%s\n' "$version" >"$tmp/version"
"$GO" version >"$tmp/go-version"
touch "$tmp/.complete"

# Publish in one step; an unfinished dir left by a killed build is replaced.
if ! mv -T "$tmp" "$dest" 2>/dev/null; then
	if [ ! -f "$dest/.complete" ]; then
		rm -rf "$dest"
		mv -T "$tmp" "$dest"
	fi
fi

echo "pulumi-resource-kubernetes build: no cached binary (key $key), built $version in" \
	"$(($(date +%s) - start))s" >&2
echo "$bin"
