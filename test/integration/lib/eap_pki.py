# SPDX-License-Identifier: GPL-2.0-or-later
"""Certificates for EAP-TLS tests, made with openssl in a folder of the
test (never /etc): a CA, the RADIUS server's certificate (serverAuth) and
client certificates (clientAuth) whose CN is the EAP identity, as
FreeRADIUS's check_cert_cn wants it (lib/freeradius.py). Files:
DIR/ca.{pem,key}, DIR/server.{pem,key}, DIR/NAME.{pem,key}."""
import os
import subprocess

SERVER_CN = "radius.example"


def _run(args, cwd):
    subprocess.run(["openssl"] + args, cwd=cwd, check=True, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)


class EapPki:
    def __init__(self, directory, ca_cn="Example EAP CA"):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        # RSA 2048: quick enough under qemu TCG, and what pppd 2.4.9 and
        # FreeRADIUS 3.2 both take without settings
        _run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
              "-out", "ca.pem", "-days", "3650", "-subj", "/O=Example/CN=%s" % ca_cn,
              "-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign,cRLSign"], directory)
        self.issue("server", SERVER_CN, "serverAuth")

    def path(self, name):
        return os.path.join(self.dir, name)

    def issue(self, name, cn, usage="clientAuth"):
        ext = self.path(name + ".ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,"
                    "keyEncipherment\nextendedKeyUsage=%s\n" % usage)
        _run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
              name + ".csr", "-subj", "/O=Example/CN=%s" % cn], self.dir)
        _run(["x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
              "-CAcreateserial", "-out", name + ".pem", "-days", "365", "-extfile", ext],
             self.dir)
        os.chmod(self.path(name + ".key"), 0o600)
        return self.path(name + ".pem"), self.path(name + ".key")
