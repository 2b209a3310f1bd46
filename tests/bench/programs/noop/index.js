// The bench's floor (tests/bench/scale.ts): `count` resources of a dynamic provider whose create returns its
// inputs. Its provider host's memory and its resources' state are what any dynamic provider costs.
"use strict";
const pulumi = require("@pulumi/pulumi");

const noop = {
  async create(inputs) {
    return { id: `noop-${inputs.index}`, outs: inputs };
  },
};

const count = new pulumi.Config().requireNumber("count");
for (let i = 0; i < count; i++) {
  new pulumi.dynamic.Resource(noop, `noop-${i}`, { index: i }, {});
}
