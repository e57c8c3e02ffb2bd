#!/usr/bin/env python3
"""States and time of each protocol's default check with and without a reduction.

    tools/bench/reductions.py [--binary PATH] [--repeat N] [--flag --symmetry]
                              [PROTOCOL[:EXTRA FLAGS] ...]

Runs `crosscheck check PROTOCOL --format json --no-progress --focus none` (the
default configuration, without its focused runs), and again with the
reduction's flag, in turn (A B A B ...) so that both see the
same machine; prints a Markdown table of distinct states, steps (states
generated), depth, shortest trace (for a violation) and median seconds, and the
ratios. The binary is
bazel-bin/crosscheck unless --binary says otherwise (build it first:
`./bazelw build //:crosscheck`).
"""
import argparse
import json
import statistics
import subprocess
import sys


def run(binary, protocol, flags):
    command = [binary, "check", protocol, "--format", "json", "--no-progress", "--focus", "none"]
    command += flags
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit("reductions: %s exited %d: %s" % (" ".join(command), done.returncode,
                                                   done.stderr.strip()))
    return json.loads(done.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default="bazel-bin/crosscheck")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--flag", default="--symmetry", help="the reduction's flag")
    parser.add_argument("protocols", nargs="*", default=["raft", "paxos", "twophase"])
    args = parser.parse_args()

    print("| run | reduction | distinct states | steps | depth | trace | median s | runs (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for spec in args.protocols:
        protocol, _, extra = spec.partition(":")
        flags = extra.split() if extra else []
        times = {False: [], True: []}
        results = {}
        for _ in range(args.repeat):
            for reduced in (False, True):
                result = run(args.binary, protocol, flags + ([args.flag] if reduced else []))
                times[reduced].append(result["seconds"])
                results[reduced] = result
        for reduced in (False, True):
            result = results[reduced]
            trace = len(result["trace"]) - 1 if "trace" in result else "-"
            print("| `check %s%s` | %s | %s | %s | %d | %s | %.2f | %s |" % (
                protocol, (" " + extra) if extra else "", args.flag if reduced else "none",
                "{:,}".format(result["distinct_states"]), "{:,}".format(result["total_states"]),
                result["depth"], trace,
                statistics.median(times[reduced]),
                ", ".join("%.2f" % t for t in times[reduced])))
        plain, reduced = results[False], results[True]
        print("| | ratio | %.2f | %.2f | | | %.2f | |" % (
            plain["distinct_states"] / max(1, reduced["distinct_states"]),
            plain["total_states"] / max(1, reduced["total_states"]),
            statistics.median(times[False]) / max(1e-9, statistics.median(times[True]))))


if __name__ == "__main__":
    main()
