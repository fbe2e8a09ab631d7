#!/usr/bin/env bash
# One idempotent set-up for every entry point (quick start, tests, CI, Docker):
# Debian's chromium-headless-shell and coturn (the TURN server app pages relay through), npm dependencies, the mediasoup worker and the udp_batch
# addon built offline and cached outside the clone, and the compiled CLI (dist/cli/). A second
# run reuses everything the first built.
#   setup.sh          what `livedrill run` needs
#   setup.sh --test   also what the test suite needs (Prometheus' promtool and server)
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { echo "livedrill setup: $*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then say "Node.js >= 20 is needed, found $(node --version)"; exit 1; fi

debian_packages=()
if [ -z "${LIVEDRILL_CHROMIUM:-}" ] && ! command -v chromium-headless-shell >/dev/null; then debian_packages+=(chromium-headless-shell); fi
if ! command -v turnserver >/dev/null; then debian_packages+=(coturn); fi
if [ "${1:-}" = "--test" ] && ! command -v promtool >/dev/null; then debian_packages+=(prometheus); fi
if [ ${#debian_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    say "missing ${debian_packages[*]}: install them with your package manager (or set LIVEDRILL_CHROMIUM to a Chromium binary)"
    exit 1
  fi
  say "installing Debian packages: ${debian_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${debian_packages[@]}" >/dev/null
  # The Debian prometheus package starts a system service on :9090; tests run their own.
  if printf '%s\n' "${debian_packages[@]}" | grep -qx prometheus; then
    (systemctl stop prometheus || service prometheus stop || pkill -x prometheus) >/dev/null 2>&1 || true
  fi
  # Likewise coturn's service on :3478 (disabled by default in Debian; stopped in case): livedrill starts its own.
  if printf '%s\n' "${debian_packages[@]}" | grep -qx coturn; then
    (systemctl stop coturn || service coturn stop) >/dev/null 2>&1 || true
  fi
fi

# Install scripts are skipped for mediasoup: it would try to build (or download) its worker itself.
# Installed once per lock file's content (not its time: a fresh checkout of the same lock is no reason to reinstall).
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.livedrill-lock-sha256 2>/dev/null)" != "$lock_sum" ]; then
  say "installing npm dependencies"
  MEDIASOUP_WORKER_BIN=/dev/null npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_sum" > node_modules/.livedrill-lock-sha256
fi

# Workers get a process group of their own: a terminal's Ctrl-C must reach only livedrill,
# which stops them itself (they also exit when their channel to livedrill closes).
sed -i 's/detached: false,/detached: true,/' node_modules/mediasoup/lib/Worker.js
grep -q 'detached: true,' node_modules/mediasoup/lib/Worker.js || { say "could not give mediasoup workers their own process group"; exit 1; }

worker=$(bash server/mediasoup/build-worker.sh node_modules/mediasoup | tail -n 1)
target=node_modules/mediasoup/worker/out/Release/mediasoup-worker
if ! cmp -s "$worker" "$target" 2>/dev/null; then
  mkdir -p "$(dirname "$target")"
  cp "$worker" "$target"
fi

# The synthetic viewers' batched UDP receive. Without it they fall back to node:dgram (a read
# per packet, arrival timed in the event loop); every run's versions say which path it used.
# Replaced by rename, never rewritten in place: a running livedrill may have it loaded.
addon_target=harness/synthetic/native/build/udp_batch.node
if addon=$(bash harness/synthetic/native/build-addon.sh | tail -n 1); then
  if ! cmp -s "$addon" "$addon_target" 2>/dev/null; then
    mkdir -p "$(dirname "$addon_target")"
    cp "$addon" "$addon_target.tmp" && mv -f "$addon_target.tmp" "$addon_target"
  fi
else
  rm -f "$addon_target"
  say "the udp_batch addon did not build (see above): synthetic viewers will receive through node:dgram"
fi

# The CLI compiled for quick starts, rebuilt only when a source changed since (harness/cli/build.js).
# The Docker image runs this set-up before it copies the sources: it has no CLI to compile yet.
if [ -f harness/cli/main.ts ]; then node harness/cli/build.js; fi
