// Command pulumi-resource-kubernetes serves the Pulumi Kubernetes resource provider from
// github.com/pulumi/pulumi-kubernetes/provider/v4.
//
// The upstream command package cannot be built straight from the module proxy: it go:embeds two
// generated, git-ignored files that its module zip does not contain. This package embeds our own
// copies instead, which ../../build.sh generates from the schema.json and terraform-mapping.json
// that the module does ship. The files are build outputs and are not committed.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
