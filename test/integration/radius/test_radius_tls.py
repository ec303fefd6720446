# SPDX-License-Identifier: GPL-2.0-or-later
"""l2tpd's RADIUS servers over TLS, RadSec (RFC 6614; docs/radius.md
"RadSec"), against the real FreeRADIUS 3.2 listening for RadSec in the
test's private configuration. A CA, the server's certificate (SAN
radius.test) and our client certificate are made with openssl in the
test's directory; a second, unrelated CA stands for a wrong ca_file. The
client (test/tools/l2tp-client) logs in with PAP; every wait is for an
event (a log line, the client's record), never for a duration."""
import json
import os
import re
import subprocess

import pytest

from lib.client import by_event, run_client
from lib.freeradius import FreeRadius
from lib.l2tpd import L2tpd, build_dir
from lib.netns import wait_for


class RadSecFreeRadius(FreeRadius):
    """The harness's server, threaded: FreeRADIUS refuses a TLS listener in
    its single-threaded -X mode ("Threading must be enabled for TLS
    sockets"), so -fxx -l stdout, its own advice, with the same output."""

    def start(self):
        self.runs += 1
        self.proc = self.stack.spawn("%s-%d" % (self.name, self.runs),
                                     ["freeradius", "-f", "-xx", "-l", "stdout", "-d", self.dir,
                                      "-n", "radiusd"], ns=self.ns)
        wait_for("%s ready" % self.name, self._ready_or_dead, timeout=60)
        return self

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
NAS_IP, RAD1, NOBODY = "203.0.113.1", "203.0.113.10", "203.0.113.11"
UDP_SECRET = "Udp-Backup-Secret"
PORT = 2083

USERS = """\
alice Cleartext-Password := "Alice-Secret-1"
bob Cleartext-Password := "Bob-Secret-2"
"""

POLICY = """\
server {
    auth_methods = pap
}
pools {
    office { ipv4 = 198.51.100.10-198.51.100.99 }
}
policies {
    radius-users {
        conditions { tunnel_type = l2tp }
        permission = grant
        profile {
            auth = pap
            pool = office
        }
    }
}
"""

# appended to the harness's radiusd.conf: a RadSec listener whose clients
# are known by address and must present a certificate of our CA
TLS_LISTEN = """
listen {{
	ipaddr = {addr}
	port = {port}
	type = auth+acct
	proto = tcp
	virtual_server = default
	clients = radsec
	limit {{
		max_connections = 16
		lifetime = 0
		idle_timeout = 0
	}}
	tls {{
		private_key_file = {dir}/server.key
		certificate_file = {dir}/server.pem
		ca_file = {dir}/ca.pem
		tls_min_version = "1.2"
		cache {{
			enable = no
		}}
		require_client_cert = yes
		verify {{
		}}
	}}
}}
clients radsec {{
	client nas {{
		ipaddr = {nas}
		proto = tls
		secret = radsec
		require_message_authenticator = no
	}}
}}
"""


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True)


def make_pki(d):
    """ca.pem signs server.pem (SAN radius.test and RAD1) and client.pem;
    other-ca.pem is a CA that signed nothing of ours."""
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
                "-keyout", ca + ".key", "-out", ca + ".pem", "-subj", "/CN=%s test" % ca,
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    for name, cn, ext in (("server", "radius.test",
                           "subjectAltName=DNS:radius.test,IP:%s\nextendedKeyUsage=serverAuth\n" % RAD1),
                          ("client", "lns-test", "extendedKeyUsage=clientAuth\n")):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("basicConstraints=CA:FALSE\n" + ext)
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", "/CN=" + cn, cwd=d)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "3650", "-out", name + ".pem",
                "-extfile", name + ".ext", cwd=d)
        os.chmod(os.path.join(d, name + ".key"), 0o600)


def radius_status(bed, json_out=True):
    exe = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
    res = subprocess.run([exe] + (["--json"] if json_out else []) +
                         ["--socket", bed.d.sock, "radius"],
                         stdout=subprocess.PIPE, text=True, timeout=20, check=True)
    return json.loads(res.stdout) if json_out else res.stdout


# A RadSec server that completes the handshake and reads, but never
# answers: it prints each packet's Code and Identifier as it arrives.
SILENT_RADSEC = r"""
import socket, ssl, sys, threading
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2] + "/server.pem", sys.argv[2] + "/server.key")
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], int(sys.argv[3])))
ls.listen(4)
print("listening", flush=True)
def serve(c):
    try:
        s = ctx.wrap_socket(c, server_side=True)
    except (OSError, ssl.SSLError) as e:
        print("handshake failed", e, flush=True)
        return
    print("handshake done", flush=True)
    buf = b""
    while True:
        d = s.recv(4096)
        if not d:
            print("closed", flush=True)
            return
        buf += d
        while len(buf) >= 4 and len(buf) >= int.from_bytes(buf[2:4], "big"):
            print("packet code=%d id=%d" % (buf[0], buf[1]), flush=True)
            buf = buf[int.from_bytes(buf[2:4], "big"):]
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"""


class Bed:
    """l2tpd in `srv` with one RadSec server (FreeRADIUS, in `srv` on its
    own address), the client in `cli`."""

    def __init__(self, stack, ca="ca.pem", server_name="radius.test", accounting=False,
                 tls_addr=RAD1, udp_backup=False):
        self.stack = stack
        self.srv = stack.netns("srv")
        self.cli = stack.netns("cli")
        stack.veth(self.srv, "srv0", SERVER + "/24", self.cli, "cli0", CLIENT + "/24")
        for addr in (NAS_IP, RAD1, NOBODY):
            subprocess.run(["ip", "-n", self.srv, "addr", "add", addr + "/32", "dev", "lo"],
                           check=True)
        # its UDP listeners serve the backup server of the failover test
        self.radius = RadSecFreeRadius(stack, self.srv, RAD1, nas=NAS_IP, secret=UDP_SECRET,
                                       users=USERS)
        make_pki(self.radius.dir)
        with open(os.path.join(self.radius.dir, "radiusd.conf"), "a") as f:
            f.write(TLS_LISTEN.format(addr=RAD1, port=PORT, dir=self.radius.dir, nas=NAS_IP))
        self.radius.start()
        d = self.radius.dir
        name = "server_name = %s" % server_name if server_name else ""
        backup = "rad2 {\n address = %s\n secret = %s\n }" % (RAD1, UDP_SECRET) \
            if udp_backup else ""
        extra = """auth {
            provider = radius
        }
        radius {
            rad1 {
                address = %s
                transport = tls
                ca_file = %s
                cert_file = %s
                key_file = %s
                %s
            }
            %s
            nas_identifier = lns-test
            nas_ip_address = %s
            timeout = 1s
            max_timeout = 2s
            tries = 2
            dead_time = 2s
            accounting = %s
            accounting_spool = %s
        }""" % (tls_addr, os.path.join(d, ca), os.path.join(d, "client.pem"),
                os.path.join(d, "client.key"), name, backup, NAS_IP, "yes" if accounting else "no",
                os.path.join(stack.workdir, "accounting.spool"))
        self.d = L2tpd(stack, self.srv, listen=SERVER, dataplane="userspace",
                       policy_text=POLICY, extra=extra)
        self.d.start()

    def login(self, user, password, *args):
        return run_client(self.cli, SERVER, user, password, "--auth", "pap", *args)


def assert_up(recs, out):
    up = by_event(recs, "up")
    assert len(up) == 1, out
    assert up[0]["auth"] == "PAP" and up[0]["auth_result"] == "ok", up[0]
    return up[0]


@pytest.mark.netns
def test_pap_login_over_radsec_is_accepted(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 0, out + bed.d.log()
    assert_up(recs, out)
    log = bed.d.log()
    assert re.search(r"radius: TLS connection to 203\.0\.113\.10:2083 up \(TLSv1\.[23], ", log), log
    assert "Login OK: [alice" in bed.radius.proc.log(), bed.radius.proc.log()[-3000:]
    # the answer came over TLS: nothing went over UDP
    assert "Received Access-Request" in bed.radius.proc.log()
    # a wrong password over the same connection is refused by the server
    rc, recs, out = bed.login("bob", "wrong")
    assert rc == 1, out
    assert len(by_event(recs, "failed")) == 1, out
    assert log.count("TLS connection to 203.0.113.10:2083 up") == 1, bed.d.log()


@pytest.mark.netns
def test_a_server_certificate_from_another_ca_is_refused(stack):
    bed = Bed(stack, ca="other-ca.pem")
    # FreeRADIUS sends its CA along (auto_chain): a self-signed root ours
    # does not know
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 1, out
    assert len(by_event(recs, "failed")) == 1, out
    log = bed.d.log()
    assert re.search(r"radius: TLS handshake with 203\.0\.113\.10:2083 refused: the server's "
                     r"certificate does not verify: (self-signed certificate in certificate chain|"
                     r"unable to get local issuer certificate) "
                     r"\(ca_file .*/other-ca\.pem, server_name radius\.test\)", log), log
    assert re.search(r"user 'alice' .*refused: no RADIUS server answered", log), log
    assert "Login OK" not in bed.radius.proc.log()


@pytest.mark.netns
def test_server_name_may_be_the_servers_address(stack):
    # an address is matched against the iPAddress SAN (and sent as no SNI)
    bed = Bed(stack, server_name=RAD1)
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 0, out + bed.d.log()
    assert_up(recs, out)


@pytest.mark.netns
def test_a_server_name_mismatch_is_refused(stack):
    bed = Bed(stack, server_name="other.test")
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 1, out
    log = bed.d.log()
    assert re.search(r"radius: TLS handshake with 203\.0\.113\.10:2083 refused: the server's "
                     r"certificate does not verify: [Hh]ostname mismatch "
                     r"\(ca_file .*/ca\.pem, server_name other\.test\)", log), log
    assert re.search(r"user 'alice' .*refused: no RADIUS server answered", log), log
    assert "Login OK" not in bed.radius.proc.log()


@pytest.mark.netns
def test_a_tls_server_that_refuses_connections_fails_over_to_the_next(stack):
    # nothing listens on NOBODY:2083: the connect is refused, the engine's
    # timeouts declare rad1 failed (RFC 6613 2.6.1: no retransmission over
    # TCP) and rad2, over UDP, answers
    bed = Bed(stack, tls_addr=NOBODY, udp_backup=True)
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 0, out + bed.d.log()
    assert_up(recs, out)
    log = bed.d.log()
    assert "radius: cannot connect to 203.0.113.11:2083: Connection refused" in log, log
    assert "radius: server 'rad1' (203.0.113.11:2083) does not answer" in log, log
    assert "Login OK: [alice" in bed.radius.proc.log()
    # each server's block has its own: rad1's failed connects, none for rad2
    st = radius_status(bed)
    assert st["servers"][0]["tls"]["handshake_failures"] >= 1, st["servers"]
    assert st["servers"][1]["tls"] is None, st["servers"]


@pytest.mark.netns
def test_a_tls_server_that_never_answers_gets_one_try_then_the_next(stack):
    # rad1 accepts the connection and the Access-Request and never answers.
    # RFC 6613 2.4 / RFC 6614 2.3: nothing is sent again over TCP, so
    # `tries = 2` is for UDP servers: after one timeout the request goes to
    # rad2. By the events: one Access-Request on the TLS connection, no
    # retransmission made by the engine (none dropped by radsec.c), one
    # timeout, and the login answered by rad2.
    bed = Bed(stack, tls_addr=NOBODY, udp_backup=True)
    silent = stack.spawn("silent-radsec", ["python3", "-u", "-c", SILENT_RADSEC, NOBODY,
                                           bed.radius.dir, str(PORT)], ns=bed.srv)
    wait_for("the silent RadSec server", lambda: "listening" in silent.log(), timeout=30)
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 0, out + bed.d.log() + silent.log()
    assert_up(recs, out)
    log = bed.d.log()
    assert "radius: TLS connection to 203.0.113.11:2083 up" in log, log
    assert "radius: server 'rad1' (203.0.113.11:2083) does not answer" in log, log
    assert "Login OK: [alice" in bed.radius.proc.log()
    # Access-Request is Code 1; Status-Server probes (12) may follow
    assert silent.log().count("packet code=1 ") == 1, silent.log()
    st = radius_status(bed)
    rad1 = st["servers"][0]
    assert rad1["auth"]["requests"] == 1 and rad1["auth"]["retransmits"] == 0, rad1
    assert rad1["auth"]["timeouts"] == 1 and not rad1["auth"]["alive"], rad1
    assert rad1["tls"]["connects"] == 1 and rad1["tls"]["retransmissions_not_sent"] == 0, rad1
    assert st["servers"][1]["auth"]["responses"] == 1, st["servers"][1]


@pytest.mark.netns
def test_a_restarted_server_is_reconnected_for_the_next_login(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 0, out + bed.d.log()
    bed.radius.stop()
    # the daemon sees the connection go (an event, not a delay)
    wait_for("the TLS connection's close", lambda: "radius: TLS connection to "
             "203.0.113.10:2083 closed" in bed.d.log(), timeout=30)
    bed.radius.start()
    rc, recs, out = bed.login("bob", "Bob-Secret-2")
    assert rc == 0, out + bed.d.log()
    assert_up(recs, out)
    assert bed.d.log().count("TLS connection to 203.0.113.10:2083 up") == 2, bed.d.log()
    assert "Login OK: [bob" in bed.radius.proc.log()


@pytest.mark.netns
def test_accounting_start_and_stop_go_over_the_same_connection(stack):
    bed = Bed(stack, accounting=True)

    def records(status):
        return [r for r in bed.radius.records() if r.get("Acct-Status-Type") == status]
    wait_for("Accounting-On over TLS", lambda: records("Accounting-On"), timeout=60)
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 0, out + bed.d.log()
    wait_for("alice's Stop over TLS", lambda: records("Stop"), timeout=60)
    start, stop = records("Start")[0], records("Stop")[0]
    assert start["User-Name"] == "alice" and stop["User-Name"] == "alice", (start, stop)
    assert start["Acct-Session-Id"] == stop["Acct-Session-Id"], (start, stop)
    assert stop["Acct-Terminate-Cause"] == "User-Request", stop
    # the Accounting-Responses reached the accounting engine over TLS
    st = wait_for("On, Start and Stop acknowledged",
                  lambda: (lambda j: j if j["accounting"]["acknowledged"] == 3 else None)(
                      radius_status(bed)), timeout=60)
    # the connection's counters are rad1's own, in its block
    assert "tls" not in st["io"], st["io"]
    tls = st["servers"][0]["tls"]
    assert tls["connects"] == 1 and tls["handshake_failures"] == 0, tls
    assert tls["drops"] == 0 and tls["lost"] == 0 and tls["malformed"] == 0, tls
    text = radius_status(bed, json_out=False)
    assert re.search(r"  rad1\n    auth .*\n    acct .*\n    tls  203\.0\.113\.10:2083: 1 connects, "
                     r"0 failed, 0 dropped, 0 retransmissions not sent, 0 packets lost, "
                     r"0 closed for a bad length\n", text), text
    # authentication and accounting shared the one connection (RFC 6614 2.3)
    assert bed.d.log().count("TLS connection to 203.0.113.10:2083 up") == 1, bed.d.log()


@pytest.mark.netns
def test_a_reload_reconnects_with_the_new_tls_settings(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 0, out + bed.d.log()
    with open(bed.d.conf) as f:
        conf = f.read()
    with open(bed.d.conf, "w") as f:
        f.write(conf.replace("server_name = radius.test", "server_name = other.test"))
    ok, text = bed.d.ctl("reload")
    assert ok, text
    # the kept connection was verified against the old name: it is not
    # used any more, the new one is checked against the new name
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 1, out
    log = bed.d.log()
    assert re.search(r"TLS handshake with 203\.0\.113\.10:2083 refused: .*[Hh]ostname mismatch "
                     r"\(ca_file .*, server_name other\.test\)", log), log
