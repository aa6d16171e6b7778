# shellcheck shell=bash
# Sourced by the deploy and bench scripts: puts a Swift toolchain on PATH when `swift` is not
# there already but is installed at the usual place of a tarball install.
if ! command -v swift >/dev/null 2>&1; then
    for swift_env_dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
        if [ -x "$swift_env_dir/swift" ]; then
            PATH="$swift_env_dir:$PATH"
            export PATH
            break
        fi
    done
    unset swift_env_dir
fi
