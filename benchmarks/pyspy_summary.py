"""Where a py-spy profile's busy time goes, thread by thread: the profile behind the benchmark's figures.

    py-spy record -r 250 --format raw --threads -o prof.txt -- .venv/bin/python -c \\
        "import sys; sys.path[:0] = ['benchmarks', '.']; import end_to_end; end_to_end.measure(n=400, rounds=2)"
    .venv/bin/python benchmarks/pyspy_summary.py prof.txt [--top 25]

Samples whose innermost frame waits (poll, a condition, a socket read, a
sleep) count as idle. For each kind of thread (worker threads pooled under one
name) it prints the share of busy samples each frame is on the stack of,
lab code and the server and client layers only, so the layers can be compared.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict

_IDLE = (
    "poll2 (waitress/wasyncore.py:213)",
    "wait (threading.py",
    "_wait_for_tstate_lock",
    "readinto (socket.py",
    "accept (",
    "sleep",
    "select (",
)
_SHOWN = (
    "simulators",
    "urllib3/connectionpool",
    "http/client.py)",
    "waitress/task",
    "waitress/channel",
    "flask/app",
    "stripe/_http",
    "end_to_end",
    "floors",
)


def summarize(path: str, top: int) -> str:
    busy: Counter[str] = Counter()
    idle: Counter[str] = Counter()
    on_stack: dict[str, Counter[str]] = defaultdict(Counter)
    with open(path) as raw:
        for line in raw:
            stack, _, count = line.rstrip().rpartition(" ")
            frames = stack.split(";")
            thread = re.sub(r"-\d+$", "", re.sub(r"thread \(\d+\): ", "", frames[0]))
            if any(word in frames[-1] for word in _IDLE):
                idle[thread] += int(count)
                continue
            busy[thread] += int(count)
            for frame in {re.sub(r":\d+\)", ")", f) for f in frames[1:]}:
                on_stack[thread][frame] += int(count)
    total = sum(busy.values()) or 1
    lines = []
    for thread, n in busy.most_common(8):
        lines.append(f"\n{thread}: {n / total:.1%} of busy samples ({n} busy, {idle[thread]} idle)")
        shown = [(f, m) for f, m in on_stack[thread].most_common() if any(key in f for key in _SHOWN)]
        lines += [f"  {m / n:6.1%}  {frame[:110]}" for frame, m in shown[:top]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", help="py-spy record --format raw output")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(summarize(args.profile, args.top))


if __name__ == "__main__":
    main()
