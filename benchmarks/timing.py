"""What the traffic benchmarks share: timing a child process, and the GoAccess command to compare with."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path

__all__ = ["goaccess_command", "measure"]


def measure(command: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MB and stdout of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"{command[:3]} failed with status {status}")
    return time.perf_counter() - started, usage.ru_maxrss // 1024, out.decode()


def goaccess_command(log: Path, report: Path) -> list[str]:
    """GoAccess on `log` (a gzip log piped through `zcat`: GoAccess reads plain text only)."""
    if log.suffix != ".gz":
        return ["goaccess", str(log), "--log-format=COMBINED", "-o", str(report)]
    source, target = shlex.quote(str(log)), shlex.quote(str(report))
    return ["sh", "-c", f"zcat {source} | goaccess - --log-format=COMBINED -o {target}"]
