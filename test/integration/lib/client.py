# SPDX-License-Identifier: GPL-2.0-or-later
"""Our LAC + PPP test client (test/tools/l2tp-client) as a peer."""
import json
import os
import subprocess

from .l2tpd import build_dir


def client_path():
    return os.path.join(build_dir(), "test", "tools", "l2tp-client", "l2tp-client")


def run_client(ns, server, user, password, *extra, timeout=60):
    """Run the client to completion; returns (exit status, [JSON records])."""
    cmd = ["ip", "netns", "exec", ns, client_path(), "--server", server, "--user", user,
           "--password", password, "--json", "--timeout", str(min(timeout - 5, 45))] + list(extra)
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=timeout)
    records = []
    for line in res.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            records.append(json.loads(line))
    return res.returncode, records, res.stdout + res.stderr


def by_event(records, event):
    return [r for r in records if r.get("event") == event]
