// The bench's scale program (tests/bench/scale.ts): `count` VMSnapshots, snapshot i of VM vm-<i> in namespace
// i mod the number of `namespaces`, all with the defaults a user gets. Plain JavaScript, so each `pulumi`
// run skips the TypeScript compile.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { VMSnapshot } = require("pulumi-kubevirt-snapshot");

const config = new pulumi.Config();
const count = config.requireNumber("count");
const namespaces = config.requireObject("namespaces");

for (let i = 0; i < count; i++) {
  new VMSnapshot(`snap-${i}`, { namespace: namespaces[i % namespaces.length], vmName: `vm-${i}` });
}
