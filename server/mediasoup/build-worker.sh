#!/usr/bin/env bash
# Builds the mediasoup worker offline and caches it outside the clone.
#
# Why: mediasoup >= 3.9 downloads a prebuilt worker (or meson subprojects) at
# install time, which this network forbids. 3.8.4 ships every worker dependency
# in its npm package and builds with python3 + make + g++, given two fixes for
# current toolchains (applied below). Everything version-specific lives in
# server/mediasoup/ so moving to a newer mediasoup is a local change.
#
# Usage: build-worker.sh <path to node_modules/mediasoup>
# Prints the path of the cached worker binary on its last line.
set -euo pipefail

pkg=$(cd "${1:?usage: build-worker.sh <node_modules/mediasoup>}" && pwd)
version=$(node -p "require('$pkg/package.json').version")
compiler=$(${CXX:-g++} --version | head -n1)
key=$(printf '%s|%s|%s' "$version" "$compiler" "$(uname -m)" | sha256sum | cut -c1-16)
cache_dir=${LIVEDRILL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/livedrill}
bin="$cache_dir/mediasoup-worker-$version-$key"

if [ ! -x "$bin" ]; then
  echo "livedrill: building mediasoup-worker $version (takes ~6 min on 2 cores; cached at $bin)" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp -r "$pkg/worker" "$work/worker"
  cd "$work/worker"
  # gyp's bundled copy uses collections.MutableSet/Iterable, moved to collections.abc in Python 3.10.
  sed -i 's/collections\.MutableSet/collections.abc.MutableSet/; ' deps/gyp/pylib/gyp/common.py
  sed -i 's/collections\.Iterable/collections.abc.Iterable/g' deps/gyp/pylib/gyp/msvs_emulation.py
  grep -q '^import collections.abc' deps/gyp/pylib/gyp/common.py || sed -i '0,/^import collections$/s//import collections\nimport collections.abc/' deps/gyp/pylib/gyp/common.py
  # glibc >= 2.34 makes SIGSTKSZ a long, so std::max(long, int) no longer deduces.
  sed -i 's/std::max(SIGSTKSZ, 65536)/std::max<size_t>(SIGSTKSZ, 65536)/' \
    deps/libwebrtc/deps/abseil-cpp/abseil-cpp/absl/debugging/failure_signal_handler.cc
  make PYTHON=python3 MEDIASOUP_WORKER_BIN= >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; exit 1; }
  mkdir -p "$cache_dir"
  cp out/Release/mediasoup-worker "$bin.tmp" && mv "$bin.tmp" "$bin"
fi
echo "$bin"
