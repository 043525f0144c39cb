"""Peak memory (RSS) of a running lab, in a fresh interpreter so nothing else counts."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

_PROBE = r"""
import json, resource, sys
def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
from simulators import Lab
import simulators.payments, simulators.crm, simulators.mailer, simulators.provisioning
after_imports = rss_mb()
with Lab(seed=5) as lab:
    started = rss_mb()
    lab.traffic.schedule(per_day=40, days=7, decline_rate=0.05, cancel_rate=0.1)
    lab.advance(days=7)
    for i in range(100):
        lab.crm.submit_form(name=f"Person {i}", email=f"p{i}@example.com")
    lab.settle()
    busy = rss_mb()
    events = len(lab.payments.events())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"after_imports_mb": after_imports, "lab_started_mb": started, "after_traffic_mb": busy,
                  "peak_mb": peak, "payment_events": events}))
"""


def measure() -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    out = {key: round(value, 1) if isinstance(value, float) else value for key, value in figures.items()}
    out["traffic"] = (
        "a week of seeded sign-ups (40/day, declines, refunds) delivered to provisioning, and 100 CRM form posts"
    )
    return out
