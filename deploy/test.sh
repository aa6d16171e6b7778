#!/usr/bin/env bash
# Runs the whole test suite: ensures the system packages and the toolchain, then `swift test`.
# Extra arguments go to `swift test` (e.g. --filter GatewayConfigTests).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

"$here/setup.sh"
# shellcheck source=deploy/swift-env.sh
. "$here/swift-env.sh"

# A crash of the test process ends the run at once (the signal is reported) rather than waiting
# for Swift's interactive backtracer, which can take many minutes on a large debug binary.
SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}" swift test "$@"
