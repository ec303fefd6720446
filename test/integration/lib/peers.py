"""Real, unmodified peers for integration tests: strongSwan's charon (one per
namespace, configured as the Windows built-in client or as a server), xl2tpd
and pppd. Configurations follow ../shared/design.md, which records what was
verified to work in the test VM.
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
# mode (../shared/interop.md); the server accepts this list.
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


def server_swanctl_psk(local_addr, psk):
    """The server side: IKEv1 main mode, PSK, ESP transport mode for L2TP."""
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
              }
            }
          }
        }
        secrets {
          ike-clients {
            secret = "%s"
          }
        }
        """ % (local_addr, IKE_PROPOSALS_SERVER, ESP_PROPOSALS_SERVER, psk)


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
