#!/usr/bin/env bash
# Builds the udp_batch addon (synthetic viewers' batched UDP receive, udp_batch.c) offline
# with node-gyp against the running Node's own headers, and caches it outside the clone,
# keyed by its sources and the Node version.
#
# node-gyp: the one on PATH, else the copy npm bundles. Offline: --nodedir points at the
# installed headers, so nothing is downloaded.
#
# Usage: build-addon.sh
# Prints the path of the cached addon on its last line; exits 1 with the reason if it cannot.
set -euo pipefail

src=$(cd "$(dirname "$0")" && pwd)
fail() { echo "livedrill: udp_batch addon: $*" >&2; exit 1; }

node_version=$(node -p process.version)
key=$(cat "$src/udp_batch.c" "$src/binding.gyp" | sha256sum | cut -c1-16)
cache_dir=${LIVEDRILL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/livedrill}
addon="$cache_dir/udp_batch-$node_version-$(uname -m)-$key.node"

if [ ! -f "$addon" ]; then
  nodedir=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  [ -f "$nodedir/include/node/node_api.h" ] || fail "no Node headers in $nodedir/include/node"
  if command -v node-gyp >/dev/null; then
    gyp=(node-gyp)
  else
    npm_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
    [ -f "$npm_gyp" ] || fail "node-gyp not found (neither on PATH nor bundled with npm)"
    gyp=(node "$npm_gyp")
  fi
  echo "livedrill: building the udp_batch addon (cached at $addon)" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp "$src/udp_batch.c" "$src/binding.gyp" "$work/"
  (cd "$work" && "${gyp[@]}" rebuild --nodedir="$nodedir" >"$work/build.log" 2>&1) || { tail -n 30 "$work/build.log" >&2; fail "node-gyp failed"; }
  mkdir -p "$cache_dir"
  cp "$work/build/Release/udp_batch.node" "$addon.tmp" && mv "$addon.tmp" "$addon"
fi
echo "$addon"
