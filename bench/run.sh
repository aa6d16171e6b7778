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
# SCENARIOS picks what runs. "plain": the above. "tls" and "h2": the same proxies behind a TLS
# listener with one self-signed P-256 certificate, loaded by h2load over HTTP/1.1 (--h1, one request
# in flight per connection) and over HTTP/2 (H2_CLIENTS connections, H2_STREAMS streams each);
# latency percentiles come from h2load's --log-file. "policies", "ratelimit-local" and
# "ratelimit-redis": the gateway alone, one process whose routes add the full policy chain (ES256
# JWT, CORS, security headers, limits), a rate limit that is never exceeded with the local store,
# and the same with a redis-server the script starts; each is compared, on /small, with a plain
# route of the same process ("baseline"). Targets: 85 %, 95 % and 75 % of the baseline's req/s.
# Each route is measured right after a baseline run of its own (a pair), ROUNDS times, and its
# share is the median over the rounds of the pair's route ÷ baseline: a slow moment of the
# machine moves both sides of one ratio rather than one side of all of them.
# "cache-hit-small" and "cache-hit-16k": every request a cache hit (the origin answers with
# Cache-Control: max-age=600, a first request fills): the gateway's `cache` against nginx's
# proxy_cache and, when varnishd is installed (package varnish), Varnish with malloc storage
# (thread_pools = workers). "gzip": a 16 KiB JSON body compressed per request at level 1 for
# clients sending Accept-Encoding: gzip, the gateway's `compress` against nginx's `gzip on`. Each
# proxy is checked once before the load (a HIT on the second request; Content-Encoding: gzip).
#
# On a small machine (2 cores) wrk, the origin and the proxy share the cores, so absolute numbers
# say little: compare gateway and nginx through the ratios of one run, on one machine. CPU µs/req
# is the steadiest number of the lot because it does not depend on who won the cores.
#
# Environment (defaults in brackets):
#   DURATION     measured wrk run per scenario [10s]     WARMUP    warm-up before each [2s, 0 = none]
#   CONNECTIONS  wrk connections [64]                    THREADS   wrk threads [2]
#   SIZES        body sizes, of: small 16k 1m [all]      WORKERS   proxy worker counts ["1 2"]
#   SCENARIOS    of: plain tls h2 policies ratelimit-local ratelimit-redis cache-hit-small
#                cache-hit-16k gzip [all whose tools exist]
#   H2_CLIENTS   h2load connections for h2 [32]         H2_STREAMS  streams per connection [10]
#   ROUNDS       rounds of the policy and rate-limit runs [5]
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

usage() { sed -n '2,45s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

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
all_scenarios="plain tls h2 policies ratelimit-local ratelimit-redis cache-hit-small cache-hit-16k gzip"
scenarios_given="${SCENARIOS+set}"
SCENARIOS="${SCENARIOS:-$all_scenarios}"
H2_CLIENTS="${H2_CLIENTS:-32}"
H2_STREAMS="${H2_STREAMS:-10}"
ROUNDS="${ROUNDS:-5}"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: ROUNDS must be a positive integer, not '$ROUNDS'" >&2; exit 2; }
round="" # the policy round being measured; empty outside them
GATEWAY_BIN="${GATEWAY_BIN:-$root/.build/release/gateway}"
RESULTS="${RESULTS:-$bench_dir/results/latest.md}"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

read -r -a sizes <<<"$SIZES"
read -r -a workers_list <<<"$WORKERS"
read -r -a scenario_list <<<"$SCENARIOS"
declare -A want=()
for sc in "${scenario_list[@]}"; do
    case " $all_scenarios " in *" $sc "*) want[$sc]=1 ;; *) die "SCENARIOS: '$sc' is not one of: $all_scenarios" ;; esac
done
((${#want[@]})) || die "SCENARIOS is empty"
[[ "$H2_CLIENTS" =~ ^[1-9][0-9]*$ && "$H2_STREAMS" =~ ^[1-9][0-9]*$ ]] ||
    die "H2_CLIENTS and H2_STREAMS must be positive numbers"
((H2_CLIENTS >= THREADS)) || die "h2load needs H2_CLIENTS ($H2_CLIENTS) >= THREADS ($THREADS)"
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
# A scenario whose tool is missing is an error when SCENARIOS names it, else it is left out.
drop_scenario() { # SCENARIO WHY
    [ -z "$scenarios_given" ] || die "SCENARIOS has '$1' but $2"
    log "leaving out '$1': $2"
    unset "want[$1]"
}
for sc in tls h2; do
    if [ -n "${want[$sc]:-}" ] && ! command -v h2load >/dev/null 2>&1; then
        drop_scenario "$sc" "h2load is missing (package nghttp2-client)"
    fi
done
for sc in tls h2 policies; do
    if [ -n "${want[$sc]:-}" ] && ! command -v openssl >/dev/null 2>&1; then
        drop_scenario "$sc" "openssl is missing"
    fi
done
if [ -n "${want[ratelimit-redis]:-}" ] &&
    ! { command -v redis-server && command -v redis-cli; } >/dev/null 2>&1; then
    drop_scenario ratelimit-redis "redis-server or redis-cli is missing (package redis-server)"
fi
if ((!run_gateway)); then
    for sc in policies ratelimit-local ratelimit-redis; do unset "want[$sc]"; done
fi
varnishd_bin="$(command -v varnishd || true)"
if [ -z "$varnishd_bin" ] && [ -x /usr/sbin/varnishd ]; then varnishd_bin=/usr/sbin/varnishd; fi
if [ -n "${want[cache-hit-small]:-}${want[cache-hit-16k]:-}" ] && [ -z "$varnishd_bin" ]; then
    log "note: varnishd is missing (apt-get install varnish): the cache-hit scenarios run without Varnish"
fi
((${#want[@]})) || die "no scenario left to run"
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
        code="$(curl -k -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)"
        [ "$code" = 200 ] && return 0
        sleep 0.1
    done
    return 1
}

declare -A size_bytes=([small]=100 [16k]=16384 [1m]=1048576)

# Every body must come through the proxy whole before it is measured.
check_bodies() { # NAME BASE-URL [curl options...]
    local name="$1" base="$2" s got
    shift 2
    for s in "${sizes[@]}"; do
        got="$(curl -k -s -o /dev/null -w '%{http_code} %{size_download}' --max-time 5 "$@" \
            "$base/$s" || true)"
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

# nginx_proxy_http DIR: the http-level settings every nginx proxy shares (keep-alive both ways).
nginx_proxy_http() {
    cat <<EOF
    access_log off;
$(nginx_temp_paths "$1")
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    upstream origin {
        server 127.0.0.1:$origin_port;
        keepalive 64;
        keepalive_requests 1000000;
    }
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
# 16 KiB of JSON as an API answers it, for "gzip".
python3 -c '
import json
items = []
while len(json.dumps({"items": items})) < 16384:
    n = len(items)
    items.append({"id": n, "name": "item %d" % n, "price": n * 7 % 1000 / 10, "tags": ["a", "b"]})
print(json.dumps({"items": items[:-1]}), end="")' >"$origin_dir/www/data.json"
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
        # Cacheable copies for the cache-hit scenarios, JSON for gzip.
        location /c/ { alias $origin_dir/www/; expires 10m; }
        location /gz/ { alias $origin_dir/www/; default_type application/json; }
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
check_bodies origin "http://127.0.0.1:$origin_port"
log "origin: nginx pid $origin_pid on 127.0.0.1:$origin_port ($("$nginx_bin" -v 2>&1 | sed 's/.*: //'))"

# --- proxies -----------------------------------------------------------------------------------

results_jsonl="$tmp/results.jsonl"
: >"$results_jsonl"

warmup_on() { [ "$WARMUP" != 0 ] && [ "$WARMUP" != 0s ]; }

# run_wrk NAME WORKERS PID SCENARIO SIZE URL [wrk options...]: warm-up and measured wrk run.
run_wrk() {
    local name="$1" workers="$2" pid="$3" scenario="$4" s="$5" url="$6" out before after
    shift 6
    out="$tmp/wrk-$name-w$workers-$s.txt"
    [ "$scenario" = plain ] || out="$tmp/wrk-$name-w$workers-$scenario-$s${round:+-r$round}.txt"
    if warmup_on; then
        run_logged "$out.warmup" wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" "$@" "$url" ||
            die "$name: wrk warm-up failed: $(tail -n 3 "$out.warmup")"
    fi
    before="$("${benchlib[@]}" ticks "$pid")"
    run_logged "$out" wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency \
        -s "$bench_dir/wrk-report.lua" "$@" "$url" ||
        die "$name: wrk failed: $(tail -n 3 "$out")"
    after="$("${benchlib[@]}" ticks "$pid")"
    alive "$pid" || die "$name (pid $pid) died during the $scenario $s run"
    "${benchlib[@]}" record --results "$results_jsonl" --proxy "$name" --workers "$workers" \
        --scenario "$scenario" --size "$s" --ticks-before "$before" --ticks-after "$after" \
        --clk-tck "$clk_tck" --wrk-output "$out" ${round:+--round "$round"}
}

# measure NAME WORKERS PID PORT: the plain scenario, every size.
measure() {
    local s
    for s in "${sizes[@]}"; do
        run_wrk "$1" "$2" "$3" plain "$s" "http://127.0.0.1:$4/$s"
    done
}

# measure_tls NAME WORKERS PID PORT: h2load over TLS, HTTP/1.1 ("tls") and HTTP/2 ("h2").
measure_tls() {
    local name="$1" workers="$2" pid="$3" port="$4" scenario s out before after
    local opts=()
    for scenario in tls h2; do
        [ -n "${want[$scenario]:-}" ] || continue
        if [ "$scenario" = tls ]; then
            opts=(--h1 -t "$THREADS" -c "$CONNECTIONS" -m 1)
        else
            opts=(-t "$THREADS" -c "$H2_CLIENTS" -m "$H2_STREAMS")
        fi
        for s in "${sizes[@]}"; do
            out="$tmp/h2load-$name-w$workers-$scenario-$s.txt"
            if warmup_on; then
                run_logged "$out.warmup" h2load "${opts[@]}" -D "$WARMUP" "https://127.0.0.1:$port/$s" ||
                    die "$name: h2load warm-up failed: $(tail -n 3 "$out.warmup")"
            fi
            before="$("${benchlib[@]}" ticks "$pid")"
            run_logged "$out" h2load "${opts[@]}" -D "$DURATION" --log-file "$out.log" \
                "https://127.0.0.1:$port/$s" ||
                die "$name: h2load failed: $(tail -n 3 "$out")"
            after="$("${benchlib[@]}" ticks "$pid")"
            alive "$pid" || die "$name (pid $pid) died during the $scenario $s run"
            "${benchlib[@]}" record --results "$results_jsonl" --proxy "$name" \
                --workers "$workers" --scenario "$scenario" --size "$s" --ticks-before "$before" \
                --ticks-after "$after" --clk-tck "$clk_tck" --h2load-output "$out" \
                --h2load-log "$out.log"
        done
    done
}

# TLS scenarios: one self-signed certificate for both proxies.
tls_dir="$tmp/tls"
if [ -n "${want[tls]:-}${want[h2]:-}" ]; then
    mkdir -p "$tls_dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
        -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$tls_dir/key.pem" -out "$tls_dir/cert.pem" >"$tls_dir/openssl.log" 2>&1 ||
        die "openssl could not make a certificate: $(tail -n 3 "$tls_dir/openssl.log")"
    chmod 600 "$tls_dir/key.pem"
fi

# proxy_listen nginx|gateway plain|tls PORT: the proxy's listen directive for that mode.
proxy_listen() {
    case "$1 $2" in
        "nginx plain") echo "listen 127.0.0.1:$3 backlog=4096;" ;;
        "nginx tls")
            echo "listen 127.0.0.1:$3 ssl http2 backlog=4096;
        ssl_certificate $tls_dir/cert.pem;
        ssl_certificate_key $tls_dir/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;" ;;
        "gateway plain") echo "listen 127.0.0.1:$3;" ;;
        "gateway tls") echo "listen 127.0.0.1:$3 tls { certificate $tls_dir/cert.pem $tls_dir/key.pem; }" ;;
    esac
}

# proxy_dir nginx|gateway WORKERS plain|tls: a fresh directory for one proxy run.
proxy_dir() {
    local dir="$tmp/$1-w$2"
    [ "$3" = plain ] || dir="$tmp/$1-$3-w$2"
    mkdir -p "$dir"
    echo "$dir"
}

scheme_of() { if [ "$1" = tls ]; then echo https; else echo http; fi; }

# measure_mode NAME WORKERS PID PORT plain|tls: the mode's scenarios, then the proxy is stopped.
measure_mode() {
    if [ "$5" = tls ]; then
        measure_tls "$1" "$2" "$3" "$4"
    else
        measure "$1" "$2" "$3" "$4"
    fi
    stop_tree "$3"
}

bench_nginx() { # WORKERS plain|tls
    local workers="$1" mode="$2" dir port pid scheme
    dir="$(proxy_dir nginx "$workers" "$mode")"
    scheme="$(scheme_of "$mode")"
    port="$(free_port)"
    {
        echo "worker_processes $workers;"
        nginx_common "$dir"
        cat <<EOF
http {
$(nginx_proxy_http "$dir")
    server {
        $(proxy_listen nginx "$mode" "$port")
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
    if ! wait_ready "$pid" "$scheme://127.0.0.1:$port/small" 10; then
        fail_start "nginx proxy" "$pid" "$dir/error.log"
        die "the nginx proxy (worker_processes $workers, $mode) did not start"
    fi
    check_bodies "nginx" "$scheme://127.0.0.1:$port"
    log "nginx: worker_processes $workers, $mode, pid $pid on 127.0.0.1:$port"
    measure_mode nginx "$workers" "$pid" "$port" "$mode"
}

gateway_failed=0
# start_gateway DIR URL: runs the gateway on DIR/gateway.conf until URL answers -> $started_pid.
# When it does not, it is stopped and the remaining gateway runs are skipped.
start_gateway() {
    local dir="$1" url="$2" pid
    "$GATEWAY_BIN" run --config "$dir/gateway.conf" >"$dir/gateway.log" 2>&1 &
    pid=$!
    started+=("$pid")
    started_pid="$pid"
    if ! wait_ready "$pid" "$url" 15; then
        fail_start "gateway" "$pid" "$dir/gateway.log"
        log "error: the gateway ($GATEWAY_BIN run --config $dir/gateway.conf) did not serve" \
            "$url within 15 s; skipping the remaining gateway runs."
        log "       (measure nginx alone with --nginx-only; KEEP_TMP=1 keeps the config and log)"
        stop_tree "$pid"
        gateway_failed=1
        return 1
    fi
}

gateway_common() { # WORKERS
    cat <<EOF
worker_threads $1;
access_log off;
server_header gateway;
drain_timeout 1s;
upstream origin {
  server 127.0.0.1:$origin_port;
  keepalive 64;
}
EOF
}

bench_gateway() { # WORKERS plain|tls
    local workers="$1" mode="$2" dir port pid scheme
    dir="$(proxy_dir gateway "$workers" "$mode")"
    scheme="$(scheme_of "$mode")"
    port="$(free_port)"
    {
        gateway_common "$workers"
        proxy_listen gateway "$mode" "$port"
        echo "route /* { proxy origin; }"
    } >"$dir/gateway.conf"
    start_gateway "$dir" "$scheme://127.0.0.1:$port/small" || return 0
    pid="$started_pid"
    check_bodies "gateway" "$scheme://127.0.0.1:$port"
    log "gateway: worker_threads $workers, $mode, pid $pid on 127.0.0.1:$port"
    measure_mode gateway "$workers" "$pid" "$port" "$mode"
}

# start_redis DIR -> $started_pid, $redis_port: a throwaway redis-server, no persistence.
start_redis() {
    local dir="$1" i
    redis_port="$(free_port)"
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$dir" --save "" \
        --appendonly no --logfile "$dir/redis.log" >"$dir/stdout.log" 2>&1 &
    started_pid=$!
    started+=("$started_pid")
    for ((i = 0; i < 100; i++)); do
        alive "$started_pid" || break
        [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && return 0
        sleep 0.1
    done
    fail_start "redis-server" "$started_pid" "$dir/redis.log"
    die "redis-server did not start"
}

policy_scenarios=(policies ratelimit-local ratelimit-redis)
origin_app="https://app.example.com"

# The gateway alone: a plain route ("baseline") and one route per policy scenario, in one
# process, all measured on /small with the same load and the same request headers.
bench_policies() { # WORKERS
    local workers="$1" dir="$tmp/gateway-policies-w$1" port pid redis_pid="" sc token got
    port="$(free_port)"
    mkdir -p "$dir"
    { openssl ecparam -name prime256v1 -genkey -noout -out "$dir/jwt-key.pem" &&
        openssl ec -in "$dir/jwt-key.pem" -pubout -out "$dir/jwt-public.pem"; } \
        >"$dir/openssl.log" 2>&1 ||
        die "openssl could not make the JWT key: $(tail -n 3 "$dir/openssl.log")"
    token="$("${benchlib[@]}" jwt "$dir/jwt-key.pem" https://issuer.bench.invalid/ bench bench-1)"
    if [ -n "${want[ratelimit-redis]:-}" ]; then
        start_redis "$dir/redis"
        redis_pid="$started_pid"
    fi
    {
        gateway_common "$workers"
        cat <<EOF
listen 127.0.0.1:$port;
jwt bench {
  issuer https://issuer.bench.invalid/;
  audience bench;
  algorithms ES256;
  key_file $dir/jwt-public.pem kid=bench-1;
}
rate_limit never_local { rate 1000000/s; burst 1000000; store local; }
route /baseline/* { proxy origin; strip_prefix /baseline; }
route /policies/* {
  proxy origin;
  strip_prefix /policies;
  auth jwt bench;
  cors { origins $origin_app; methods GET POST; allow_headers Authorization; }
  security_headers { set Permissions-Policy "camera=()"; default Cache-Control no-store; }
  limits { body 64k; headers 8k; }
}
route /ratelimit-local/* { proxy origin; strip_prefix /ratelimit-local; rate_limit never_local; }
EOF
        if [ -n "$redis_pid" ]; then
            cat <<EOF
redis redis://127.0.0.1:$redis_port/0 { timeout 250ms; }
rate_limit never_redis { rate 1000000/s; burst 1000000; store redis; on_store_error closed; }
route /ratelimit-redis/* { proxy origin; strip_prefix /ratelimit-redis; rate_limit never_redis; }
EOF
        fi
    } >"$dir/gateway.conf"
    if ! start_gateway "$dir" "http://127.0.0.1:$port/baseline/small"; then
        if [ -n "$redis_pid" ]; then stop_tree "$redis_pid"; fi
        return 0
    fi
    pid="$started_pid"
    # Each route must do what it is there for before it is measured.
    local auth=(-H "Authorization: Bearer $token" -H "Origin: $origin_app")
    got="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/policies/small" || true)"
    [ "$got" = 401 ] || die "gateway: /policies/small without a token answered '$got', expected 401"
    got="$(curl -s -D - -o /dev/null --max-time 5 "${auth[@]}" "http://127.0.0.1:$port/policies/small" |
        tr -d '\r' | grep -ci -e '^access-control-allow-origin: ' -e '^permissions-policy: ' || true)"
    [ "$got" = 2 ] || die "gateway: /policies/small with a token lacks the CORS or security headers"
    for sc in ratelimit-local ratelimit-redis; do
        [ -n "${want[$sc]:-}" ] || continue
        got="$(curl -s -D - -o /dev/null --max-time 5 "http://127.0.0.1:$port/$sc/small" |
            tr -d '\r' | grep -ci '^ratelimit-policy: ' || true)"
        [ "$got" = 1 ] || die "gateway: /$sc/small answered without a RateLimit-Policy header"
    done
    if [ -n "$redis_pid" ]; then
        [ "$(redis-cli -p "$redis_port" dbsize)" -ge 1 ] ||
            die "gateway: the Redis rate limit left no bucket in Redis"
    fi
    log "gateway: worker_threads $workers, policy routes, pid $pid on 127.0.0.1:$port"
    local pass
    for ((pass = 1; pass <= ROUNDS; pass++)); do
        for sc in "${policy_scenarios[@]}"; do
            [ -n "${want[$sc]:-}" ] || continue
            # A pair: the baseline, then the route at once, under one round label. The same
            # requests on both (the token and Origin included), so that a share measures what
            # the route's policies cost, not the bytes of the extra headers.
            round="$pass-$sc"
            run_wrk gateway "$workers" "$pid" baseline small "http://127.0.0.1:$port/baseline/small" "${auth[@]}"
            run_wrk gateway "$workers" "$pid" "$sc" small "http://127.0.0.1:$port/$sc/small" "${auth[@]}"
        done
    done
    round=""
    stop_tree "$pid"
    if [ -n "$redis_pid" ]; then stop_tree "$redis_pid"; fi
}

# --- cache and gzip ------------------------------------------------------------------------------

cache_scenarios=(cache-hit-small cache-hit-16k gzip)
declare -A cache_size=([cache-hit-small]=small [cache-hit-16k]=16k)

# check_header NAME URL PATTERN [curl options...]: the response head of URL (asked twice, so a
# cache is filled first) must have a line matching PATTERN (extended regex, case-insensitive).
check_header() {
    local name="$1" url="$2" pattern="$3" head
    shift 3
    curl -s -o /dev/null --max-time 5 "$@" "$url" || true
    head="$(curl -s -D - -o /dev/null --max-time 5 "$@" "$url" | tr -d '\r' || true)"
    grep -Eqi "$pattern" <<<"$head" || die "$name: $url has no header matching '$pattern'; it answered:
$head"
}

# nginx_cache_conf DIR WORKERS PORT: nginx with proxy_cache on /c/ and gzip on /gz/.
nginx_cache_conf() {
    local dir="$1" workers="$2" port="$3"
    echo "worker_processes $workers;"
    nginx_common "$dir"
    cat <<EOF
http {
$(nginx_proxy_http "$dir")
    proxy_cache_path $dir/cache levels=1:2 keys_zone=bench:10m max_size=256m inactive=10m use_temp_path=off;
    server {
        listen 127.0.0.1:$port backlog=4096;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_buffer_size 16k;
        proxy_buffers 8 16k;
        proxy_max_temp_file_size 0;
        location /c/ {
            proxy_pass http://origin;
            proxy_cache bench;
            proxy_cache_lock on;
            add_header X-Cache-Status \$upstream_cache_status;
        }
        location /gz/ {
            proxy_pass http://origin;
            gzip on;
            gzip_comp_level 1;
            gzip_min_length 1024;
            gzip_types application/json;
            gzip_proxied any;
            gzip_vary on;
        }
    }
}
EOF
}

# bench_cache nginx|varnish|gateway WORKERS: the cache-hit and gzip scenarios against one proxy
# (Varnish: cache-hit only), each checked once before it is measured.
bench_cache() {
    local proxy="$1" workers="$2" dir="$tmp/$1-cache-w$2" port pid sc hit
    port="$(free_port)"
    mkdir -p "$dir"
    case "$proxy" in
        nginx)
            hit='^x-cache-status: HIT$'
            nginx_cache_conf "$dir" "$workers" "$port" >"$dir/nginx.conf"
            start_nginx nginx "$dir"
            pid="$started_pid"
            if ! wait_ready "$pid" "http://127.0.0.1:$port/c/small" 10; then
                fail_start "nginx cache proxy" "$pid" "$dir/error.log"
                die "the nginx cache proxy (worker_processes $workers) did not start"
            fi
            ;;
        varnish)
            # A hit names two transactions in X-Varnish (this one and the one that filled it).
            hit='^x-varnish: [0-9]+ [0-9]+$'
            "$varnishd_bin" -F -n "$dir/varnish" -a "127.0.0.1:$port" -b "127.0.0.1:$origin_port" \
                -s malloc,256m -p thread_pools="$workers" >"$dir/varnish.log" 2>&1 &
            pid=$!
            started+=("$pid")
            if ! wait_ready "$pid" "http://127.0.0.1:$port/c/small" 15; then
                fail_start "varnishd" "$pid" "$dir/varnish.log"
                log "leaving Varnish out: varnishd did not start"
                stop_tree "$pid"
                return 0
            fi
            ;;
        gateway)
            hit='^cache-status: bench; hit'
            {
                gateway_common "$workers"
                cat <<EOF
listen 127.0.0.1:$port;
cache bench { max_size 256m; }
route /c/* { proxy origin; cache bench; }
route /gz/* { proxy origin; compress { types application/json; min_size 1k; level 1; } }
EOF
            } >"$dir/gateway.conf"
            start_gateway "$dir" "http://127.0.0.1:$port/c/small" || return 0
            pid="$started_pid"
            ;;
    esac
    log "$proxy: $workers worker(s), cache and gzip, pid $pid on 127.0.0.1:$port"
    for sc in "${cache_scenarios[@]}"; do
        [ -n "${want[$sc]:-}" ] || continue
        if [ "$sc" = gzip ]; then
            [ "$proxy" != varnish ] || continue
            check_header "$proxy" "http://127.0.0.1:$port/gz/data.json" '^content-encoding: gzip$' -H 'Accept-Encoding: gzip'
            run_wrk "$proxy" "$workers" "$pid" gzip json16k "http://127.0.0.1:$port/gz/data.json" -H 'Accept-Encoding: gzip'
        else
            check_header "$proxy" "http://127.0.0.1:$port/c/${cache_size[$sc]}" "$hit"
            run_wrk "$proxy" "$workers" "$pid" cache-hit "${cache_size[$sc]}" "http://127.0.0.1:$port/c/${cache_size[$sc]}"
        fi
    done
    stop_tree "$pid"
}

read -r load1 _ </proc/loadavg
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
    log "warning: load average $load1 on $(nproc) cores before the run: other work is running" \
        "and will move the numbers; a quiet machine gives steadier ones"
fi
log "load: wrk -t $THREADS -c $CONNECTIONS -d $DURATION (warm-up $WARMUP); sizes: ${sizes[*]}; workers: ${workers_list[*]}"
log "scenarios: $(for sc in $all_scenarios; do [ -z "${want[$sc]:-}" ] || printf '%s ' "$sc"; done)"
any_policy=""
for sc in "${policy_scenarios[@]}"; do any_policy+="${want[$sc]:-}"; done
for w in "${workers_list[@]}"; do
    if [ -n "${want[plain]:-}" ]; then
        if ((run_nginx)); then bench_nginx "$w" plain; fi
        if ((run_gateway && !gateway_failed)); then bench_gateway "$w" plain; fi
    fi
    if [ -n "${want[tls]:-}${want[h2]:-}" ]; then
        if ((run_nginx)); then bench_nginx "$w" tls; fi
        if ((run_gateway && !gateway_failed)); then bench_gateway "$w" tls; fi
    fi
    if [ -n "$any_policy" ] && ((!gateway_failed)); then bench_policies "$w"; fi
    if [ -n "${want[cache-hit-small]:-}${want[cache-hit-16k]:-}${want[gzip]:-}" ]; then
        if ((run_nginx)); then bench_cache nginx "$w"; fi
        if ((run_nginx)) && [ -n "$varnishd_bin" ] && [ -n "${want[cache-hit-small]:-}${want[cache-hit-16k]:-}" ]; then
            bench_cache varnish "$w"
        fi
        if ((run_gateway && !gateway_failed)); then bench_cache gateway "$w"; fi
    fi
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
    "varnish=$(if [ -n "$varnishd_bin" ]; then "$varnishd_bin" -V 2>&1 | head -n 1; else echo "not installed"; fi)" \
    "wrk=$(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }')" \
    "load=wrk -t $THREADS -c $CONNECTIONS -d $DURATION after a $WARMUP warm-up, per scenario; tls: h2load --h1 -c $CONNECTIONS; h2: h2load -c $H2_CLIENTS -m $H2_STREAMS"
cp "$results_jsonl" "${RESULTS%.md}.jsonl"
log "wrote $RESULTS"

if ((gateway_failed)); then
    die "the gateway could not be measured (see above); the report holds nginx only"
fi
