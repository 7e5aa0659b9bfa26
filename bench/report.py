#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run every benchmark program and write doc/benchmarks.md with its plots.

    meson test -C build --benchmark report

Runs each bench-* executable of the build's bench/ directory (whichever
exist: bench-switch, bench-uring, bench-fsd, bench-spawn, ...) with
BENCH_TSV naming one file; each appends rows

    section <tab> variant <tab> x <tab> min_us <tab> median_us <tab> max_us

(min, median and max over interleaved rounds).  The rows become one table
per section and, for sections with several x values, a gnuplot PNG (median
with min-max bars against x).  The machine (CPU model, cores, kernel,
glibc, load) and each program's own output are recorded beside them; the
rows themselves are kept in doc/benchmarks.tsv.
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile

# What the sections mean, for the page.  Unknown sections get a generic
# heading: a new program needs no change here to be reported.
SECTIONS = {
    "open-read": ("A 4 KiB file read as the client (bench-uring)",
                  "groups in the token", "µs per request",
                  "`bare`: openat2+pread+close as the daemon itself, no client identity; "
                  "`switch`: imp_impersonate + the same + imp_revert; "
                  "`ring`: one io_uring submission as the client's personality "
                  "(OPENAT2 into a fixed slot, READ, CLOSE, linked); "
                  "`ring-daemon`: what impersonate-fsd does per READ (OPENAT2 through the ring, "
                  "fstat, READ+CLOSE linked); "
                  "`fork`: fork per request, the child becomes the client (imp_become_client)."),
    "daemon-rps": ("impersonate-fsd throughput (bench-fsd)", "clients", "requests per second",
                   "Each client reads its own 4 KiB file in a loop. `ring`: the daemon as shipped "
                   "(io_uring personality, served on the connection thread); `switch`: the same "
                   "binary with io_uring refused by seccomp (pool threads, verified switch: the "
                   "fallback, and how every earlier version served); `noimp`: the same code with "
                   "no personality (bench-only build): serving with no impersonation at all."),
    "spawn": ("A program run as the client (bench-spawn)", "idle threads in the process",
              "µs per program", "Each variant starts /bin/true and reaps it; see bench/bench-spawn.c."),
    "base": ("Entering the kernel (bench-switch)", "-", "µs per call",
             "getpid(2) in a loop: what one syscall that does nothing costs on this machine. "
             "The floor of a round trip below is 8 such calls (fs mode, no groups)."),
    "fs": ("fs mode: one impersonate/revert round trip (bench-switch)", "groups in the token",
           "µs per round trip",
           "`floor`: the bare credential syscalls of the round trip (setfsuid/setfsgid, "
           "setgroups, and back), nothing checked; `floor+read-back`: the same with each change "
           "read back once; `library`: imp_impersonate + imp_revert, verified against the kernel."),
    "full": ("full mode: one impersonate/revert round trip (bench-switch)", "groups in the token",
             "µs per round trip",
             "As `fs`, with setresuid/setresgid (all three ids) and the capability sets."),
    "fs-ratio": ("fs mode against its floor (bench-switch)", "groups in the token",
                 "× the floor (median of per-round ratios)",
                 "Each round's time divided by the floor's in the same round: a busy neighbour "
                 "cancels out. Targets: 1.5x at 16 groups, 1.25x at 256."),
    "full-ratio": ("full mode against its floor (bench-switch)", "groups in the token",
                   "× the floor (median of per-round ratios)", "Target: 1.5x at 16 groups."),
    "call": ("Call frames (bench-switch)", "x", "µs per frame",
             "`begin+end`: imp_call_begin + imp_call_end with nothing in between; with an fs-mode "
             "impersonation (16 groups) inside."),
    "call-ratio": ("A call frame with an impersonation against the fs floor (bench-switch)", "x",
                   "× the floor (median of per-round ratios)", ""),
    "glibc": ("glibc's process-wide setresuid(2) (bench-switch)", "idle threads in the process",
              "µs per round trip",
              "What a daemon that switches with glibc pays: every thread is signalled and "
              "changed (and every thread changes, which is the bug this library exists for)."),
    "counts": ("What one operation asks of the kernel and the allocator (bench-switch)", "x",
               "per operation",
               "Counted in a forked child: syscalls by a seccomp user-notification filter (every "
               "syscall the thread makes), allocations and locks by wrappers. One value per row."),
    "sspi": ("A Kerberos logon through SSPI (bench-sspi)", "-", "µs per logon",
             "MIT GSSAPI alone against the same handshake through the Windows layer, which also "
             "runs the PAM account and session steps and one impersonate/revert."),
    "logon": ("LogonUser's work (bench-spawn)", "-", "µs per logon",
              "imp_session_from_password + imp_session_end: the PAM stack with pam_matrix."),
    "peer": ("A token from a socket peer (bench-spawn)", "-", "µs per token", ""),
    "daemon-p50-us": ("impersonate-fsd median latency (bench-fsd)", "clients", "µs", ""),
    "daemon-p99-us": ("impersonate-fsd 99th percentile latency (bench-fsd)", "clients", "µs", ""),
    "daemon-cpu-per-read-us": ("impersonate-fsd CPU per READ (bench-fsd)", "clients",
                               "µs of daemon CPU per request",
                               "CPU time of the daemon's threads (schedstat) over the timed "
                               "window, divided by the requests served."),
}


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    libc = " ".join(platform.libc_ver())
    try:
        out = subprocess.run(["ldd", "--version"], capture_output=True, text=True).stdout
        libc = out.splitlines()[0].strip() if out else libc
    except OSError:
        pass
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    return [
        ("CPU", model),
        ("cores (online)", str(os.cpu_count())),
        ("kernel", platform.release()),
        ("glibc", libc),
        ("load average at start", load),
        ("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
    ]


def programs(bench_dir):
    found = []
    for name in sorted(os.listdir(bench_dir)):
        path = os.path.join(bench_dir, name)
        if name.startswith("bench-") and os.path.isfile(path) and os.access(path, os.X_OK):
            found.append(path)
    return found


def run(prog, tsv, timeout, extra, prefix):
    env = dict(os.environ, BENCH_TSV=tsv)
    env.update(extra)
    try:
        p = subprocess.run(prefix + [prog], env=env, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return 124, out + "\n(timed out)"


def read_rows(tsv):
    rows = []
    with open(tsv) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) != 6:
                continue
            try:
                rows.append((p[0], p[1], float(p[2]), float(p[3]), float(p[4]), float(p[5])))
            except ValueError:
                continue
    return rows


def fmt(v):
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.2f}"


def fmt_x(x):
    return str(int(x)) if x == int(x) else f"{x:g}"


def single_valued(rows):
    return all(r[3] == r[4] == r[5] for r in rows)


def table(rows):
    xs = sorted({r[2] for r in rows})
    if single_valued(rows):  # counts: "<what> <measure>" rows, one number each
        whats = list(dict.fromkeys((r[1].rsplit(" ", 1)[0], r[2]) for r in rows))
        measures = list(dict.fromkeys(r[1].rsplit(" ", 1)[-1] for r in rows))
        by = {(r[1], r[2]): r[4] for r in rows}
        out = ["| operation | x | " + " | ".join(measures) + " |", "|---|---:|" + "---:|" * len(measures)]
        for w, x in whats:
            out.append(f"| {w} | {fmt_x(x)} | " +
                       " | ".join(f"{by[(w + ' ' + m, x)]:g}" if (w + " " + m, x) in by else ""
                                  for m in measures) + " |")
        return "\n".join(out)
    variants = list(dict.fromkeys(r[1] for r in rows))
    by = {(r[1], r[2]): r for r in rows}
    out = ["| variant | " + " | ".join(fmt_x(x) for x in xs) + " |",
           "|---|" + "---:|" * len(xs)]
    for v in variants:
        cells = []
        for x in xs:
            r = by.get((v, x))
            cells.append(f"**{fmt(r[4])}** ({fmt(r[3])}–{fmt(r[5])})" if r else "")
        out.append(f"| {v} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def plot(section, rows, title, xlabel, ylabel, png):
    xs = sorted({r[2] for r in rows})
    per_variant = {}
    for r in rows:
        per_variant.setdefault(r[1], set()).add(r[2])
    if len(xs) < 2 or max(len(v) for v in per_variant.values()) < 2:
        return False  # nothing to draw a line through
    variants = list(dict.fromkeys(r[1] for r in rows))
    medians = [r[4] for r in rows if r[4] > 0]
    logx = xs[0] > 0 and xs[-1] / xs[0] >= 16
    # 0 among values spread over decades (0, 1, 16, 256, 1024 groups): no
    # log scale takes 0, so the values are placed evenly and labelled.
    positive = [x for x in xs if x > 0]
    categorical = not logx and len(xs) > 2 and positive and xs[-1] / positive[0] >= 16
    pos = {x: (float(i) if categorical else x) for i, x in enumerate(xs)}
    height = 540 + (18 * len(variants) if max(len(v) for v in variants) > 16 else 0)
    logy = medians and min(medians) > 0 and max(medians) / min(medians) >= 50
    def q(text):  # a gnuplot single-quoted string
        return "'" + text.replace("'", "''") + "'"
    with tempfile.TemporaryDirectory() as tmp:
        cmds = [
            f"set terminal pngcairo size 900,{height} noenhanced font 'sans,10'" if has_cairo()
            else f"set terminal png size 900,{height} noenhanced",
            f"set output '{png}'",
            f"set title {q(title)}",
            f"set xlabel {q(xlabel)}",
            f"set ylabel {q(ylabel + (' (log scale)' if logy else ''))}",
            "set key below" if max(len(v) for v in variants) > 16 else "set key outside right top",
            "set grid",
            "set xtics (" + ", ".join(f"'{fmt_x(x)}' {pos[x]:g}" for x in xs) + ")",
        ]
        if categorical:
            cmds.append(f"set xrange [-0.4:{len(xs) - 0.6:g}]")
        elif logx:
            cmds.append("set logscale x 2")
            cmds.append(f"set xrange [{xs[0] / 1.5:g}:{xs[-1] * 1.5:g}]")
        else:
            span = xs[-1] - xs[0]
            cmds.append(f"set xrange [{xs[0] - span * 0.08:g}:{xs[-1] + span * 0.08:g}]")
        if logy:
            cmds.append("set logscale y 10")
        else:
            cmds.append("set yrange [0:*]")
        series = []
        for i, v in enumerate(variants):
            data = os.path.join(tmp, f"{i}.dat")
            with open(data, "w") as f:
                for r in sorted((r for r in rows if r[1] == v), key=lambda r: r[2]):
                    f.write(f"{pos[r[2]]:g} {r[4]:g} {r[3]:g} {r[5]:g}\n")
            series.append(f"'{data}' using 1:2:3:4 with yerrorlines lw 2 pt 7 title {q(v)}")
        cmds.append("plot " + ", ".join(series))
        script = os.path.join(tmp, "plot.gp")
        with open(script, "w") as f:
            f.write("\n".join(cmds) + "\n")
        p = subprocess.run(["gnuplot", script], capture_output=True, text=True)
        if p.returncode != 0:
            sys.stderr.write(f"gnuplot failed for {section}: {p.stderr}\n")
            return False
    return True


_cairo = None


def has_cairo():
    global _cairo
    if _cairo is None:
        p = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
        _cairo = "pngcairo" in (p.stdout + p.stderr)
    return _cairo


def guess_axis(section):
    s = section.lower()
    if "group" in s:
        return "groups"
    if "thread" in s:
        return "idle threads"
    if "client" in s:
        return "clients"
    return "x"


def median(rows, section, variant, x):
    return next((r[4] for r in rows if r[:3] == (section, variant, x)), None)


def ratio(rows, section, num, den, x):
    a, b = median(rows, section, num, x), median(rows, section, den, x)
    return a / b if a and b else None


def summary(rows):
    lines = []
    for sec, x, target in (("fs-ratio", 16, 1.5), ("fs-ratio", 256, 1.25), ("full-ratio", 16, 1.5)):
        lib, rb = median(rows, sec, "library", x), median(rows, sec, "floor+read-back", x)
        if lib:
            line = (f"- {sec.split('-')[0]} round trip, {x} groups: library **{lib:.2f}x** the bare "
                    f"syscalls (target {target}x)")
            if rb:
                line += f"; the bare syscalls with one read-back of each change are already {rb:.2f}x"
            lines.append(line + ".")
    g = median(rows, "base", "getpid (a syscall doing nothing)", 1)
    if g:
        lines.append(f"- One syscall that does nothing (getpid): **{g:.2f} µs** on this machine.")
    r = ratio(rows, "daemon-cpu-per-read-us", "ring", "noimp", 8)
    if r:
        lines.append(f"- Daemon CPU per 4 KiB READ as the client (`ring`) against the same code "
                     f"with no impersonation (`noimp`), 8 clients: **{r:.2f}x** (target ≤ 1.10x).")
    r = ratio(rows, "daemon-rps", "ring", "switch", 8)
    if r:
        lines.append(f"- Requests per second at 8 clients, `ring` against `switch` (the pool and "
                     f"switch path every earlier version used): **{r:.2f}x** (target ≥ 2x).")
    for x in (1, 16, 256):
        r = ratio(rows, "open-read", "ring", "switch", x)
        if r:
            lines.append(f"- open+read+close as the client, io_uring personality against "
                         f"impersonate…revert, {x} group{'' if x == 1 else 's'}: **{r:.2f}x** the switch's time.")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench-dir", required=True)
    ap.add_argument("--doc-dir", required=True)
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--env", action="append", default=[],
                    help="PROGRAM:KEY=VALUE, set for that program only")
    ap.add_argument("--prefix", action="append", default=[],
                    help="PROGRAM:ARG, run that program as ARG... PROGRAM (a wrapper, in order)")
    args = ap.parse_args()
    prefixes = {}
    for e in args.prefix:
        prog, arg = e.split(":", 1)
        prefixes.setdefault(prog, []).append(arg)
    envs = {}
    for e in args.env:
        prog, kv = e.split(":", 1)
        key, value = kv.split("=", 1)
        envs.setdefault(prog, {})[key] = value

    os.makedirs(args.doc_dir, exist_ok=True)
    facts = machine()
    rows, outputs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tsv = os.path.join(tmp, "bench.tsv")
        open(tsv, "w").close()
        for prog in programs(args.bench_dir):
            name = os.path.basename(prog)
            print(f"# running {name}", flush=True)
            code, out = run(prog, tsv, args.timeout, envs.get(name, {}), prefixes.get(name, []))
            status = {0: "ok", 77: "skipped"}.get(code, f"failed (exit {code})")
            outputs.append((name, status, out))
            print(out, flush=True)
        rows = read_rows(tsv)
        with open(tsv) as f, open(os.path.join(args.doc_dir, "benchmarks.tsv"), "w") as out:
            out.write(f.read())

    sections = list(dict.fromkeys(r[0] for r in rows))
    doc = ["# Benchmarks", "",
           "Written by `meson test -C build --benchmark report` (`bench/report.py`): every "
           "benchmark program of the build, one after the other, on this machine. Each program "
           "interleaves its variants in small batches, round by round, so a busy machine shifts "
           "them alike; cells show the **median** and (min–max) over the rounds or repeats.",
           "", "## Machine", "", "| | |", "|---|---|"]
    doc += [f"| {k} | {v} |" for k, v in facts]
    doc += ["", "Programs: " + ", ".join(f"`{n}` ({s})" for n, s, _ in outputs), ""]
    extra = os.environ.get("BENCH_FSD_EXTRA")
    if extra and ":" in extra:
        name = extra.split(":", 1)[0]
        doc += [f"This run also had `BENCH_FSD_EXTRA={name}:…`: bench-fsd's variant `{name}` is "
                f"impersonate-fsd built from another tree (commit `{name}`), served beside the others.", ""]
    s = summary(rows)
    if s:
        doc += ["## Summary", "", s, ""]
    for sec in sections:
        srows = [r for r in rows if r[0] == sec]
        title, xlabel, ylabel, note = SECTIONS.get(sec, (sec, guess_axis(sec), "µs", ""))
        doc += [f"## {title}", "", f"Section `{sec}`; columns: {xlabel}; cells: {ylabel}.", ""]
        if note:
            doc += [note, ""]
        doc += [table(srows), ""]
        png = f"bench-{sec}.png"
        if not single_valued(srows) and plot(sec, srows, title, xlabel, ylabel, os.path.join(args.doc_dir, png)):
            doc += [f"![{title}]({png})", ""]
    doc += ["## Program output", ""]
    for name, status, out in outputs:
        doc += [f"### {name} ({status})", "", "```", out.rstrip(), "```", ""]
    with open(os.path.join(args.doc_dir, "benchmarks.md"), "w") as f:
        f.write("\n".join(doc))
    print(f"# wrote {os.path.join(args.doc_dir, 'benchmarks.md')}")
    failed = [n for n, s, _ in outputs if s.startswith("failed")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
