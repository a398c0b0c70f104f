"""Removes an ephemeral cluster when the process that started it ends, even by SIGKILL.

    python -m kafkalab.cluster.watchdog OWNER_PID CLUSTER_NAME
"""
from __future__ import annotations

import sys

from . import procs, state


def main(owner: int, name: str) -> None:
    from ..waiting import wait_for

    gone = wait_for(lambda: ("owner" if not procs.pid_alive(owner) else
                             "cluster" if not state.cluster_dir(name).exists() else None),
                    float("inf"), f"process {owner} to end", every=1.0, retry_on=())[0]
    if gone == "cluster":
        return  # removed by its owner already
    from .cluster import _remove_by_name

    with state.locked():
        if state.cluster_dir(name).exists():
            _remove_by_name(name)  # also when its state file was damaged meanwhile


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
