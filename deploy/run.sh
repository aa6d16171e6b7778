#!/usr/bin/env bash
# Builds the gateway in release mode and runs it in the foreground.
# usage: deploy/run.sh [CONFIG]   (default: gateway.conf.example at the repository root)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

config="${1:-gateway.conf.example}"
if [ ! -f "$config" ]; then
    echo "run.sh: config file '$config' not found (paths are relative to $(pwd))" >&2
    exit 1
fi

"$here/setup.sh"
# shellcheck source=deploy/swift-env.sh
. "$here/swift-env.sh"

swift build -c release
exec .build/release/gateway run --config "$config"
