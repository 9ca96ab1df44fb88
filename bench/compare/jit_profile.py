#!/usr/bin/env python3
"""Summarizes a HotSpot compilation log (-XX:+LogCompilation) of a vecgrad run: where the JIT's time goes.

    jit_profile.py compile.log [TOP]

Prints, from the log's <task> elements (one per compilation, with start and end stamps in
seconds of JVM uptime):
  - C1 (tiers 1-3) and C2 (tier 4) compilations by code group (vecgrad kernels, the rest of
    autograd, the rest of vecgrad, the Vector API's own methods, JDK and libraries) and by kind
    (standard or on-stack replacement), with counts and summed durations;
  - the summed durations per 2 s of JVM uptime, to show when the work happens;
  - the TOP (default 25) C2 methods by summed duration, with how often each was compiled;
  - the uncommon traps (deoptimizations) of C2 code in vecgrad or Vector API methods.
Durations are wall-clock times of the compiler thread: on a machine whose cores are all busy
they exceed the compiler's CPU time (its thread waits for a core), so compare groups within one
log, and take CPU time from `-XX:+CITime` or the thread's /proc counters.
"""
import collections
import os
import re
import sys

ATTR = re.compile(r"(\w+)='([^']*)'")


def group(method):
    if method.startswith("dev.vecgrad.autograd.kernel."):
        return "vecgrad kernels"
    if method.startswith("dev.vecgrad.autograd."):
        return "autograd (not kernels)"
    if method.startswith("dev.vecgrad."):
        return "other vecgrad"
    if method.startswith("jdk.incubator.vector.") or method.startswith("jdk.internal.vm.vector."):
        return "Vector API"
    return "JDK and libraries"


def parse(path):
    tasks, traps = [], []
    task, trap = None, None
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("<task "):
                task = dict(ATTR.findall(line))
            elif line.startswith("<task_done") and task is not None:
                done = dict(ATTR.findall(line))
                task["end"] = float(done["stamp"])
                task["inlined_bytes"] = done.get("inlined_bytes", "0")
                tasks.append(task)
                task = None
            elif line.startswith("<uncommon_trap thread="):
                trap = dict(ATTR.findall(line))
                trap["frames"] = []
                traps.append(trap)
            elif trap is not None and line.startswith("<jvms "):
                trap["frames"].append(dict(ATTR.findall(line)))
            elif line.startswith("</uncommon_trap"):
                trap = None
    for t in tasks:
        # C2 tasks carry no level attribute in the log; C1 tasks name theirs (1-3).
        t["tier"] = int(t.get("level", "4"))
        t["dur"] = t["end"] - float(t["stamp"])
        t["name"] = t["method"].split(" (")[0].replace(" ", ".")
        t["kind"] = "osr" if "osr_bci" in t else "standard"
    return tasks, traps


def main():
    if not 2 <= len(sys.argv) <= 3 or (len(sys.argv) == 3 and not sys.argv[2].isdigit()):
        sys.exit("usage: jit_profile.py compile.log [TOP (a number, default 25)]")
    if not os.path.isfile(sys.argv[1]):
        sys.exit(f"jit_profile.py: {sys.argv[1]}: no such file")
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    tasks, traps = parse(sys.argv[1])
    if not tasks:
        sys.exit(f"jit_profile.py: {sys.argv[1]}: no <task> elements (was the run made with -XX:+LogCompilation?)")

    print("## compilations by compiler, group and kind (count, summed seconds)")
    agg = collections.defaultdict(lambda: [0, 0.0])
    for t in tasks:
        k = ("C2" if t["tier"] == 4 else "C1", group(t["method"]), t["kind"])
        agg[k][0] += 1
        agg[k][1] += t["dur"]
    for comp in ("C1", "C2"):
        total = sum(v[1] for k, v in agg.items() if k[0] == comp)
        print(f"{comp}: {sum(v[0] for k, v in agg.items() if k[0] == comp)} compilations, {total:.2f} s")
        for k, (n, s) in sorted(agg.items(), key=lambda kv: -kv[1][1]):
            if k[0] == comp:
                print(f"  {k[1]:<24} {k[2]:<8} {n:5d} {s:7.2f} s")

    print("\n## summed compile seconds per 2 s of JVM uptime (C1 / C2)")
    buckets = collections.defaultdict(lambda: [0.0, 0.0])
    for t in tasks:
        buckets[int(float(t["stamp"]) // 2) * 2][1 if t["tier"] == 4 else 0] += t["dur"]
    print("  " + "  ".join(f"{b}s: {c1:.2f}/{c2:.2f}" for b, (c1, c2) in sorted(buckets.items())))

    print(f"\n## top {top} C2 methods (summed seconds, compilations, largest inlined bytes)")
    per = collections.defaultdict(lambda: [0.0, 0, 0])
    for t in tasks:
        if t["tier"] != 4:
            continue
        k = (t["name"], t["kind"])
        per[k][0] += t["dur"]
        per[k][1] += 1
        per[k][2] = max(per[k][2], int(t.get("inlined_bytes", "0") or 0))
    for (name, kind), (s, n, inl) in sorted(per.items(), key=lambda kv: -kv[1][0])[:top]:
        print(f"  {s:6.3f} s {n:2d}x {inl:6d} B  {kind:<8} {name}")

    print("\n## uncommon traps in C2 code of vecgrad and Vector API methods (count, reason, action, where)")
    by_id = {t["compile_id"]: t["name"] for t in tasks if t["tier"] == 4}
    seen = collections.Counter()
    for tr in traps:
        if tr.get("compiler") != "c2":
            continue
        where = tr["frames"][0] if tr["frames"] else {}
        at = where.get("method", "?").split(" (")[0].replace(" ", ".") + "@" + where.get("bci", "?")
        owner = by_id.get(tr.get("compile_id"), "?")
        if "vecgrad" in owner or "vector" in owner:
            seen[(tr.get("reason"), tr.get("action"), at, owner)] += 1
    for (reason, action, at, owner), n in seen.most_common(30):
        print(f"  {n:3d} {reason:<34} {action:<16} {at} in {owner}")


if __name__ == "__main__":
    main()
