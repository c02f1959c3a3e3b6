"""Which process owns a run, and whether that process still lives.

A process killed with ``kill -9`` (or by a power cut) cannot mark its own run finished, so a run records who
runs it: the host, the pid and the process's start time. A pid is reused once its process is gone; the start
time (clock ticks since boot, with the boot's id) tells the old process from a new one holding the same pid.
Another process on the same host can then tell a live run from a dead one; from another host it cannot, and
says so rather than guess.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Owner:
    host: str
    pid: int
    started: str  # "<boot id>:<start ticks>" on Linux; "" where the OS does not tell (then the pid alone is checked)

    @classmethod
    def current(cls) -> Owner:
        return cls(socket.gethostname(), os.getpid(), _start_token(os.getpid()) or "")

    def alive(self) -> bool | None:
        """Whether the owning process still runs: None when it ran on another host (not checkable from here)."""
        if self.host != socket.gethostname():
            return None
        token = _start_token(self.pid)
        if token is None:
            return False
        return not self.started or not token or token == self.started


def _start_token(pid: int) -> str | None:
    """The process's identity beyond its pid ("" if the OS does not tell); None if no live process has the pid."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except FileNotFoundError:
        return None if Path("/proc/self/stat").exists() else _pid_exists(pid)
    except OSError:
        return ""
    if fields[0] in ("Z", "X"):  # a zombie has died; only its exit status waits to be read
        return None
    return f"{boot}:{fields[19]}"  # field 22 of stat(5): start time in clock ticks after boot


def _pid_exists(pid: int) -> str | None:
    """Without /proc: a signal 0 says whether the pid exists (it cannot tell a reused pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return ""  # exists, owned by another user
    return ""
