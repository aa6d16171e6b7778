#!/usr/bin/env bash
# Installs what building, testing and benchmarking the gateway need on Debian or Ubuntu, and checks
# that a Swift toolchain is there.
#
# Idempotent and quick to re-run: each package is looked up with dpkg-query first, and
# `apt-get update` runs once, only when something is missing. Uses sudo only when not root.
#
# usage: deploy/setup.sh [--no-swift] [EXTRA_PACKAGE...]
#   --no-swift        do not require a Swift toolchain (e.g. for an nginx-only benchmark)
#   EXTRA_PACKAGE     further Debian packages to ensure (e.g. python3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=(
    libssl-dev libhiredis-dev zlib1g-dev   # headers for the C libraries the gateway links
    redis-server                           # started by the rate-limit integration tests
    curl nghttp2-client openssl            # real clients and certificates in the tests
    python3 python3-prometheus-client      # the official Prometheus text parser checks /metrics in a test
    wrk nginx-light                        # the benchmark (bench/run.sh)
    ca-certificates
)
need_swift=1

usage() { sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

while (($#)); do
    case "$1" in
        --no-swift) need_swift=0 ;;
        -h | --help) usage; exit 0 ;;
        -*) echo "setup.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
        *) packages+=("$1") ;;
    esac
    shift
done

log() { printf 'setup.sh: %s\n' "$*" >&2; }

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    log "this script needs a Debian-based system (dpkg-query and apt-get); install these by hand:"
    log "  ${packages[*]}"
    exit 1
fi

is_installed() {
    local status
    # shellcheck disable=SC2016 # ${...} is dpkg-query's format syntax, not the shell's
    status="$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)"
    [ "$status" = installed ]
}

missing=()
for pkg in "${packages[@]}"; do
    case "$pkg" in
        # Any nginx flavour will do (nginx, nginx-core, nginx-full, nginx-extras conflict with
        # nginx-light), so an nginx binary already present counts.
        nginx-light)
            if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then continue; fi ;;
    esac
    is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]})); then
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            log "not root and sudo is not installed; as root run: apt-get install ${missing[*]}"
            exit 1
        fi
        sudo=(sudo)
    fi
    log "installing: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
    log "installed: ${missing[*]}"
fi

if ((need_swift)); then
    # shellcheck source=deploy/swift-env.sh
    . "$here/swift-env.sh"
    if ! command -v swift >/dev/null 2>&1; then
        log "no Swift toolchain: 'swift' is not on PATH and not in /opt/swift/usr/bin."
        log "Install a Swift 6 toolchain for this distribution and put its usr/bin on PATH,"
        log "e.g. export PATH=/opt/swift/usr/bin:\$PATH"
        exit 1
    fi
fi
