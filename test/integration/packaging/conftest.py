# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures of the packaging tests (helpers in debpkg.py)."""
import pytest

from debpkg import build_packages, missing_tools


@pytest.fixture(scope="session")
def built_packages():
    """The packages, built once per test run (about a minute)."""
    missing = missing_tools("dpkg-buildpackage", "dh", "dpkg-deb", "meson", "ninja")
    if missing:
        pytest.skip("cannot build Debian packages without %s (./run setup installs them: "
                    "dpkg-dev, debhelper, meson, ninja-build)" % ", ".join(missing))
    return build_packages()
