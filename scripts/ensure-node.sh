# Sourced by .ci/run: `ensure_node MIN` makes sure `node` is at least
# version MIN and `npm` exists. When the machine's Node is missing or older
# (Debian's own nodejs is 18), it installs the newest Node 22 (LTS) from the
# npm registry's `node-linux-<arch>` package and the current npm from the
# `npm` package into $KILN_NODE_HOME (default ~/.cache/kiln-wasm/node), kept
# there for later runs, and puts it first on PATH. Needs curl and tar.

ensure_node() {
  local min="$1" major=22
  local home="${KILN_NODE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/kiln-wasm/node}"
  local registry="${npm_config_registry:-https://registry.npmjs.org}"
  registry="${registry%/}"

  if [ "$(_node_major node)" -ge "$min" ] && command -v npm >/dev/null 2>&1; then return 0; fi
  if [ "$(_node_major "$home/bin/node")" -ge "$min" ] && [ -x "$home/bin/npm" ]; then
    export PATH="$home/bin:$PATH"
    echo "ensure-node: using $("$home/bin/node" --version) from $home"
    return 0
  fi

  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "ensure-node: Node >= $min is needed and there is no Node package for $(uname -m)" >&2; return 1 ;;
  esac
  local pkg="node-linux-$arch" version
  # The abbreviated packument lists every version; take the newest $major.x.
  version=$(curl -fsSL -H 'Accept: application/vnd.npm.install-v1+json' "$registry/$pkg" |
    grep -oE "\"$major\\.[0-9]+\\.[0-9]+\":" | tr -d '":' | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    echo "ensure-node: found no $pkg@$major in $registry" >&2
    return 1
  fi
  echo "ensure-node: the machine's Node is $(node --version 2>/dev/null || echo missing); installing $pkg@$version and npm into $home"
  rm -rf "$home" && mkdir -p "$home/lib/node_modules/npm"
  curl -fsSL "$registry/$pkg/-/$pkg-$version.tgz" | tar -xz -C "$home" --strip-components=1
  local npm_tarball
  npm_tarball=$(curl -fsSL "$registry/npm/latest" | grep -oE '"tarball": *"[^"]+"' | head -n 1 | sed -E 's/.*"(https?:[^"]+)"/\1/')
  curl -fsSL "$npm_tarball" | tar -xz -C "$home/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$home/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$home/bin/npx"
  export PATH="$home/bin:$PATH"
  echo "ensure-node: node $(node --version), npm $(npm --version)"
}

# The major version of the node binary $1, or 0 when it is missing or broken.
_node_major() {
  local v
  v=$("$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null) || v=0
  case "$v" in '' | *[!0-9]*) v=0 ;; esac
  echo "$v"
}
