# SPDX-License-Identifier: GPL-2.0-or-later
"""bash completion for l2tpctl (contrib/bash-completion/l2tpctl): sourced
in a bash, asked as bash asks it. The command list comes from the built
l2tpctl's `help`, so a command added there completes without a change."""
import os
import re
import shlex
import shutil
import subprocess

import pytest

from lib.l2tpd import TOP, build_dir

SCRIPT = os.path.join(TOP, "contrib", "bash-completion", "l2tpctl")


def complete(line, tmp_path):
    """COMPREPLY for the command line LINE (the cursor at its end)."""
    if not shutil.which("bash"):
        pytest.skip("bash is not installed")
    words = line.split(" ")
    script = """
set -u
source %s
complete -p l2tpctl >/dev/null
COMP_WORDS=(%s)
COMP_CWORD=%d
COMP_LINE=%s
COMP_POINT=${#COMP_LINE}
_l2tpctl l2tpctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%%s\\n' "${COMPREPLY[@]}"
""" % (shlex.quote(SCRIPT), " ".join(shlex.quote(w) for w in words), len(words) - 1,
       shlex.quote(line))
    env = dict(os.environ)
    env["PATH"] = os.path.join(build_dir(), "l2tpd", "l2tpctl") + ":" + env.get("PATH", "")
    res = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=str(tmp_path),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                         timeout=30)
    assert res.returncode == 0 and res.stderr == "", res.stderr
    return sorted(l for l in res.stdout.splitlines() if l)


@pytest.mark.host
def test_commands_come_from_l2tpctl_help(tmp_path):
    out = subprocess.run([os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl"), "help"],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    cmds = sorted(re.findall(r"^  ([a-z][a-z-]*)\s", out, re.M))
    assert "sessions" in cmds and "policy" in cmds
    assert complete("l2tpctl ", tmp_path) == cmds
    assert complete("l2tpctl s", tmp_path) == ["sessions", "status"]
    assert complete("l2tpctl --json di", tmp_path) == ["disconnect"]
    assert complete("l2tpctl --socket /tmp/x.sock re", tmp_path) == ["reload"]
    assert complete("l2tpctl cl", tmp_path) == ["client-config"]
    assert complete("l2tpctl client-config a", tmp_path) == ["android", "apple"]
    assert complete("l2tpctl client-config windows --ipsec ", tmp_path) == ["cert", "psk"]


@pytest.mark.host
def test_options_subcommands_and_arguments(tmp_path):
    assert complete("l2tpctl --", tmp_path) == ["--help", "--json", "--socket", "--version"]
    assert complete("l2tpctl policy ", tmp_path) == ["check", "hash", "test"]
    assert complete("l2tpctl disconnect ", tmp_path) == ["session", "user"]
    assert complete("l2tpctl policy hash --", tmp_path) == ["--iterations"]
    (tmp_path / "office.conf").write_text("")
    assert complete("l2tpctl policy check off", tmp_path) == ["office.conf"]
    assert complete("l2tpctl policy test office.conf us", tmp_path) == ["user="]
    assert complete("l2tpctl policy test --json office.conf ti", tmp_path) == ["time="]
    assert complete("l2tpctl policy test --", tmp_path) == ["--json", "--leased", "--time"]


@pytest.mark.host
def test_trace_completes_on_off_then_selectors(tmp_path):
    assert complete("l2tpctl trace ", tmp_path) == ["off", "on"]
    assert complete("l2tpctl trace on --s", tmp_path) == ["--session"]
    assert complete("l2tpctl trace on --session ", tmp_path) == []
    assert complete("l2tpctl trace off --session 1/2 --a", tmp_path) == ["--address", "--all"]
