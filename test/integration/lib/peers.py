# SPDX-License-Identifier: GPL-2.0-or-later
"""Real, unmodified peers for integration tests: strongSwan's charon (one per
namespace, configured as the Windows built-in client or as a server), xl2tpd
and pppd. Configurations follow docs/ipsec.md and docs/ipsec-nat.md, which record what
was verified to work in the test VM.
"""
import os
import shutil
import textwrap

from .netns import run, wait_for

CHARON = "/usr/lib/ipsec/charon"
# Debian's charon has no modp/ecp plugins: MODP groups come from gmp, ECP
# groups from openssl.
CHARON_PLUGINS = ("random nonce aes sha1 sha2 md5 hmac gmp openssl pem pkcs1 "
                  "pubkey x509 curve25519 kernel-netlink socket-default vici")

# What Windows 10/11 and Apple clients offer in IKEv1 main mode and quick
# mode (docs/interop.md); the server accepts this list.
IKE_PROPOSALS_SERVER = ("aes256-sha256-modp2048,aes256-sha1-modp2048,aes256-sha1-ecp384,"
                        "aes128-sha1-modp2048,aes128-sha1-ecp256,3des-sha1-modp2048,"
                        "aes256-sha1-modp1024,aes128-sha1-modp1024,3des-sha1-modp1024")
ESP_PROPOSALS_SERVER = "aes256-sha1,aes128-sha1,3des-sha1"
# What Windows 10 was seen selecting.
IKE_PROPOSAL_WINDOWS = "aes256-sha1-modp2048"
ESP_PROPOSAL_WINDOWS = "aes256-sha1"


def write(path, text):
    with open(path, "w") as f:
        f.write(textwrap.dedent(text).lstrip())
    return path


class Charon:
    """One charon in a namespace, with its own strongswan.conf, vici socket
    and a private /run (two charons side by side need it)."""

    def __init__(self, stack, ns, name, extra_plugins=(), plugin_conf=""):
        """plugin_conf: extra sections inside charon.plugins (e.g. our
        plugin's `l2tp { socket = ... }`)."""
        self.stack, self.ns, self.name = stack, ns, name
        self.dir = os.path.join(stack.workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        # Unix sockets cannot live on 9p (the VM's results share): /tmp.
        self.vici = os.path.join(stack.sockdir, name + ".vici")
        self.log = os.path.join(self.dir, "charon.log")
        self.conf = write(os.path.join(self.dir, "strongswan.conf"), """
            charon {
              load = %s
              install_routes = no
              retransmit_tries = 3
              filelog {
                main {
                  path = %s
                  default = 1
                  ike = 2
                  flush_line = yes
                  time_format = %%T
                }
              }
              plugins {
                vici {
                  socket = unix://%s
                }
                %s
              }
            }
            """ % (" ".join([CHARON_PLUGINS] + list(extra_plugins)), self.log, self.vici,
                   plugin_conf))
        self.proc = None

    def start(self):
        self.proc = self.stack.spawn(self.name, [CHARON], ns=self.ns,
                                     env={"STRONGSWAN_CONF": self.conf},
                                     wrap_private_run=True)
        wait_for("%s vici socket" % self.name, lambda: os.path.exists(self.vici), timeout=30)

    def swanctl(self, *args, check=True, timeout=None):
        return run(["swanctl"] + list(args) + ["--uri", "unix://" + self.vici],
                   check=check, ns=self.ns, timeout=timeout)

    def load(self, swanctl_conf_text):
        path = write(os.path.join(self.dir, "swanctl.conf"), swanctl_conf_text)
        self.swanctl("--load-all", "--noprompt", "--file", path)

    def initiate(self, child):
        return self.swanctl("--initiate", "--child", child, "--timeout", "60", timeout=90)

    def xfrm_states(self):
        """`ip xfrm state` of this namespace's kernel."""
        return run(["ip", "xfrm", "state"], ns=self.ns)


def install_our_charon_plugin(build_dir, name="l2tp"):
    """Copy our plugin where charon looks for plugins (a fixed path). Only
    inside the test VM, whose root is a throw-away overlay."""
    assert os.environ.get("IN_TEST_VM") == "1", "refusing to write /usr outside the test VM"
    src = os.path.join(build_dir, "plugins", name, "libstrongswan-%s.so" % name)
    if not os.path.exists(src):
        raise FileNotFoundError("%s not built (was the build configured with -Dplugin=enabled?)" % src)
    shutil.copy(src, "/usr/lib/ipsec/plugins/")


def server_swanctl_psk(local_addr, psk, marks=False, updown=None):
    """The server side: IKEv1 main mode, PSK, ESP transport mode for L2TP.
    marks: a mark per CHILD_SA (clients behind one NAT, docs/ipsec-nat.md),
    with updown the script that maps ESP packets to it."""
    child_extra = ""
    if marks:
        child_extra += "mark_in = %unique\n                mark_out = %unique\n"
    if updown:
        child_extra += "                updown = %s\n" % updown
    return """
        connections {
          l2tp-psk {
            version = 1
            local_addrs = %s
            proposals = %s
            local {
              auth = psk
            }
            remote {
              auth = psk
            }
            children {
              l2tp {
                mode = transport
                local_ts = dynamic[udp/1701]
                remote_ts = dynamic[udp]
                esp_proposals = %s
                %s
              }
            }
          }
        }
        secrets {
          ike-clients {
            secret = "%s"
          }
        }
        """ % (local_addr, IKE_PROPOSALS_SERVER, ESP_PROPOSALS_SERVER, child_extra, psk)


def client_swanctl_psk(server_addr, psk):
    """A client configured like the Windows built-in L2TP/IPsec client."""
    return """
        connections {
          vpn {
            version = 1
            remote_addrs = %s
            proposals = %s
            local {
              auth = psk
            }
            remote {
              auth = psk
            }
            children {
              l2tp {
                mode = transport
                local_ts = dynamic[udp/1701]
                remote_ts = dynamic[udp/1701]
                esp_proposals = %s
              }
            }
          }
        }
        secrets {
          ike-server {
            secret = "%s"
          }
        }
        """ % (server_addr, IKE_PROPOSAL_WINDOWS, ESP_PROPOSAL_WINDOWS, psk)


def pppd_lac_options(user, log, password=None, mtu=1400, peer_dns=True, maxfail=1):
    """pppd options of a Linux desktop's L2TP client made like Windows':
    MS-CHAPv2 only, no compression, takes the addresses the LNS gives and
    (peer_dns) asks for DNS. pppd 2.4.9 cannot ask for WINS (`usepeerwins`
    came in 2.5.0); test/tools/l2tp-client asks for both, as Windows does.
    Without a password pppd takes it from chap-secrets."""
    lines = ["user %s" % user]
    if password:
        lines.append("password %s" % password)
    lines += ["noauth", "refuse-pap", "refuse-chap", "refuse-mschap", "refuse-eap",
              "mtu %d" % mtu, "mru %d" % mtu, "noccp", "nodefaultroute"]
    if peer_dns:
        lines.append("usepeerdns")
    lines += ["ipcp-accept-local", "ipcp-accept-remote"]
    if maxfail is not None:
        lines.append("maxfail %d" % maxfail)
    lines += ["debug", "logfile %s" % log]
    return "\n".join(lines) + "\n"


def pppd_lns_options(log, dns="192.0.2.53", wins="192.0.2.54"):
    """pppd options of the reference LNS (xl2tpd + pppd, as the Windows
    server behaves): MS-CHAPv2 required, DNS and WINS handed out in IPCP,
    MTU/MRU 1400, no compression, LCP echo every 10 s."""
    return "\n".join([
        "require-mschap-v2", "refuse-pap", "refuse-chap", "refuse-mschap", "refuse-eap",
        "ms-dns %s" % dns, "ms-wins %s" % wins, "mtu 1400", "mru 1400", "noccp",
        "nodefaultroute", "lcp-echo-interval 10", "lcp-echo-failure 3", "name l2tp-lns",
        "debug", "logfile %s" % log]) + "\n"


def write_chap_secrets(entries):
    """pppd reads /etc/ppp/chap-secrets at a fixed path: only ever call this
    inside the test VM, whose root is a throw-away overlay."""
    assert os.environ.get("IN_TEST_VM") == "1", "refusing to write /etc outside the test VM"
    os.makedirs("/etc/ppp", exist_ok=True)
    with open("/etc/ppp/chap-secrets", "w") as f:
        for user, secret in entries:
            f.write('"%s" * "%s" *\n' % (user, secret))
    os.chmod("/etc/ppp/chap-secrets", 0o600)


class Xl2tpd:
    """xl2tpd as LNS or LAC, each with its own config, pid file and control
    FIFO; pppd options in files of the test's work dir."""

    def __init__(self, stack, ns, name):
        self.stack, self.ns, self.name = stack, ns, name
        self.dir = os.path.join(stack.workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "xl2tpd.conf")
        self.proc = None

    def configure_lns(self, listen, local_ip, range_, ppp_options):
        opts = write(os.path.join(self.dir, "options.ppp"), ppp_options)
        write(os.path.join(self.dir, "l2tp-secrets"), "")
        write(self.conf, """
            [global]
            listen-addr = %s
            port = 1701
            auth file = %s/l2tp-secrets

            [lns default]
            ip range = %s
            local ip = %s
            require authentication = yes
            refuse pap = yes
            name = l2tp-lns
            pppoptfile = %s
            length bit = yes
            """ % (listen, self.dir, range_, local_ip, opts))

    def configure_lac(self, listen, lns, ppp_options):
        opts = write(os.path.join(self.dir, "options.ppp"), ppp_options)
        write(os.path.join(self.dir, "l2tp-secrets"), "")
        write(self.conf, """
            [global]
            listen-addr = %s
            port = 1701
            auth file = %s/l2tp-secrets

            [lac server]
            lns = %s
            pppoptfile = %s
            length bit = yes
            autodial = yes
            redial = no
            """ % (listen, self.dir, lns, opts))

    def start(self):
        self.proc = self.stack.spawn(self.name, [
            "xl2tpd", "-D", "-c", self.conf, "-p", os.path.join(self.dir, "xl2tpd.pid"),
            "-C", os.path.join(self.stack.sockdir, self.name + ".control")], ns=self.ns)


def ppp_addresses(ns, ifname="ppp0"):
    """(local, peer) IPv4 of a ppp interface, or None while it has none."""
    out = run(["ip", "-4", "-o", "addr", "show", "dev", ifname], ns=ns, check=False)
    for line in out.split("\n"):
        f = line.split()
        if "inet" in f and "peer" in f:
            return f[f.index("inet") + 1], f[f.index("peer") + 1].split("/")[0]
    return None


class Pki:
    """A CA, a server certificate and client machine certificates made
    with strongSwan's `pki`, as docs/ipsec.md tells an administrator to.
    Files: DIR/ca.{key,crt}, DIR/server.{key,crt}, DIR/NAME.{key,crt}."""

    CA_DN = "C=CH, O=Example, CN=Example VPN CA"

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def _pki(self, args, out, stdin_from=None):
        # pki prints plugin load noise on stderr: only stdout is the file.
        cmd = "pki " + " ".join("'%s'" % a for a in args)
        if stdin_from:
            cmd = "pki --pub --in '%s' | %s" % (stdin_from, cmd)
        run(["sh", "-c", "%s > '%s'" % (cmd, out)])
        assert os.path.getsize(out) > 0, out

    def key(self, name):
        # RSA 2048 rather than the 3072 of docs/ipsec.md: generating primes
        # under qemu TCG is slow, and the size changes nothing tested here.
        self._pki(["--gen", "--type", "rsa", "--size", "2048", "--outform", "pem"],
                  self.path(name + ".key"))

    def make_ca(self):
        self.key("ca")
        self._pki(["--self", "--ca", "--lifetime", "3650", "--in", self.path("ca.key"),
                   "--dn", self.CA_DN, "--outform", "pem"], self.path("ca.crt"))

    def issue(self, name, dn, sans, flags):
        self.key(name)
        args = ["--issue", "--cacert", self.path("ca.crt"), "--cakey", self.path("ca.key"),
                "--dn", dn, "--outform", "pem"]
        for san in sans:
            args += ["--san", san]
        for flag in flags:
            args += ["--flag", flag]
        self._pki(args, self.path(name + ".crt"), stdin_from=self.path(name + ".key"))

    def client_dn(self, name):
        return "C=CH, O=Example, CN=%s" % name

    def install(self, swanctl_dir, cert_name, as_name):
        """The CA into x509ca/, NAME's certificate into x509/ and its key
        into private/ of a swanctl folder (as `swanctl --load-all` reads)."""
        for sub, src, dst in (("x509ca", "ca.crt", "ca.crt"),
                              ("x509", cert_name + ".crt", as_name + ".crt"),
                              ("private", cert_name + ".key", as_name + ".key")):
            os.makedirs(os.path.join(swanctl_dir, sub), exist_ok=True)
            shutil.copy(self.path(src), os.path.join(swanctl_dir, sub, dst))

    def install_server(self, swanctl_dir):
        self.install(swanctl_dir, "server", "server")


def make_pki(directory, server_name, server_addr, clients):
    """CA, server certificate (serverAuth and IKE-intermediate EKUs, the
    server's DNS name and address in subjectAltName: what Windows checks)
    and a clientAuth machine certificate per client name."""
    p = Pki(directory)
    p.make_ca()
    # An address as a SAN of type dNSName, not iPAddress: Windows clients
    # dialling an address want that (strongSwan's "Windows Certificate
    # Requirements"; error 13801 otherwise).
    p.issue("server", "C=CH, O=Example, CN=%s" % server_name,
            [server_name, "dns:" + server_addr], ["serverAuth", "ikeIntermediate"])
    for name in clients:
        p.issue(name, p.client_dn(name), [name], ["clientAuth"])
    return p


def client_swanctl_cert(server_addr, server_id, cert="client.crt"):
    """The Windows built-in client with a machine certificate: IKEv1 main
    mode, RSA signatures, its certificate's subject DN as its identity; it
    checks that the server's certificate names what it dialled."""
    return """
        connections {
          vpn {
            version = 1
            remote_addrs = %s
            proposals = %s
            local {
              auth = pubkey
              certs = %s
            }
            remote {
              auth = pubkey
              id = %s
            }
            children {
              l2tp {
                mode = transport
                local_ts = dynamic[udp/1701]
                remote_ts = dynamic[udp/1701]
                esp_proposals = %s
              }
            }
          }
        }
        """ % (server_addr, IKE_PROPOSAL_WINDOWS, cert, server_id, ESP_PROPOSAL_WINDOWS)


def client_swanctl_many(server_addr, psk, local_addrs, proposal="aes128-sha1-modp1024"):
    """One charon as many Windows clients: connection vpnN (child l2tpN)
    from the N-th local address. MODP1024 (what
    Android and older Windows use) because MODP2048 under qemu TCG costs
    seconds per DH; the ECP groups Windows 10 prefers need charon's openssl
    plugin (Debian's libstrongswan-standard-plugins), not installed here."""
    conns = []
    for i, addr in enumerate(local_addrs, 1):
        conns.append("""
          vpn%d {
            version = 1
            local_addrs = %s
            remote_addrs = %s
            proposals = %s
            local {
              auth = psk
            }
            remote {
              auth = psk
            }
            children {
              l2tp%d {
                mode = transport
                local_ts = dynamic[udp/1701]
                remote_ts = dynamic[udp/1701]
                esp_proposals = %s
              }
            }
          }""" % (i, addr, server_addr, proposal, i, ESP_PROPOSAL_WINDOWS))
    return """
        connections {%s
        }
        secrets {
          ike-server {
            secret = "%s"
          }
        }
        """ % ("".join(conns), psk)
