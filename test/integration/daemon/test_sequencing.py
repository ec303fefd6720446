# SPDX-License-Identifier: GPL-2.0-or-later
"""Sequencing Required reaches the data plane.

A LAC that puts the Sequencing Required AVP in its ICCN asks for sequence
numbers on every data message (RFC 2661 sections 4.4.6 and 5.4). l2tpd
passes the flag to its data plane (session_set_seq, docs/dataplane.md),
whichever it runs: the first data message l2tpd sends on the call (its LCP
Configure-Request) then has the S bit and Ns/Nr. Without the AVP it has
neither. A bare LAC, by hand, in a network namespace; the userspace plane
here, the kernel plane in the test VM.
"""
import subprocess
import sys

import pytest

from lib import raw_lac
from lib.l2tpd import L2tpd

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"

# The first data message's flags after an ICCN with or without Sequencing
# Required, from a LAC written by hand (lib/raw_lac.py).
RAW_LAC = raw_lac.__file__


def first_data_flags(stack, dataplane, sequencing):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    d = L2tpd(stack, srv, listen=SERVER, dataplane=dataplane)
    d.start()
    out = subprocess.run(["ip", "netns", "exec", cli, sys.executable, RAW_LAC, SERVER,
                          CLIENT, "iccn", "1" if sequencing else "0"], capture_output=True,
                         text=True, timeout=120)
    words = out.stdout.split()
    assert words[:1] == ["data"], (out.stdout, out.stderr, d.log())
    return int(words[1], 16), d


@pytest.mark.parametrize("dataplane", [
    "userspace", pytest.param("kernel", marks=pytest.mark.vm)])
def test_sequencing_required_in_the_iccn_puts_ns_nr_on_the_data_messages(stack, dataplane):
    flags, d = first_data_flags(stack, dataplane, True)
    assert flags & 0x0800, "S bit missing: 0x%04x\n%s" % (flags, d.log())
    assert "Sequencing Required: data messages carry Ns/Nr" in d.log(), d.log()


@pytest.mark.parametrize("dataplane", [
    "userspace", pytest.param("kernel", marks=pytest.mark.vm)])
def test_without_sequencing_required_data_messages_have_no_ns_nr(stack, dataplane):
    flags, d = first_data_flags(stack, dataplane, False)
    assert not flags & 0x0800, "S bit set: 0x%04x\n%s" % (flags, d.log())
