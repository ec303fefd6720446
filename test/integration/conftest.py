# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared pytest fixtures and markers for integration tests.

Markers (see docs/development.md):
  host  - runs anywhere, no root needed
  netns - needs root and network namespaces; runs on the host
  vm    - needs the real kernel (L2TP, PPP, ESP): `./run test` runs these
          inside the test VM (test/vm/vm-run). Outside the VM they are skipped
          with that reason, never silently.
"""
import os
import re
import shutil
import zlib
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lib import netns as netns_lib  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def pytest_configure(config):
    config.addinivalue_line("markers", "host: runs anywhere, no root needed")
    config.addinivalue_line("markers", "netns: needs root and network namespaces (host)")
    config.addinivalue_line("markers", "vm: needs the real kernel data path (runs in the test VM)")


def real_kernel_missing():
    """Why this kernel cannot run vm tests, or None."""
    if not os.path.exists("/sys/module/l2tp_ppp") or not os.path.exists("/dev/ppp"):
        return "needs the real kernel (l2tp_ppp, /dev/ppp): run through test/vm/vm-run or ./run test"
    if not os.path.exists("/sys/module/esp4"):
        return "needs the real kernel (esp4): run through test/vm/vm-run or ./run test"
    return None


def pytest_collection_modifyitems(config, items):
    reason = real_kernel_missing()
    for item in items:
        if reason and item.get_closest_marker("vm"):
            item.add_marker(pytest.mark.skip(reason=reason))
        if item.get_closest_marker("netns") and os.geteuid() != 0:
            item.add_marker(pytest.mark.skip(reason="needs root for network namespaces"))


@pytest.fixture
def workdir(request, tmp_path):
    """A folder for a test's configs and logs; kept under $VM_RESULTS or
    build/test-results so failures can be inspected."""
    base = os.environ.get("VM_RESULTS") or os.path.join(TOP, "build", "test-results")
    # Daemons (xl2tpd) choke on long paths and on spaces: a tame name.
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    if len(name) > 40:
        name = "%s-%08x" % (name[:31].strip("_"), zlib.crc32(name.encode()))
    path = os.path.join(base, "logs", name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


@pytest.fixture
def stack(workdir):
    """Namespaces, veths and daemons of one test, always cleaned up."""
    s = netns_lib.Stack(workdir)
    try:
        yield s
    finally:
        s.close()
