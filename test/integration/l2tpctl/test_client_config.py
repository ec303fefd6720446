# SPDX-License-Identifier: GPL-2.0-or-later
"""l2tpctl client-config: each client's profile checked against what the
client documents or loads (docs/clients.md).

- windows: every parameter of the printed command is one of
  Add-VpnConnection's documented parameters, with a documented value;
- apple: a valid property list with the keys Apple's VPN, Root and PKCS #12
  payload references name, the certificate payloads carrying the files' bytes;
- networkmanager: the keyfile loads with `nmcli --offline` (Debian's
  network-manager with network-manager-l2tp);
- refusals name what is missing.
"""
import os
import plistlib
import re
import shutil
import subprocess
import uuid

import pytest

from lib.l2tpd import build_dir

pytestmark = pytest.mark.host

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SHIPPED = os.path.join(TOP, "docs", "examples", "ipsec", "swanctl.conf")
PSK = "CHANGE-ME-long-random-pre-shared-key"

# Add-VpnConnection's parameters (VpnClient module, Microsoft's reference),
# and the documented values of those that take one from a set.
ADD_VPN_PARAMETERS = {
    "Name", "ServerAddress", "TunnelType", "EncryptionLevel", "AuthenticationMethod",
    "SplitTunneling", "AllUserConnection", "L2tpPsk", "RememberCredential",
    "UseWinlogonCredential", "EapConfigXmlStream", "Force", "PassThru", "DnsSuffix",
    "IdleDisconnectSeconds", "ServerList", "PlugInApplicationID", "CustomConfiguration",
    "MachineCertificateEKUFilter", "MachineCertificateIssuerFilter", "AsJob", "CimSession",
    "ThrottleLimit", "WhatIf", "Confirm",
}
SWITCHES = {"SplitTunneling", "AllUserConnection", "RememberCredential",
            "UseWinlogonCredential", "Force", "PassThru", "AsJob", "WhatIf", "Confirm"}
ENUMS = {
    "TunnelType": {"Pptp", "L2tp", "Sstp", "Ikev2", "Automatic"},
    "EncryptionLevel": {"NoEncryption", "Optional", "Required", "Maximum", "Custom"},
    "AuthenticationMethod": {"Pap", "Chap", "MSChapv2", "Eap", "MachineCertificate"},
}


def l2tpctl(*args):
    exe = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
    return subprocess.run([exe, "client-config", *args], capture_output=True, text=True)


def ok(*args):
    r = l2tpctl(*args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def ps_tokens(line):
    """Split a PowerShell command line: bare words and '...' strings ('' is a quote)."""
    tokens, i = [], 0
    while i < len(line):
        if line[i] == " ":
            i += 1
        elif line[i] == "'":
            j, s = i + 1, ""
            while True:
                if line[j] == "'" and j + 1 < len(line) and line[j + 1] == "'":
                    s, j = s + "'", j + 2
                elif line[j] == "'":
                    break
                else:
                    s, j = s + line[j], j + 1
            tokens.append(("str", s))
            i = j + 1
        else:
            j = line.find(" ", i)
            j = len(line) if j < 0 else j
            tokens.append(("word", line[i:j]))
            i = j
    return tokens


def add_vpn_parameters(out):
    """{parameter: value or True} of the Add-VpnConnection line, checked."""
    lines = [l for l in out.splitlines() if l.startswith("Add-VpnConnection ")]
    assert len(lines) == 1, out
    toks = ps_tokens(lines[0])[1:]
    params, i = {}, 0
    while i < len(toks):
        kind, word = toks[i]
        assert kind == "word" and word.startswith("-"), toks[i]
        name = word[1:]
        assert name in ADD_VPN_PARAMETERS, "not a parameter of Add-VpnConnection: " + name
        if name in SWITCHES:
            params[name] = True
            i += 1
            continue
        params[name] = toks[i + 1][1]
        if name in ENUMS:
            assert params[name] in ENUMS[name], (name, params[name])
        i += 2
    return params


@pytest.fixture
def certs(tmp_path):
    """A swanctl folder with the shipped swanctl.conf, a CA in x509ca/ and a
    client identity as PKCS#12."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed (./run setup installs it)")
    d = tmp_path / "swanctl"
    (d / "x509ca").mkdir(parents=True)
    shutil.copy(SHIPPED, d / "swanctl.conf")
    def run(*a):
        subprocess.run(["openssl", *a], check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "ca.key"),
        "-out", str(d / "x509ca" / "ca.crt"), "-subj", "/CN=Example CA", "-days", "30")
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "c.key"),
        "-out", str(tmp_path / "c.crt"), "-subj", "/CN=laptop-7", "-days", "30")
    run("pkcs12", "-export", "-in", str(tmp_path / "c.crt"), "-inkey", str(tmp_path / "c.key"),
        "-out", str(tmp_path / "c.p12"), "-passout", "pass:secret")
    run("x509", "-in", str(d / "x509ca" / "ca.crt"), "-outform", "der",
        "-out", str(tmp_path / "ca.der"))
    return tmp_path


def swanctl_with_secret(tmp_path, secret_line):
    text = open(SHIPPED).read()
    text = re.sub(r'secret = ".*"', secret_line, text)
    p = tmp_path / "swanctl.conf"
    p.write_text(text)
    return str(p)


def test_windows_psk_command_uses_only_documented_parameters():
    out = ok("windows", "--server", "vpn.example.com", "--swanctl", SHIPPED, "--ipsec", "psk",
             "--name", "Office VPN", "--split-tunnel")
    p = add_vpn_parameters(out)
    assert p["Name"] == "Office VPN"
    assert p["ServerAddress"] == "vpn.example.com"
    assert p["TunnelType"] == "L2tp"
    assert p["EncryptionLevel"] == "Required"
    assert p["AuthenticationMethod"] == "MSChapv2"
    assert p["L2tpPsk"] == PSK
    assert p["SplitTunneling"] is True
    assert "AssumeUDPEncapsulationContextOnSendRule" not in out


def test_windows_quotes_a_key_with_a_quote(tmp_path):
    sw = swanctl_with_secret(tmp_path, "secret = \"it's a key; $(calc)\"")
    p = add_vpn_parameters(ok("windows", "--server", "203.0.113.1", "--swanctl", sw,
                              "--ipsec", "psk"))
    assert p["L2tpPsk"] == "it's a key; $(calc)"


def test_windows_certificates_have_no_psk_and_nat_sets_the_registry(certs):
    out = ok("windows", "--server", "vpn.example.com", "--ipsec", "cert", "--server-behind-nat",
             "--swanctl", str(certs / "swanctl" / "swanctl.conf"))
    p = add_vpn_parameters(out)
    assert "L2tpPsk" not in p
    reg = [l for l in out.splitlines() if l.startswith("New-ItemProperty ")]
    assert len(reg) == 1
    assert r"'HKLM:\SYSTEM\CurrentControlSet\Services\PolicyAgent'" in reg[0]
    assert "-Name 'AssumeUDPEncapsulationContextOnSendRule' -PropertyType DWord -Value 2" in reg[0]


def check_payload(p):
    for key in ("PayloadType", "PayloadVersion", "PayloadIdentifier", "PayloadUUID",
                "PayloadDisplayName"):
        assert key in p, key
    uuid.UUID(p["PayloadUUID"])


def test_apple_psk_profile_is_a_plist_with_apples_vpn_keys():
    out = ok("apple", "--server", "203.0.113.1", "--swanctl", SHIPPED, "--ipsec", "psk",
             "--user", "alice <&>")
    top = plistlib.loads(out.encode())
    assert top["PayloadType"] == "Configuration"
    check_payload(top)
    [vpn] = top["PayloadContent"]
    check_payload(vpn)
    assert vpn["PayloadType"] == "com.apple.vpn.managed"
    assert vpn["VPNType"] == "L2TP"
    assert vpn["PPP"] == {"CommRemoteAddress": "203.0.113.1", "AuthName": "alice <&>"}
    assert vpn["IPSec"] == {"AuthenticationMethod": "SharedSecret",
                            "LocalIdentifierType": "KeyID", "SharedSecret": PSK.encode()}
    assert vpn["IPv4"] == {"OverridePrimary": 1}
    # the same profile twice has the same UUIDs: installing it again replaces it
    again = plistlib.loads(ok("apple", "--server", "203.0.113.1", "--swanctl", SHIPPED,
                              "--ipsec", "psk", "--user", "alice <&>").encode())
    assert again["PayloadUUID"] == top["PayloadUUID"]
    assert top["PayloadUUID"] != vpn["PayloadUUID"]


def test_apple_certificate_profile_carries_the_ca_and_the_identity(certs):
    out = ok("apple", "--server", "vpn.example.com", "--ipsec", "cert",
             "--swanctl", str(certs / "swanctl" / "swanctl.conf"),
             "--identity", str(certs / "c.p12"))
    top = plistlib.loads(out.encode())
    by_type = {p["PayloadType"]: p for p in top["PayloadContent"]}
    assert set(by_type) == {"com.apple.security.root", "com.apple.security.pkcs12",
                            "com.apple.vpn.managed"}
    for p in by_type.values():
        check_payload(p)
    assert by_type["com.apple.security.root"]["PayloadContent"] == \
        (certs / "ca.der").read_bytes()
    assert by_type["com.apple.security.pkcs12"]["PayloadContent"] == \
        (certs / "c.p12").read_bytes()
    vpn = by_type["com.apple.vpn.managed"]
    assert vpn["IPSec"]["AuthenticationMethod"] == "Certificate"
    assert vpn["IPSec"]["PayloadCertificateUUID"] == \
        by_type["com.apple.security.pkcs12"]["PayloadUUID"]


def nmcli_loads(keyfile):
    if not shutil.which("nmcli"):
        pytest.skip("nmcli is not installed (./run setup installs network-manager)")
    r = subprocess.run(["nmcli", "--offline", "connection", "modify", "connection.autoconnect",
                        "no"], input=keyfile, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_networkmanager_psk_keyfile_loads_with_nmcli():
    out = ok("networkmanager", "--server", "203.0.113.1", "--swanctl", SHIPPED,
             "--ipsec", "psk", "--user", "alice", "--name", " Office VPN")
    loaded = nmcli_loads(out)
    assert "service-type=org.freedesktop.NetworkManager.l2tp" in loaded
    assert "gateway=203.0.113.1" in loaded
    assert "machine-auth-type=psk" in loaded
    assert "[vpn-secrets]\nipsec-psk=" + PSK in loaded
    assert "id=\\sOffice VPN" in loaded   # a leading space survives


def test_networkmanager_certificate_keyfile_loads_with_nmcli(certs):
    sw = str(certs / "swanctl" / "swanctl.conf")
    r = l2tpctl("networkmanager", "--server", "vpn.example.com", "--ipsec", "cert",
                "--swanctl", sw)
    assert r.returncode == 1 and "--client-cert" in r.stderr
    out = ok("networkmanager", "--server", "vpn.example.com", "--ipsec", "cert",
             "--swanctl", sw, "--client-ca", "/etc/vpn/ca.crt",
             "--client-cert", "/etc/vpn/laptop.crt", "--client-key", "/etc/vpn/laptop.key")
    loaded = nmcli_loads(out)
    assert "machine-auth-type=tls" in loaded
    assert "machine-cert=/etc/vpn/laptop.crt" in loaded
    assert "ipsec-remote-id=vpn.example.com" in loaded
    assert "ipsec-psk" not in loaded


def test_android_steps_name_the_type_and_the_key():
    out = ok("android", "--server", "203.0.113.1", "--swanctl", SHIPPED, "--ipsec", "psk")
    assert "Type:                   L2TP/IPSec PSK" in out
    assert "IPSec pre-shared key:   " + PSK in out


def test_several_connections_must_be_chosen():
    r = l2tpctl("windows", "--server", "203.0.113.1", "--swanctl", SHIPPED)
    assert r.returncode == 1
    assert "several L2TP/IPsec connections (l2tp-psk, l2tp-cert)" in r.stderr
    assert "CHANGE-ME" not in r.stdout
    r = l2tpctl("windows", "--server", "203.0.113.1", "--swanctl", SHIPPED,
                "--connection", "l2tp-psk")
    assert r.returncode == 0


def test_refusals_name_what_is_missing(tmp_path, certs):
    r = l2tpctl("windows", "--swanctl", SHIPPED)
    assert r.returncode == 2 and "--server ADDRESS is required" in r.stderr
    r = l2tpctl("blackberry", "--server", "x")
    assert r.returncode == 2 and "unknown client 'blackberry'" in r.stderr
    r = l2tpctl("apple", "--server", "vpn.example.com", "--ipsec", "cert",
                "--swanctl", str(certs / "swanctl" / "swanctl.conf"))
    assert r.returncode == 1 and "--identity FILE.p12" in r.stderr
    r = l2tpctl("windows", "--server", "x", "--swanctl", str(tmp_path / "missing.conf"))
    assert r.returncode == 1 and "missing.conf" in r.stderr


def test_encoded_secrets_are_decoded_and_binary_ones_refused(tmp_path):
    sw = swanctl_with_secret(tmp_path, "secret = 0sc2VjcmV0LWtleQ==")
    p = add_vpn_parameters(ok("windows", "--server", "x", "--swanctl", sw, "--ipsec", "psk"))
    assert p["L2tpPsk"] == "secret-key"
    sw = swanctl_with_secret(tmp_path, "secret = 0x736563726574")
    p = add_vpn_parameters(ok("windows", "--server", "x", "--swanctl", sw, "--ipsec", "psk"))
    assert p["L2tpPsk"] == "secret"
    sw = swanctl_with_secret(tmp_path, "secret = 0x00ff10")
    r = l2tpctl("windows", "--server", "x", "--swanctl", sw, "--ipsec", "psk")
    assert r.returncode == 1 and "not printable text" in r.stderr
