# SPDX-License-Identifier: GPL-2.0-or-later
"""A FreeRADIUS 3.2 server for tests: `freeradius -X -d DIR` with a private,
minimal configuration written here (never the host's /etc/freeradius), in a
network namespace of the test. It authenticates PAP users from a users file,
authenticates CHAP and MS-CHAPv2 (the chap and mschap modules, from the
same Cleartext-Password), writes every accounting record to a detail file,
and answers Status-Server (RFC 5997). With `eap=` it also runs the eap
module (md5 from the same Cleartext-Password; tls against a CA of the
test's, lib/eap_pki.py), for the daemon's EAP relay. docs/radius.md
("Testing against FreeRADIUS") describes it.
"""
import os
import re

from . import netns as netns_lib

POST_AUTH_SIGNED = """\
	post-auth {
		# every answer signed twice over (BlastRADIUS, RFC 3579 3.2):
		# FreeRADIUS 3.2.1 does not add a Message-Authenticator to a PAP
		# Access-Accept or Access-Reject by itself
		update reply {
			Message-Authenticator := 0x00
		}
		Post-Auth-Type REJECT {
			update reply {
				Message-Authenticator := 0x00
			}
		}
	}
"""

# The eap module (RFC 3579 on the server's side): MD5-Challenge, and EAP-TLS
# when a PKI is given. TLS 1.2 at most: pppd 2.4.9's EAP-TLS predates
# RFC 9190's TLS 1.3 profile. check_cert_cn ties the client certificate to
# the EAP identity (the User-Name): a certificate of the right CA for
# another name is refused.
EAP_MODULE = """\
	eap {{
		default_eap_type = {default}
		timer_expire = 60
		ignore_unknown_eap_types = no
		max_sessions = 64
		md5 {{
		}}
{tls}	}}
"""

EAP_TLS = """\
		tls-config tls-common {{
			private_key_file = {pki}/server.key
			certificate_file = {pki}/server.pem
			ca_file = {pki}/ca.pem
			cipher_list = "DEFAULT"
			tls_min_version = "1.2"
			tls_max_version = "1.2"
			ecdh_curve = ""
			fragment_size = 1024
			check_cert_cn = %{{User-Name}}
			cache {{
				enable = no
			}}
			verify {{
			}}
			ocsp {{
				enable = no
			}}
		}}
		tls {{
			tls = tls-common
		}}
"""

# PEAPv0 with EAP-MSCHAPv2 inside (what Windows speaks to NPS): the peap
# module opens the TLS tunnel with the same tls-common (no client
# certificate asked for), and runs the tunnelled EAP through the
# inner-tunnel virtual server below, where mschapv2 checks the password
# from the users file. use_tunneled_reply: the inner server's reply
# (Framed-IP-Address) goes out in the outer Access-Accept.
EAP_PEAP = """\
		peap {{
			tls = tls-common
			default_eap_type = mschapv2
			copy_request_to_tunnel = no
			use_tunneled_reply = yes
			virtual_server = "inner-tunnel"
		}}
		mschapv2 {{
			# the MS-CHAPv2 Failure packet (E=691) before the
			# Result TLV, as NPS sends it
			send_error = yes
		}}
"""

INNER_TUNNEL = """\
server inner-tunnel {
	authorize {
		files
		mschap
		eap {
			ok = return
		}
	}
	authenticate {
		Auth-Type MS-CHAP {
			mschap
		}
		eap
	}
	post-auth {
	}
}
"""

RADIUSD_CONF = """\
prefix = /usr
exec_prefix = /usr
sysconfdir = {dir}
localstatedir = {dir}
sbindir = /usr/sbin
logdir = {dir}
raddbdir = {dir}
radacctdir = {dir}
name = freeradius
confdir = {dir}
modconfdir = {dir}
certdir = {dir}
cadir = {dir}
run_dir = {dir}
db_dir = {dir}
libdir = /usr/lib/freeradius
pidfile = {dir}/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 16384
hostname_lookups = no
correct_escapes = true
log {{
	destination = stdout
	colourise = no
	auth = {log_auth}
}}
security {{
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = yes
}}
thread pool {{
	start_servers = {start_servers}
	max_servers = {max_servers}
	min_spare_servers = 1
	max_spare_servers = {max_servers}
	max_requests_per_server = 0
}}
client nas {{
	ipaddr = {nas}
	secret = {secret}
	require_message_authenticator = {require_ma}
}}
modules {{
	files {{
		filename = {dir}/users
		acctusersfile = {dir}/acct_users
		preproxy_usersfile = {dir}/preproxy_users
	}}
	pap {{
		normalise = yes
	}}
	chap {{
	}}
	mschap {{
	}}
{eap_module}	detail {{
		filename = {dir}/detail
		escape_filenames = no
		permissions = 0600
		header = "%t"
		locking = no
		log_packet_header = no
	}}
}}
server default {{
	listen {{
		type = auth
		ipaddr = {addr}
		port = {auth_port}
	}}
	listen {{
		type = acct
		ipaddr = {addr}
		port = {acct_port}
	}}
	authorize {{
		files
{eap_authorize}		chap
		mschap
		pap
	}}
	authenticate {{
		Auth-Type PAP {{
			pap
		}}
		Auth-Type CHAP {{
			chap
		}}
		Auth-Type MS-CHAP {{
			mschap
		}}
{eap_authenticate}	}}
{post_auth}	preacct {{
	}}
	accounting {{
		detail
	}}
}}
{inner_tunnel}"""


class FreeRadius:
    """One server in namespace ns, listening on addr (auth 1812, acct 1813)."""

    def __init__(self, stack, ns, addr, nas, secret, users, name="freeradius",
                 auth_port=1812, acct_port=1813, sign_answers=True, eap=None,
                 debug=True, require_message_authenticator=True, threads=2):
        """eap: None, or {"default": "md5" | "tls" | "peap", "pki": DIR or
        None, "peap": bool} (DIR holds ca.pem, server.pem and server.key:
        lib/eap_pki.py; peap needs it, and adds mschapv2 and the
        inner-tunnel server).
        debug=False (benchmarks): `freeradius -f` instead of `-X` (no
        per-packet debug output, its thread pool of `threads` workers, no
        "Login OK" lines); require_message_authenticator=False for a NAS
        that sends none (l2tpns)."""
        self.stack, self.ns, self.addr, self.name = stack, ns, addr, name
        self.auth_port, self.acct_port = auth_port, acct_port
        self.debug = debug
        self.dir = os.path.join(stack.workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.detail = os.path.join(self.dir, "detail")
        eap_module = eap_authorize = eap_authenticate = inner_tunnel = ""
        if eap:
            tls = EAP_TLS.format(pki=eap["pki"]) if eap.get("pki") else ""
            if eap.get("peap"):
                tls += EAP_PEAP.format()
                inner_tunnel = INNER_TUNNEL
            eap_module = EAP_MODULE.format(default=eap.get("default", "md5"), tls=tls)
            eap_authorize = "\t\teap {\n\t\t\tok = return\n\t\t}\n"
            eap_authenticate = "\t\tAuth-Type eap {\n\t\t\teap\n\t\t}\n"
        with open(os.path.join(self.dir, "radiusd.conf"), "w") as f:
            f.write(RADIUSD_CONF.format(dir=self.dir, nas=nas, secret=secret, addr=addr,
                                        auth_port=auth_port, acct_port=acct_port,
                                        post_auth=POST_AUTH_SIGNED if sign_answers else "",
                                        eap_module=eap_module, eap_authorize=eap_authorize,
                                        eap_authenticate=eap_authenticate,
                                        log_auth="yes" if debug else "no",
                                        start_servers=1 if debug else threads,
                                        max_servers=2 if debug else threads,
                                        require_ma="yes" if require_message_authenticator
                                        else "no",
                                        inner_tunnel=inner_tunnel))
        with open(os.path.join(self.dir, "dictionary"), "w") as f:
            f.write("$INCLUDE /usr/share/freeradius/dictionary\n")
        with open(os.path.join(self.dir, "users"), "w") as f:
            f.write(users)
        for empty in ("acct_users", "preproxy_users"):
            open(os.path.join(self.dir, empty), "w").close()
        self.proc = None
        self.runs = 0

    def start(self):
        """Start and wait until it says it is ready (an event, not a delay)."""
        self.runs += 1
        self.proc = self.stack.spawn("%s-%d" % (self.name, self.runs),
                                     ["freeradius", "-X" if self.debug else "-f", "-d", self.dir,
                                      "-n", "radiusd"],
                                     ns=self.ns)
        netns_lib.wait_for("%s ready" % self.name,
                           lambda: self._ready_or_dead(), timeout=60)
        return self

    def _ready_or_dead(self):
        log = self.proc.log()
        if not self.proc.alive():
            raise AssertionError("freeradius exited:\n" + log[-3000:])
        return "Ready to process requests" in log

    def stop(self):
        if self.proc:
            self.proc.stop()
            self.proc = None

    def records(self):
        """The detail file's records: a list of {attribute: value} (the last
        value of an attribute that appears twice)."""
        try:
            with open(self.detail) as f:
                return parse_detail(f.read())
        except FileNotFoundError:
            return []


def parse_detail(text):
    """Records of a detail file's text: a list of {attribute: value} (the
    last value of an attribute that appears twice)."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        rec = {}
        for line in block.splitlines():
            m = re.match(r"^\s+([A-Za-z0-9:-]+) = (.*)$", line)
            if m:
                rec[m.group(1)] = m.group(2).strip('"')
        if rec:
            out.append(rec)
    return out


class RadiusNas:
    """test/tools/radius-nas (radius/ over real sockets) driven line by line:
    commands on its stdin, events read back from its output file."""

    def __init__(self, stack, ns, args, name="radius-nas"):
        import subprocess
        from .l2tpd import build_dir

        self.runs = getattr(stack, "_radius_nas_runs", 0) + 1
        stack._radius_nas_runs = self.runs
        exe = os.path.join(build_dir(), "test", "tools", "radius-nas", "radius-nas")
        self.log_path = os.path.join(stack.workdir, "%s-%d.out" % (name, self.runs))
        out = open(self.log_path, "w")
        self.popen = subprocess.Popen(["ip", "netns", "exec", ns, exe] + list(args),
                                      stdin=subprocess.PIPE, stdout=out,
                                      stderr=subprocess.STDOUT, text=True,
                                      start_new_session=True)
        out.close()
        self.proc = netns_lib.Process(name, self.popen, self.log_path)
        stack.processes.append(self.proc)
        self.wait("^ready$")

    def lines(self):
        return self.proc.log().splitlines()

    def send(self, line):
        self.popen.stdin.write(line + "\n")
        self.popen.stdin.flush()

    def wait(self, pattern, after=0):
        """The first event line matching pattern, from line `after` on."""
        rx = re.compile(pattern)

        def found():
            if not self.proc.alive() and self.popen.returncode not in (0, None):
                raise AssertionError("radius-nas exited:\n" + self.proc.log()[-2000:])
            for line in self.lines()[after:]:
                if rx.search(line):
                    return line
            return None
        return netns_lib.wait_for("radius-nas: %s" % pattern, found, timeout=60)

    def mark(self):
        return len(self.lines())

    def quit(self):
        self.send("quit")
        self.wait("^bye$")
        assert self.popen.wait(timeout=30) == 0, self.proc.log()[-2000:]
        # under ASan/UBSan (L2TP_BUILD_DIR=build/asan) a report fails the test
        log = self.proc.log()
        assert "runtime error" not in log and "Sanitizer" not in log, log[-3000:]
