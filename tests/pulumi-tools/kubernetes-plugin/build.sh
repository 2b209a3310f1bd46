#!/usr/bin/env bash
# Experimental: build pulumi-resource-kubernetes from the Go module proxy (see ../README.md).
# The module zip lacks the generated, git-ignored schema-embed.json / terraform-mapping-embed.json
# that upstream's cmd/pulumi-resource-kubernetes go:embeds (upstream makes them with `go generate`:
# schema.json with "version" set, re-serialized compactly), and `go build -overlay` does not reach
# go:embed patterns. So we build our own 10-line main package (./cmd/pulumi-resource-kubernetes)
# and generate those two files next to it (git-ignored, removed again on exit). Prints the output
# dir as the last stdout line. Cold: ~17 min on 2 cores, peak RSS ~4 GB; binary ~167 MB.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${KVSNAP_CACHE:-$HOME/.cache/pulumi-kubevirt-snapshot}/pulumi-kubernetes/bin}
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false -trimpath"
cd "$here"
modver=$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi-kubernetes/provider/v4)
sdkver=$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi-kubernetes/sdk/v4)
# The provider version reported to the engine: the sdk/v4 release it builds with plus the commit.
version="${sdkver#v}-${modver##*-}"
src=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes
gen=$here/cmd/pulumi-resource-kubernetes
trap 'rm -f "$gen"/*-embed.json' EXIT
node -e '
const fs = require("fs");
const [src, gen, version] = process.argv.slice(1);
const schema = JSON.parse(fs.readFileSync(src + "/schema.json", "utf8"));
schema.version = version;
fs.writeFileSync(gen + "/schema-embed.json", JSON.stringify(schema));
const mapping = JSON.parse(fs.readFileSync(src + "/terraform-mapping.json", "utf8"));
fs.writeFileSync(gen + "/terraform-mapping-embed.json", JSON.stringify(mapping));
' "$src" "$gen" "$version"
mkdir -p "$out"
start=$(date +%s)
go build -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$version" \
	-o "$out/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
echo "pulumi-resource-kubernetes $version: build took $(($(date +%s) - start))s" >&2
echo "$out"
