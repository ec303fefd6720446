# SPDX-License-Identifier: GPL-2.0-or-later
"""Each PPP authentication method end to end against l2tpd (docs/auth.md):
PAP, CHAP-MD5 and MS-CHAPv2 from our own client (test/tools/l2tp-client,
ppp-core in the client role; pppd needs kernel PPP, which this host lacks),
on the userspace data plane. The `local` provider hands out the user's
stored secret, ppp-core verifies it, the post-auth policy decides.

Per method: the right password brings the session up with that method; a
wrong one is refused with 691 (unknown users too: same answer); a right
password of a user without dial-in permission is refused by the policy
with 649, after the password was checked. MS-CHAPv2 carries the code to
the client (E=); PAP and CHAP-MD5 Failures have no code field, so the
daemon's log line says which one it was."""
import hashlib
import re

import pytest

from lib.l2tpd import L2tpd, PASSWORDS
from lib.client import run_client, by_event

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"

CLARA = "Clara-Secret-6"
KIRA = "Kira-Secret-7"
KIRA_SALT = bytes(range(16))


def policy_text():
    dk = hashlib.pbkdf2_hmac("sha256", KIRA.encode(), KIRA_SALT, 1000).hex()
    return """\
server {
    auth_methods = mschapv2, chap, pap
    default_dial_in = deny
    cleartext_passwords = yes
}
pools {
    clients { ipv4 = 198.51.100.10-198.51.100.250 }
}
users {
    alice {                 # NT hash: MS-CHAPv2 and PAP
        nt_hash = 9796a0639fdf788beb0e767b1f6f226a
        dial_in = policy
    }
    clara {                 # cleartext: all three methods
        password = "%s"
        dial_in = policy
    }
    kira {                  # PBKDF2: PAP only
        password_hash = pbkdf2-sha256$1000$%s$%s
        dial_in = policy
    }
    bob {                   # right password, no dial-in: 649
        nt_hash = eb302372ac4ecc593ba32559cc09ce1b
        password = "%s"
        dial_in = deny
    }
}
policies {
    everyone {
        conditions { tunnel_type = l2tp }
        permission = grant
        profile {
            auth = mschapv2, chap, pap
            pool = clients
        }
    }
}
""" % (CLARA, KIRA_SALT.hex(), dk, PASSWORDS["bob"])


METHODS = [("pap", "PAP"), ("chap", "CHAP-MD5"), ("mschapv2", "MS-CHAPv2")]


@pytest.fixture
def lns(stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace", policy_text=policy_text())
    d.start()
    return d, cli


def login(cli, user, password, auth):
    return run_client(cli, SERVER, user, password, "--auth", auth)


def assert_up(recs, out, name):
    up = by_event(recs, "up")
    assert len(up) == 1, out
    assert up[0]["auth"] == name and up[0]["auth_result"] == "ok", up[0]
    assert up[0]["addr"].startswith("198.51.100."), up[0]


def assert_refused(d, recs, out, user, name, code):
    failed = by_event(recs, "failed")
    assert len(failed) == 1, out
    assert failed[0]["auth"] == name and failed[0]["auth_result"] == "fail", failed[0]
    if name == "MS-CHAPv2":
        assert failed[0]["auth_code"] == code, failed[0]
    assert re.search(r"user '%s' .*E=%d" % (user, code), d.log()), d.log()


@pytest.mark.netns
@pytest.mark.parametrize("auth,name", METHODS)
def test_right_password_brings_the_session_up(stack, lns, auth, name):
    d, cli = lns
    rc, recs, out = login(cli, "clara", CLARA, auth)
    assert rc == 0, out
    assert_up(recs, out, name)
    assert re.search(r"user 'clara' authenticated with %s" % re.escape(name), d.log()), d.log()


@pytest.mark.netns
@pytest.mark.parametrize("auth,name", METHODS)
def test_wrong_password_is_refused_with_691(stack, lns, auth, name):
    d, cli = lns
    rc, recs, out = login(cli, "clara", CLARA + "x", auth)
    assert rc == 1, out
    assert_refused(d, recs, out, "clara", name, 691)
    assert "user 'clara' from 192.0.2.2" in d.log() and "refused: wrong password (%s, E=691)" \
        % name in d.log(), d.log()


@pytest.mark.netns
@pytest.mark.parametrize("auth,name", METHODS)
def test_unknown_user_is_refused_with_691(stack, lns, auth, name):
    d, cli = lns
    rc, recs, out = login(cli, "mallory", "Whatever-1", auth)
    assert rc == 1, out
    assert_refused(d, recs, out, "mallory", name, 691)
    assert "refused: no such user (%s, E=691)" % name in d.log(), d.log()


@pytest.mark.netns
@pytest.mark.parametrize("auth,name", METHODS)
def test_right_password_without_dial_in_is_refused_by_policy_with_649(stack, lns, auth, name):
    d, cli = lns
    rc, recs, out = login(cli, "bob", PASSWORDS["bob"], auth)
    assert rc == 1, out
    assert_refused(d, recs, out, "bob", name, 649)
    # the password was right: the policy refused, not the credentials
    assert "refused: wrong password" not in d.log(), d.log()


@pytest.mark.netns
@pytest.mark.parametrize("user,password,auth,name,ok", [
    ("alice", PASSWORDS["alice"], "pap", "PAP", True),          # PAP against an NT hash
    ("alice", PASSWORDS["alice"] + "x", "pap", "PAP", False),
    ("kira", KIRA, "pap", "PAP", True),                          # PAP against PBKDF2
    ("kira", KIRA[:-1], "pap", "PAP", False),
    ("alice", PASSWORDS["alice"], "mschapv2", "MS-CHAPv2", True),
    ("alice", PASSWORDS["alice"], "chap", "CHAP-MD5", False),    # no cleartext to hash
    ("kira", KIRA, "mschapv2", "MS-CHAPv2", False),              # PBKDF2 answers PAP only
])
def test_each_stored_form_answers_the_methods_it_can(stack, lns, user, password, auth, name, ok):
    d, cli = lns
    rc, recs, out = login(cli, user, password, auth)
    if ok:
        assert rc == 0, out
        assert_up(recs, out, name)
    else:
        assert rc == 1, out
        assert_refused(d, recs, out, user, name, 691)
