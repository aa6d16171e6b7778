#!/usr/bin/env python3
"""Helpers for bench/run.sh: free ports, CPU ticks from /proc, wrk results, the report.

Standard library only. Subcommands:
  ports N                          print N distinct free TCP ports on 127.0.0.1
  ticks PID                        utime+stime (clock ticks) of PID and all its descendants
  pids PID                         PID and all its descendants, one a line
  record [options]                 append one measurement as a JSON line to --results
  report RESULTS.jsonl MD [k=v..]  print the tables and write them as markdown to MD
"""

import argparse
import json
import os
import socket
import sys

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


def cmd_record(a):
    wrk = parse_wrk(a.wrk_output)
    ticks = a.ticks_after - a.ticks_before
    cpu_s = ticks / a.clk_tck
    seconds = wrk["duration_us"] / 1e6
    requests = wrk["requests"]
    errors = sum(wrk[k] for k in ("err_connect", "err_read", "err_write", "err_timeout"))
    row = {
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
    with open(a.results, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
    print(
        f"  {a.proxy:<7} w={a.workers} {a.size:<5} {row['rps']:>10,.0f} req/s  "
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


SIZE_ORDER = {"small": 0, "16k": 1, "1m": 2}
PROXY_ORDER = {"nginx": 0, "gateway": 1}


def cmd_report(a):
    rows = []
    with open(a.results, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    meta = dict(kv.split("=", 1) for kv in a.meta)
    rows.sort(key=lambda r: (SIZE_ORDER.get(r["size"], 9), r["size"], int(r["workers"]),
                             PROXY_ORDER.get(r["proxy"], 9)))

    header = ["scenario", "proxy", "workers", "req/s", "p50 ms", "p99 ms", "CPU µs/req",
              "CPU cores", "MiB/s", "errors"]
    body = []
    for r in rows:
        body.append([
            r["size"], r["proxy"], r["workers"], f"{r['rps']:,.0f}", fmt_ms(r["p50_us"]),
            fmt_ms(r["p99_us"]), f"{r['cpu_us_per_req']:.1f}", f"{r['cpu_cores']:.2f}",
            f"{r['mib_s']:,.1f}", str(r["socket_errors"] + r["non_2xx"]),
        ])
    main = table(header, body, "lllrrrrrrr")

    by_key = {(r["size"], r["workers"], r["proxy"]): r for r in rows}
    ratio_rows = []
    for (size, workers, proxy), g in by_key.items():
        if proxy != "gateway" or (size, workers, "nginx") not in by_key:
            continue
        n = by_key[(size, workers, "nginx")]
        ratio_rows.append([
            size, workers, fmt_ratio(g["rps"], n["rps"]), fmt_ratio(g["p50_us"], n["p50_us"]),
            fmt_ratio(g["p99_us"], n["p99_us"]),
            fmt_ratio(g["cpu_us_per_req"], n["cpu_us_per_req"]),
        ])
    ratios = None
    if ratio_rows:
        ratios = table(["scenario", "workers", "req/s", "p50", "p99", "CPU µs/req"],
                       ratio_rows, "llrrrr")

    errors = [r for r in rows if r["socket_errors"] or r["non_2xx"]]

    print()
    print(main)
    if ratios:
        print()
        print("gateway ÷ nginx (req/s: higher is better; latency and CPU: lower is better)")
        print(ratios)
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
    sp.add_argument("--wrk-output", required=True)
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
    elif a.cmd == "record":
        cmd_record(a)
    elif a.cmd == "report":
        cmd_report(a)


if __name__ == "__main__":
    main(sys.argv[1:])
