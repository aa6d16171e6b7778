#!/usr/bin/env bash
# Benchmarks the gateway against nginx as a reverse proxy, in one run, on this machine.
#
# usage: bench/run.sh [--nginx-only | --gateway-only] [--no-build | --rebuild] [--keep-tmp]
#
# An nginx origin (1 worker, keep-alive, static bodies /small ~100 B, /16k, /1m) sits behind each
# proxy in turn: nginx (proxy_pass to an upstream with keepalive 64) and the gateway (keepalive 64),
# each with 1 and then 2 workers (nginx worker_processes, gateway worker_threads), access logs off.
# wrk loads each proxy for each body size after a short warm-up. For every run the script reports
# req/s, p50 and p99 latency, and CPU time per request of the proxy's own processes only (utime +
# stime of the nginx master and workers, or of the gateway process, read from /proc/PID/stat before
# and after the measured wrk run, divided by the requests wrk completed).
#
# On a small machine (2 cores) wrk, the origin and the proxy share the cores, so absolute numbers
# say little: compare gateway and nginx through the ratios of one run, on one machine. CPU µs/req
# is the steadiest number of the lot because it does not depend on who won the cores.
#
# Environment (defaults in brackets):
#   DURATION     measured wrk run per scenario [10s]     WARMUP    warm-up before each [2s, 0 = none]
#   CONNECTIONS  wrk connections [64]                    THREADS   wrk threads [2]
#   SIZES        body sizes, of: small 16k 1m [all]      WORKERS   proxy worker counts ["1 2"]
#   GATEWAY_BIN  gateway binary [.build/release/gateway] RESULTS   markdown report [bench/results/latest.md]
#   KEEP_TMP=1   keep the temp dir (configs, logs, raw wrk output) for a look afterwards
#
# Options:
#   --nginx-only     measure nginx only (no gateway binary needed)
#   --gateway-only   measure the gateway only
#   --no-build       never build; fail if the gateway binary is missing
#   --rebuild        run `swift build -c release` even if the binary exists (default: only if missing)
#   --keep-tmp       same as KEEP_TMP=1
#
# Every port is picked free by the kernel, every file lives in a temp dir, and every process the
# script starts is stopped when it exits, however it exits.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench_dir/.." && pwd)"
benchlib=(python3 "$bench_dir/benchlib.py")

usage() { sed -n '2,33s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

run_nginx=1
run_gateway=1
build=auto
keep_tmp="${KEEP_TMP:-0}"
while (($#)); do
    case "$1" in
        --nginx-only) run_gateway=0 ;;
        --gateway-only) run_nginx=0 ;;
        --no-build) build=never ;;
        --rebuild) build=always ;;
        --keep-tmp) keep_tmp=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "bench/run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
if ((!run_nginx && !run_gateway)); then
    echo "bench/run.sh: --nginx-only and --gateway-only together leave nothing to measure" >&2
    exit 2
fi

DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
SIZES="${SIZES:-small 16k 1m}"
WORKERS="${WORKERS:-1 2}"
GATEWAY_BIN="${GATEWAY_BIN:-$root/.build/release/gateway}"
RESULTS="${RESULTS:-$bench_dir/results/latest.md}"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

read -r -a sizes <<<"$SIZES"
read -r -a workers_list <<<"$WORKERS"
for s in "${sizes[@]}"; do
    case "$s" in small | 16k | 1m) ;; *) die "SIZES: '$s' is not one of: small 16k 1m" ;; esac
done
for w in "${workers_list[@]}"; do
    [[ "$w" =~ ^[1-9][0-9]*$ ]] || die "WORKERS: '$w' is not a positive number"
done
[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ && "$THREADS" =~ ^[1-9][0-9]*$ ]] ||
    die "CONNECTIONS and THREADS must be positive numbers"
((CONNECTIONS >= THREADS)) || die "wrk needs CONNECTIONS ($CONNECTIONS) >= THREADS ($THREADS)"
((${#sizes[@]})) || die "SIZES is empty"
((${#workers_list[@]})) || die "WORKERS is empty"

# --- tools -------------------------------------------------------------------------------------

gateway_needs_build=0
if ((run_gateway)); then
    case "$build" in
        always) gateway_needs_build=1 ;;
        auto) [ -x "$GATEWAY_BIN" ] || gateway_needs_build=1 ;;
        never)
            [ -x "$GATEWAY_BIN" ] || die "no gateway binary at $GATEWAY_BIN and --no-build given.
        Build it with 'swift build -c release', or measure nginx alone with --nginx-only." ;;
    esac
fi

setup_args=()
((gateway_needs_build)) || setup_args+=(--no-swift)
command -v python3 >/dev/null 2>&1 || setup_args+=(python3)
"$root/deploy/setup.sh" "${setup_args[@]}"
# shellcheck source=deploy/swift-env.sh
. "$root/deploy/swift-env.sh"

nginx_bin="$(command -v nginx || true)"
[ -n "$nginx_bin" ] || nginx_bin=/usr/sbin/nginx
[ -x "$nginx_bin" ] || die "nginx not found (deploy/setup.sh installs nginx-light)"
command -v wrk >/dev/null 2>&1 || die "wrk not found (deploy/setup.sh installs it)"
clk_tck="$(getconf CLK_TCK)"

if ((gateway_needs_build)); then
    if [ "$GATEWAY_BIN" != "$root/.build/release/gateway" ]; then
        [ -x "$GATEWAY_BIN" ] || die "GATEWAY_BIN=$GATEWAY_BIN does not exist, and only the default binary is built here"
    else
        log "building the gateway: swift build -c release --product gateway"
        (cd "$root" && swift build -c release --product gateway) ||
            die "the gateway does not build; fix the build, or measure nginx alone with --nginx-only"
    fi
fi

# --- processes and cleanup ---------------------------------------------------------------------

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gateway-bench.XXXXXX")"
# nginx workers drop root for 'nobody' and must still read the bodies and configs in here.
chmod 755 "$tmp"
started=()

alive() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    [[ "$stat" != *") Z "* ]]
}

# Stops a process we started and every descendant it had (nginx workers), bounded in time.
stop_tree() {
    local pid="$1" tree i p
    tree="$("${benchlib[@]}" pids "$pid" 2>/dev/null || echo "$pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    for p in $tree; do
        if alive "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
    done
    wait "$pid" 2>/dev/null || true
    forget "$pid"
}

# Drops a reaped PID from the list, so that cleanup never signals a reused PID.
forget() {
    local keep=() s
    for s in "${started[@]+"${started[@]}"}"; do [ "$s" = "$1" ] || keep+=("$s"); done
    started=("${keep[@]+"${keep[@]}"}")
}

# run_logged OUT CMD...: runs CMD with its output in OUT. In the background and waited for, so
# that a signal to this script stops it (and the script) at once rather than after the run.
run_logged() {
    local out="$1" pid rc=0
    shift
    "$@" >"$out" 2>&1 &
    pid=$!
    started+=("$pid")
    wait "$pid" || rc=$?
    forget "$pid"
    return "$rc"
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local pid
    for pid in "${started[@]+"${started[@]}"}"; do stop_tree "$pid"; done
    if ((keep_tmp)); then
        log "kept temp dir: $tmp"
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { "${benchlib[@]}" ports 1; }

# Waits until URL answers 200, while PID lives; bounded.
wait_ready() {
    local pid="$1" url="$2" seconds="$3" i code
    for ((i = 0; i < seconds * 10; i++)); do
        alive "$pid" || return 1
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)"
        [ "$code" = 200 ] && return 0
        sleep 0.1
    done
    return 1
}

declare -A size_bytes=([small]=100 [16k]=16384 [1m]=1048576)

# Every body must come through the proxy whole before it is measured.
check_bodies() {
    local name="$1" port="$2" s got
    for s in "${sizes[@]}"; do
        got="$(curl -s -o /dev/null -w '%{http_code} %{size_download}' --max-time 5 \
            "http://127.0.0.1:$port/$s" || true)"
        [ "$got" = "200 ${size_bytes[$s]}" ] ||
            die "$name: GET /$s answered '$got', expected '200 ${size_bytes[$s]}'"
    done
}

nginx_common() { # $1 = dir
    cat <<EOF
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 8192; }
EOF
}

nginx_temp_paths() { # $1 = dir
    cat <<EOF
    client_body_temp_path $1/tmp/body;
    proxy_temp_path $1/tmp/proxy;
    fastcgi_temp_path $1/tmp/fastcgi;
    uwsgi_temp_path $1/tmp/uwsgi;
    scgi_temp_path $1/tmp/scgi;
EOF
}

# start_nginx NAME DIR -> sets $started_pid
start_nginx() {
    local name="$1" dir="$2"
    mkdir -p "$dir/tmp"
    chmod 755 "$dir" "$dir/tmp"
    "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
    started_pid=$!
    started+=("$started_pid")
}

fail_start() { # NAME PID LOG
    local name="$1" pid="$2" log_file="$3"
    if alive "$pid"; then
        log "$name (pid $pid) did not answer within the time limit"
    else
        local rc=0
        wait "$pid" 2>/dev/null || rc=$?
        log "$name exited with status $rc"
    fi
    if [ -s "$log_file" ]; then
        log "last lines of $log_file:"
        tail -n 20 "$log_file" >&2
    else
        log "($log_file is empty)"
    fi
}

# --- origin ------------------------------------------------------------------------------------

origin_dir="$tmp/origin"
mkdir -p "$origin_dir/www"
# A readable ~100-byte body for /small; random bytes for the bigger ones.
python3 -c 'print(("gateway benchmark small body " * 4)[:99])' >"$origin_dir/www/small"
head -c 16384 /dev/urandom >"$origin_dir/www/16k"
head -c 1048576 /dev/urandom >"$origin_dir/www/1m"
chmod 755 "$origin_dir/www"
chmod 644 "$origin_dir/www/"*

origin_port="$(free_port)"
{
    echo "worker_processes 1;"
    nginx_common "$origin_dir"
    cat <<EOF
http {
    access_log off;
$(nginx_temp_paths "$origin_dir")
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$origin_port backlog=4096;
        root $origin_dir/www;
        location / { }
    }
}
EOF
} >"$origin_dir/nginx.conf"

start_nginx origin "$origin_dir"
origin_pid="$started_pid"
if ! wait_ready "$origin_pid" "http://127.0.0.1:$origin_port/small" 10; then
    fail_start "origin nginx" "$origin_pid" "$origin_dir/error.log"
    die "the origin nginx did not start"
fi
check_bodies origin "$origin_port"
log "origin: nginx pid $origin_pid on 127.0.0.1:$origin_port ($("$nginx_bin" -v 2>&1 | sed 's/.*: //'))"

# --- proxies -----------------------------------------------------------------------------------

results_jsonl="$tmp/results.jsonl"
: >"$results_jsonl"

# measure NAME WORKERS PID PORT: warm-up and measured wrk run for every size.
measure() {
    local name="$1" workers="$2" pid="$3" port="$4" s url out before after
    for s in "${sizes[@]}"; do
        url="http://127.0.0.1:$port/$s"
        out="$tmp/wrk-$name-w$workers-$s.txt"
        if [ "$WARMUP" != 0 ] && [ "$WARMUP" != 0s ]; then
            run_logged "$out.warmup" wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" "$url" ||
                die "$name: wrk warm-up failed: $(tail -n 3 "$out.warmup")"
        fi
        before="$("${benchlib[@]}" ticks "$pid")"
        run_logged "$out" wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency \
            -s "$bench_dir/wrk-report.lua" "$url" ||
            die "$name: wrk failed: $(tail -n 3 "$out")"
        after="$("${benchlib[@]}" ticks "$pid")"
        alive "$pid" || die "$name (pid $pid) died during the $s run"
        "${benchlib[@]}" record --results "$results_jsonl" --proxy "$name" --workers "$workers" \
            --size "$s" --ticks-before "$before" --ticks-after "$after" --clk-tck "$clk_tck" \
            --wrk-output "$out"
    done
}

bench_nginx() { # WORKERS
    local workers="$1" dir="$tmp/nginx-w$1" port pid
    port="$(free_port)"
    mkdir -p "$dir"
    {
        echo "worker_processes $workers;"
        nginx_common "$dir"
        cat <<EOF
http {
    access_log off;
$(nginx_temp_paths "$dir")
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    upstream origin {
        server 127.0.0.1:$origin_port;
        keepalive 64;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$port backlog=4096;
        location / {
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # Stream bodies through memory buffers (as the gateway does); never spill to disk.
            proxy_buffer_size 16k;
            proxy_buffers 8 16k;
            proxy_max_temp_file_size 0;
        }
    }
}
EOF
    } >"$dir/nginx.conf"
    start_nginx "nginx" "$dir"
    pid="$started_pid"
    if ! wait_ready "$pid" "http://127.0.0.1:$port/small" 10; then
        fail_start "nginx proxy" "$pid" "$dir/error.log"
        die "the nginx proxy (worker_processes $workers) did not start"
    fi
    check_bodies "nginx" "$port"
    log "nginx: worker_processes $workers, pid $pid on 127.0.0.1:$port"
    measure nginx "$workers" "$pid" "$port"
    stop_tree "$pid"
}

gateway_failed=0
bench_gateway() { # WORKERS
    local workers="$1" dir="$tmp/gateway-w$1" port pid
    port="$(free_port)"
    mkdir -p "$dir"
    cat >"$dir/gateway.conf" <<EOF
worker_threads $workers;
access_log off;
server_header gateway;
drain_timeout 1s;
listen 127.0.0.1:$port;
upstream origin {
  server 127.0.0.1:$origin_port;
  keepalive 64;
}
route /* { proxy origin; }
EOF
    "$GATEWAY_BIN" run --config "$dir/gateway.conf" >"$dir/gateway.log" 2>&1 &
    pid=$!
    started+=("$pid")
    if ! wait_ready "$pid" "http://127.0.0.1:$port/small" 15; then
        fail_start "gateway" "$pid" "$dir/gateway.log"
        log "error: the gateway ($GATEWAY_BIN run --config $dir/gateway.conf) did not serve" \
            "http://127.0.0.1:$port/small within 15 s; skipping the remaining gateway runs."
        log "       (measure nginx alone with --nginx-only; KEEP_TMP=1 keeps the config and log)"
        stop_tree "$pid"
        gateway_failed=1
        return 0
    fi
    check_bodies "gateway" "$port"
    log "gateway: worker_threads $workers, pid $pid on 127.0.0.1:$port"
    measure gateway "$workers" "$pid" "$port"
    stop_tree "$pid"
}

read -r load1 _ </proc/loadavg
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
    log "warning: load average $load1 on $(nproc) cores before the run: other work is running" \
        "and will move the numbers; a quiet machine gives steadier ones"
fi
log "load: wrk -t $THREADS -c $CONNECTIONS -d $DURATION (warm-up $WARMUP); sizes: ${sizes[*]}; workers: ${workers_list[*]}"
for w in "${workers_list[@]}"; do
    if ((run_nginx)); then bench_nginx "$w"; fi
    if ((run_gateway && !gateway_failed)); then bench_gateway "$w"; fi
done

# --- report ------------------------------------------------------------------------------------

if [ ! -s "$results_jsonl" ]; then
    die "nothing was measured"
fi

commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit (with uncommitted changes)"
fi
cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
"${benchlib[@]}" report "$results_jsonl" "$RESULTS" \
    "date=$(date -u '+%Y-%m-%d %H:%M UTC')" \
    "commit=$commit" \
    "machine=$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)" \
    "cpu=${cpu_model:-unknown}" \
    "kernel=$(uname -sr)" \
    "nginx=$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'), origin: 1 worker, static files" \
    "wrk=$(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }')" \
    "load=wrk -t $THREADS -c $CONNECTIONS -d $DURATION after a $WARMUP warm-up, per scenario"
cp "$results_jsonl" "${RESULTS%.md}.jsonl"
log "wrote $RESULTS"

if ((gateway_failed)); then
    die "the gateway could not be measured (see above); the report holds nginx only"
fi
