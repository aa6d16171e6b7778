#!/usr/bin/env python3
"""Helpers for bench/run.sh: free ports, CPU ticks from /proc, wrk results, the report.

Standard library only. Subcommands:
  ports N                          print N distinct free TCP ports on 127.0.0.1
  ticks PID                        utime+stime (clock ticks) of PID and all its descendants
  pids PID                         PID and all its descendants, one a line
  jwt KEY.pem ISS AUD KID          print an ES256 token signed with KEY.pem (exp in 10 years)
  record [options]                 append one measurement (wrk or h2load) as a JSON line to --results
  report RESULTS.jsonl MD [k=v..]  print the tables and write them as markdown to MD
"""

import argparse
import json
import statistics
import base64
import os
import re
import socket
import subprocess
import sys
import time

WRK_MARK = "BENCH_JSON "


def free_ports(count):
    # Hold every socket open until all are bound so the kernel hands out distinct ports.
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def read_stat(pid):
    """(ppid, utime + stime) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("ascii", "replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) is in parentheses and may contain spaces: split after it.
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return int(fields[1]), int(fields[11]) + int(fields[12])


def process_tree(root):
    """root and all its live descendants."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = read_stat(int(name))
        if st is not None:
            children.setdefault(st[0], []).append(int(name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def tree_ticks(root):
    total = 0
    for pid in process_tree(root):
        st = read_stat(pid)
        if st is not None:
            total += st[1]
    return total


def parse_wrk(path):
    """The JSON line that bench/wrk-report.lua printed, plus a few lines of wrk's own text."""
    result = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(WRK_MARK):
                result = json.loads(line[len(WRK_MARK):])
    if result is None:
        raise SystemExit(f"benchlib: no wrk result in {path} (did wrk fail?)")
    return result


def percentile(sorted_values, pct):
    if not sorted_values:
        return 0
    i = min(len(sorted_values) - 1, max(0, int(round(pct / 100 * len(sorted_values))) - 1))
    return sorted_values[i]


def parse_h2load(path, log_file):
    """h2load's text report, in the shape parse_wrk returns; latency percentiles come from its
    --log-file (one line per request: start µs, status, µs to the end of the response)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    finished = re.search(r"^finished in ([0-9.]+)(ms|s),", text, re.M)
    requests = re.search(r"^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                         r"(\d+) failed, (\d+) errored, (\d+) timeout", text, re.M)
    status = re.search(r"^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", text, re.M)
    traffic = re.search(r"^traffic: \S+ \((\d+)\) total", text, re.M)
    mean = re.search(r"^time for request:\s+\S+\s+\S+\s+([0-9.]+)(us|ms|s)\b", text, re.M)
    if not (finished and requests and status and traffic):
        raise SystemExit(f"benchlib: no h2load result in {path} (did h2load fail?)")
    seconds = float(finished.group(1)) / (1000 if finished.group(2) == "ms" else 1)
    durations = []
    with open(log_file, encoding="utf-8", errors="replace") as f:
        for line in f:
            cols = line.split("\t")
            if len(cols) >= 3 and cols[2].strip().isdigit():
                durations.append(int(cols[2]))
    durations.sort()
    unit = {"us": 1, "ms": 1000, "s": 1000000}
    return {
        "requests": int(requests.group(3)),
        "duration_us": int(seconds * 1e6),
        "bytes": int(traffic.group(1)),
        "p50_us": percentile(durations, 50),
        "p90_us": percentile(durations, 90),
        "p99_us": percentile(durations, 99),
        "max_us": durations[-1] if durations else 0,
        "mean_us": float(mean.group(1)) * unit[mean.group(2)] if mean else 0.0,
        "err_connect": 0,
        "err_read": int(requests.group(5)) + int(requests.group(6)),
        "err_write": 0,
        "err_timeout": int(requests.group(7)),
        "err_status": sum(int(status.group(i)) for i in (2, 3, 4)),
    }


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def der_to_raw(der, size=32):
    """An ECDSA signature as DER SEQUENCE { INTEGER r, INTEGER s } to the JWS form r || s."""
    def read_len(buf, i):
        n = buf[i]
        if n < 0x80:
            return n, i + 1
        k = n & 0x7F
        return int.from_bytes(buf[i + 1:i + 1 + k], "big"), i + 1 + k

    if der[0] != 0x30:
        raise SystemExit("benchlib: not a DER ECDSA signature")
    _, i = read_len(der, 1)
    out = b""
    for _ in range(2):
        if der[i] != 0x02:
            raise SystemExit("benchlib: not a DER ECDSA signature")
        n, i = read_len(der, i + 1)
        out += int.from_bytes(der[i:i + n], "big").to_bytes(size, "big")
        i += n
    return out


def es256_sign(key_path, signing_input):
    try:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:
        der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_path],
                             input=signing_input, capture_output=True, check=True).stdout
    else:
        with open(key_path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
        der = key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
    return der_to_raw(der)


def cmd_jwt(a):
    now = int(time.time())
    header = {"alg": "ES256", "typ": "JWT", "kid": a.kid}
    claims = {"iss": a.issuer, "aud": a.audience, "sub": "bench", "iat": now,
              "exp": now + 10 * 365 * 86400}
    signing_input = ".".join(b64url(json.dumps(x, separators=(",", ":")).encode())
                             for x in (header, claims)).encode("ascii")
    print(signing_input.decode("ascii") + "." + b64url(es256_sign(a.key, signing_input)))


def cmd_record(a):
    wrk = parse_h2load(a.h2load_output, a.h2load_log) if a.h2load_output else parse_wrk(a.wrk_output)
    ticks = a.ticks_after - a.ticks_before
    cpu_s = ticks / a.clk_tck
    seconds = wrk["duration_us"] / 1e6
    requests = wrk["requests"]
    errors = sum(wrk[k] for k in ("err_connect", "err_read", "err_write", "err_timeout"))
    row = {
        "scenario": a.scenario,
        "size": a.size,
        "proxy": a.proxy,
        "workers": a.workers,
        "requests": requests,
        "seconds": seconds,
        "rps": requests / seconds if seconds else 0.0,
        "mib_s": wrk["bytes"] / seconds / 2**20 if seconds else 0.0,
        "p50_us": wrk["p50_us"],
        "p90_us": wrk["p90_us"],
        "p99_us": wrk["p99_us"],
        "max_us": wrk["max_us"],
        "cpu_ticks": ticks,
        "cpu_us_per_req": cpu_s * 1e6 / requests if requests else float("nan"),
        "cpu_cores": cpu_s / seconds if seconds else 0.0,
        "socket_errors": errors,
        "non_2xx": wrk["err_status"],
    }
    if a.round:
        row["round"] = a.round
    with open(a.results, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
    print(
        f"  {a.proxy:<7} w={a.workers} {label(row) + (f' r{a.round}' if a.round else ''):<21} {row['rps']:>10,.0f} req/s  "
        f"p50 {fmt_ms(row['p50_us'])} ms  p99 {fmt_ms(row['p99_us'])} ms  "
        f"cpu {row['cpu_us_per_req']:.1f} µs/req ({row['cpu_cores']:.2f} cores)"
        + (f"  ERRORS socket={errors} non2xx={row['non_2xx']}" if errors or row["non_2xx"] else "")
    )


def fmt_ms(us):
    return f"{us / 1000:.2f}"


def fmt_ratio(g, n):
    if not n or g != g or n != n:  # zero or NaN
        return "–"
    return f"{g / n:.2f}×"


def table(header, rows, align):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]

    def line(cells):
        out = []
        for cell, w, al in zip(cells, widths, align):
            out.append(str(cell).rjust(w) if al == "r" else str(cell).ljust(w))
        return "| " + " | ".join(out) + " |"

    sep = "|" + "|".join(("-" * (w + 1) + ":") if al == "r" else ("-" * (w + 2))
                         for w, al in zip(widths, align)) + "|"
    return "\n".join([line(header), sep] + [line(r) for r in rows])


SIZE_ORDER = {"small": 0, "16k": 1, "1m": 2, "json16k": 3}
PROXY_ORDER = {"nginx": 0, "varnish": 1, "gateway": 2}
# Scenarios in report order. "baseline" is the gateway's plain route in the process that also
# serves the policy and rate-limit routes: those are compared with it, against these targets.
SCENARIO_ORDER = {"plain": 0, "tls": 1, "h2": 2, "baseline": 3, "policies": 4,
                  "ratelimit-local": 5, "ratelimit-redis": 6, "cache-hit": 7, "gzip": 8}
TARGETS = {"policies": 0.85, "ratelimit-local": 0.95, "ratelimit-redis": 0.75}


KEY_FIELDS = ("scenario", "size", "workers", "proxy")
MEDIAN_FIELDS = ("rps", "mib_s", "p50_us", "p90_us", "p99_us", "max_us", "cpu_us_per_req",
                 "cpu_cores")


def merge_rounds(rows):
    """One row per scenario, size, workers and proxy: the median of its rounds' numbers, the
    sum of their requests and errors."""
    groups = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in KEY_FIELDS), []).append(r)
    merged = []
    for group in groups.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        row = dict(group[0])
        row.pop("round", None)
        row["rounds"] = len(group)
        for k in MEDIAN_FIELDS:
            row[k] = statistics.median(r[k] for r in group)
        for k in ("requests", "socket_errors", "non_2xx", "cpu_ticks"):
            row[k] = sum(r[k] for r in group)
        merged.append(row)
    return merged


def policy_round_shares(rows):
    """Per policy scenario, the req/s of each round ÷ the req/s of the baseline run paired with
    it (same round label)."""
    base = {(r["size"], r["workers"], r["proxy"], r["round"]): r
            for r in rows if r["scenario"] == "baseline" and "round" in r}
    shares = {}
    for r in rows:
        b = base.get((r["size"], r["workers"], r["proxy"], r.get("round")))
        if r["scenario"] in TARGETS and b is not None and b["rps"]:
            shares.setdefault(tuple(r[k] for k in KEY_FIELDS), []).append(r["rps"] / b["rps"])
    return shares


def label(r):
    scenario = r.get("scenario", "plain")
    return r["size"] if scenario == "plain" else f"{scenario} {r['size']}"


def cmd_report(a):
    rows = []
    with open(a.results, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for r in rows:
        r.setdefault("scenario", "plain")
    round_shares = policy_round_shares(rows)
    rows = merge_rounds(rows)
    meta = dict(kv.split("=", 1) for kv in a.meta)
    rows.sort(key=lambda r: (SCENARIO_ORDER.get(r["scenario"], 9), SIZE_ORDER.get(r["size"], 9),
                             r["size"], int(r["workers"]), PROXY_ORDER.get(r["proxy"], 9)))

    header = ["scenario", "proxy", "workers", "req/s", "p50 ms", "p99 ms", "CPU µs/req",
              "CPU cores", "MiB/s", "errors"]
    body = []
    for r in rows:
        body.append([
            label(r), r["proxy"], r["workers"], f"{r['rps']:,.0f}", fmt_ms(r["p50_us"]),
            fmt_ms(r["p99_us"]), f"{r['cpu_us_per_req']:.1f}", f"{r['cpu_cores']:.2f}",
            f"{r['mib_s']:,.1f}", str(r["socket_errors"] + r["non_2xx"]),
        ])
    main = table(header, body, "lllrrrrrrr")

    by_key = {(r["scenario"], r["size"], r["workers"], r["proxy"]): r for r in rows}
    ratio_rows = []
    for (scenario, size, workers, proxy), g in by_key.items():
        if proxy != "gateway" or (scenario, size, workers, "nginx") not in by_key:
            continue
        n = by_key[(scenario, size, workers, "nginx")]
        ratio_rows.append([
            label(g), workers, fmt_ratio(g["rps"], n["rps"]), fmt_ratio(g["p50_us"], n["p50_us"]),
            fmt_ratio(g["p99_us"], n["p99_us"]),
            fmt_ratio(g["cpu_us_per_req"], n["cpu_us_per_req"]),
        ])
    ratios = None
    if ratio_rows:
        ratios = table(["scenario", "workers", "req/s", "p50", "p99", "CPU µs/req"],
                       ratio_rows, "llrrrr")

    policy_rows = []
    for (scenario, size, workers, proxy), r in by_key.items():
        base = by_key.get(("baseline", size, workers, proxy))
        if scenario not in TARGETS or base is None:
            continue
        shares = round_shares.get((scenario, size, workers, proxy))
        if shares:
            share = statistics.median(shares)
        else:
            share = r["rps"] / base["rps"] if base["rps"] else float("nan")
        policy_rows.append([
            label(r), workers, f"{share * 100:.0f} %", f"≥ {TARGETS[scenario] * 100:.0f} %",
            "yes" if share >= TARGETS[scenario] else "no",
            f"{(r['p99_us'] - base['p99_us']) / 1000:+.2f}",
            f"{r['cpu_us_per_req'] - base['cpu_us_per_req']:+.1f}",
        ])
    policies = None
    if policy_rows:
        policies = table(["scenario", "workers", "req/s of baseline", "target", "met",
                          "added p99 ms", "added CPU µs/req"], policy_rows, "llrrlrr")
    policies_title = ("gateway policy and rate-limit routes ÷ the same gateway's plain route "
                      "(baseline), same body, same process; with several rounds, the rows above "
                      "are medians and req/s of baseline is the median of the rounds' ratios")

    errors = [r for r in rows if r["socket_errors"] or r["non_2xx"]]

    print()
    print(main)
    if ratios:
        print()
        print("gateway ÷ nginx (req/s: higher is better; latency and CPU: lower is better)")
        print(ratios)
    if policies:
        print()
        print(policies_title)
        print(policies)
    if errors:
        print()
        print("WARNING: some runs had socket errors or non-2xx responses; see the errors column.")

    md = ["# Benchmark: gateway vs nginx as reverse proxy", ""]
    for k in ("date", "commit", "machine", "cpu", "kernel", "nginx", "wrk", "load"):
        if k in meta:
            md.append(f"- {k}: {meta[k]}")
    md += [
        "",
        "CPU µs/req counts only the proxy's own processes (nginx master + workers, or the "
        "gateway), from /proc/PID/stat, over the measured wrk run. wrk, the origin and the proxy "
        "share the same cores: compare the ratios within one run, not numbers across machines.",
        "",
        main,
        "",
    ]
    if ratios:
        md += ["gateway ÷ nginx (req/s: higher is better; latency and CPU: lower is better)", "",
               ratios, ""]
    if policies:
        md += [policies_title, "", policies, ""]
    if errors:
        md += ["**Some runs had socket errors or non-2xx responses; see the errors column.**", ""]
    os.makedirs(os.path.dirname(os.path.abspath(a.markdown)), exist_ok=True)
    with open(a.markdown, "w", encoding="utf-8") as f:
        f.write("\n".join(md))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("ports")
    sp.add_argument("count", type=int)
    sp = sub.add_parser("ticks")
    sp.add_argument("pid", type=int)
    sp = sub.add_parser("pids")
    sp.add_argument("pid", type=int)
    sp = sub.add_parser("record")
    sp.add_argument("--results", required=True)
    sp.add_argument("--proxy", required=True)
    sp.add_argument("--workers", required=True)
    sp.add_argument("--size", required=True)
    sp.add_argument("--ticks-before", type=int, required=True)
    sp.add_argument("--ticks-after", type=int, required=True)
    sp.add_argument("--clk-tck", type=int, required=True)
    sp.add_argument("--scenario", default="plain")
    sp.add_argument("--round", help="round of a repeated run, the same for a route and its baseline (policy scenarios)")
    out = sp.add_mutually_exclusive_group(required=True)
    out.add_argument("--wrk-output")
    out.add_argument("--h2load-output")
    sp.add_argument("--h2load-log", help="h2load --log-file, for the latency percentiles")
    sp = sub.add_parser("jwt")
    sp.add_argument("key")
    sp.add_argument("issuer")
    sp.add_argument("audience")
    sp.add_argument("kid")
    sp = sub.add_parser("report")
    sp.add_argument("results")
    sp.add_argument("markdown")
    sp.add_argument("meta", nargs="*", help="key=value lines for the markdown header")
    a = p.parse_args(argv)

    if a.cmd == "ports":
        print(" ".join(str(x) for x in free_ports(a.count)))
    elif a.cmd == "ticks":
        print(tree_ticks(a.pid))
    elif a.cmd == "pids":
        print("\n".join(str(x) for x in process_tree(a.pid)))
    elif a.cmd == "jwt":
        cmd_jwt(a)
    elif a.cmd == "record":
        cmd_record(a)
    elif a.cmd == "report":
        cmd_report(a)


if __name__ == "__main__":
    main(sys.argv[1:])
