# SPDX-License-Identifier: GPL-2.0-or-later
"""Our charon plugin, built against the strongSwan 5.9.8 source, loads into
Debian's charon and reports L2TP SAs coming up and going down."""
import os
import re

import pytest

from lib.netns import wait_for
from lib import peers

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
PSK = "plugin-test-psk-5c1e"


@pytest.mark.vm
def test_plugin_reports_l2tp_child_sa_up_and_down(stack):
    build = os.environ.get("L2TP_BUILD_DIR")
    if not build:
        pytest.fail("L2TP_BUILD_DIR is not set: run through ./run test")
    peers.install_our_charon_plugin(build)

    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    charon_srv = peers.Charon(stack, srv, "charon-srv", extra_plugins=["l2tp"])
    charon_cli = peers.Charon(stack, cli, "charon-cli")
    charon_srv.start()
    charon_cli.start()
    charon_srv.load(peers.server_swanctl_psk(SERVER, PSK))
    charon_cli.load(peers.client_swanctl_psk(SERVER, PSK))

    def log():
        with open(charon_srv.log) as f:
            return f.read()

    assert re.search(r"loaded plugins: .* l2tp\b", log()), log()
    charon_cli.initiate("l2tp")

    up = wait_for("the plugin's CHILD_SA up line", lambda: re.search(
        r"l2tp: L2TP CHILD_SA l2tp\{\d+\} up in IKE_SA l2tp-psk\[\d+\], peer %s, NAT-T no"
        % re.escape(CLIENT), log()), timeout=30)
    assert up
    assert re.search(r"l2tp: IKE_SA l2tp-psk\[\d+\] up, IKEv1, peer %s port 500, local %s"
                     % (re.escape(CLIENT), re.escape(SERVER)), log()), log()

    charon_cli.swanctl("--terminate", "--ike", "vpn", "--timeout", "30", timeout=60)
    wait_for("the plugin's CHILD_SA down line",
             lambda: re.search(r"l2tp: L2TP CHILD_SA l2tp\{\d+\} down", log()), timeout=30)
    wait_for("the plugin's IKE_SA down line",
             lambda: re.search(r"l2tp: IKE_SA l2tp-psk\[\d+\] down", log()), timeout=30)
