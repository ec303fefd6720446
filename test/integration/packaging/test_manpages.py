# SPDX-License-Identifier: GPL-2.0-or-later
"""The man pages (man/) never drift from the code: every key the config
parser and the policy parser accept has an entry, and no entry names a key
they refuse; every l2tpctl command and l2tpd option is described; the pages
render without a warning; both programs print meson's project version."""
import json
import os
import re
import shutil
import subprocess

import pytest

from lib.l2tpd import TOP, build_dir

MAN = os.path.join(TOP, "man")
PAGES = ["l2tpd.8", "l2tpctl.8", "l2tpd.conf.5", "l2tpd-policy.5"]


def unroff(text):
    return text.replace("\\-", "-").replace("\\(dq", '"').replace("\\~", " ")


def sections(page):
    """{section title: [first line of each .TP entry]}, roff removed."""
    out, title, lines = {}, None, unroff(open(os.path.join(MAN, page)).read()).splitlines()
    for i, line in enumerate(lines):
        if line.startswith((".SH ", ".SS ")):
            title = line[4:].strip().strip('"')
            out.setdefault(title, [])
        elif line == ".TP" and i + 1 < len(lines) and title is not None:
            out[title].append(lines[i + 1])
    return out


def entry_words(line):
    """The names an entry line describes: `.B key`, `.BR a " { }, " b`,
    `.BI "disconnect user " NAME`, `\\fBpolicy hash\\fR [...]`."""
    line = re.sub(r"\\f[BIRP]", "", line)
    line = re.sub(r"^\.[BIR]{1,2} ", "", line)
    return re.findall(r"[A-Za-z_][A-Za-z0-9_-]*", line)


def program(*parts):
    return os.path.join(build_dir(), *parts)


# ---- l2tpd.conf(5) against l2tpd/daemon/config.c -------------------------

def config_keys_from_source():
    """(section or None, key) for every key config.c accepts."""
    src = open(os.path.join(TOP, "l2tpd", "daemon", "config.c")).read()
    keys = {(s if s != "NULL" else None, k.strip('"'))
            for s, k in re.findall(r'\bNUM\((NULL|"[a-z_]+"),\s*"([a-z_]+)"', src)}
    keys = {(s.strip('"') if s else None, k) for s, k in keys}
    own = {"load_userspace": "userspace", "load_internet_filter": "internet_filter",
           "load_metrics": "metrics", "load_auth": "auth",
           "load_radius": "radius", "load_radius_server": "radius",
           "load_radius_tls_key": "radius"}   # sections read by a function of their own
    sections = set(re.findall(
        r'strcmp\(n->name, "(limits|timers|ppp|userspace|internet_filter|metrics|auth|radius)"\)',
        src))
    assert sections == {"limits", "timers", "ppp", "userspace", "internet_filter",
                        "metrics", "auth", "radius"}, sections
    # Where each `strcmp(n->name, "key")` sits decides its section.
    for fn, body in re.findall(r"\nstatic int (\w+)\([^)]*\)\n\{(.*?)\n\}", src, re.S):
        for k in re.findall(r'strcmp\(n->name, "([a-z_]+)"\)', body):
            if k in sections:
                continue
            if fn in own:
                keys.add((own[fn], k))
            elif fn == "load_subsection":
                sec = re.search(r'strcmp\(sec->name, "([a-z]+)"\) && !strcmp\(n->name, "%s"\)' % k,
                                body)
                assert sec, "cannot tell the section of %r in config.c" % k
                keys.add((sec.group(1), k))
            elif fn == "load_top":
                keys.add((None, k))
    return keys


def config_keys_from_man():
    keys = set()
    for title, entries in sections("l2tpd.conf.5").items():
        m = re.match(r"KEYS IN (\w+) \{ \}", title)
        if not m:
            continue
        sec = None if m.group(1) == "l2tpd" else m.group(1)
        for e in entries:
            keys.add((sec, entry_words(e)[0]))
    return keys


@pytest.mark.host
def test_l2tpd_conf_5_has_every_key_config_c_accepts_and_no_other():
    src, man = config_keys_from_source(), config_keys_from_man()
    assert len(src) >= 25, sorted(src, key=str)
    assert src - man == set(), "keys missing in man/l2tpd.conf.5"
    assert man - src == set(), "keys in man/l2tpd.conf.5 that config.c refuses"


@pytest.mark.host
def test_operations_md_table_has_every_config_key():
    text = open(os.path.join(TOP, "docs", "operations.md")).read()
    table = " ".join(re.findall(r"^\| (`[^|]+)\|", text, re.M))
    for sec, key in config_keys_from_source():
        name = "%s.%s" % (sec, key) if sec else key
        # `limits.new_tunnel_rate`, `new_tunnel_burst`: one row, one prefix
        assert "`%s`" % name in table or (sec and "`%s`" % key in table), name


@pytest.mark.host
def test_every_key_of_l2tpd_conf_5_is_accepted_by_l2tpd(tmp_path):
    """The other direction, through the program: a file with only that key
    gets no 'unknown' error (a bad value is fine here)."""
    exe = program("l2tpd", "daemon", "l2tpd")
    policy = tmp_path / "policy.conf"
    policy.write_text("")
    for sec, key in sorted(config_keys_from_man(), key=str):
        body = "%s = 1" % key if not sec else "%s {\n%s = 1\n}" % (sec, key)
        conf = tmp_path / "l2tpd.conf"
        conf.write_text("l2tpd {\n%s\n}\n" % body)
        res = subprocess.run([exe, "--check", "--config", str(conf), "--policy", str(policy)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=30)
        assert "unknown" not in res.stdout, (sec, key, res.stdout)
    conf.write_text("l2tpd {\nno_such_key = 1\n}\n")
    res = subprocess.run([exe, "--check", "--config", str(conf), "--policy", str(policy)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    assert "unknown setting 'no_such_key'" in res.stdout, res.stdout


# ---- l2tpd-policy(5) against policy/build.c ------------------------------

def policy_keys_from_source():
    src = open(os.path.join(TOP, "policy", "build.c")).read()
    keys = set()
    for body in re.findall(r"static const char \*const \w+\[\] = \{(.*?)NULL \};", src, re.S):
        for k in re.findall(r'"([^"]+)"', body):
            if k != "*{":
                keys.add(k.rstrip("{"))
    top = set(re.findall(r'conf_find\(root, "([a-z_]+)"\)', src))
    assert top >= {"server", "users", "groups", "pools", "policies"}, top
    return keys, top


@pytest.mark.host
def test_l2tpd_policy_5_has_every_key_build_c_accepts_and_no_other():
    keys, top = policy_keys_from_source()
    assert len(keys) >= 40, sorted(keys)
    secs = sections("l2tpd-policy.5")
    # Top-level sections are section titles: .SH "users { NAME { } }"
    described = {m.group(1) for m in (re.match(r"(\w+) \{", t) for t in secs) if m}
    for entries in secs.values():
        for e in entries:
            words = entry_words(e)
            if e.startswith(".BR filter_in"):
                described.update(w for w in words if w.startswith("filter_"))
            elif words and words[0] != "RULE":
                described.add(words[0])
    assert keys - described == set(), "keys missing in man/l2tpd-policy.5"
    assert described - keys == set(), "keys in man/l2tpd-policy.5 that build.c refuses"
    assert top <= described, top - described


# ---- l2tpctl(8) and l2tpd(8) against the programs -------------------------

def help_commands():
    out = subprocess.run([program("l2tpd", "l2tpctl", "l2tpctl"), "help"], stdout=subprocess.PIPE,
                         text=True, check=True, timeout=30).stdout
    return re.findall(r"^  ([a-z][a-z-]*)\s", out, re.M)


def policy_subcommands():
    res = subprocess.run([program("l2tpd", "l2tpctl", "l2tpctl"), "policy"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    return re.findall(r"^  l2tpctl policy ([a-z]+)", res.stdout, re.M)


@pytest.mark.host
def test_l2tpctl_8_describes_every_command_of_l2tpctl_help():
    cmds, subs = help_commands(), policy_subcommands()
    assert {"status", "sessions", "policy"} <= set(cmds), cmds
    assert {"check", "test", "hash"} <= set(subs), subs
    entries = [entry_words(e) for e in sections("l2tpctl.8")["COMMANDS"]]
    described = {w[0] for w in entries}
    assert set(cmds) == described, (cmds, described)
    described_policy = {w[1] for w in entries if w[0] == "policy"}
    assert set(subs) == described_policy, (subs, described_policy)


@pytest.mark.host
def test_l2tpd_8_describes_every_option_of_l2tpd_help():
    out = subprocess.run([program("l2tpd", "daemon", "l2tpd"), "--help"], stdout=subprocess.PIPE,
                         text=True, check=True, timeout=30).stdout
    opts = set(re.findall(r"^  (--[a-z]+)", out, re.M))
    assert {"--config", "--policy", "--check", "--version"} <= opts, out
    described = {"--" + entry_words(e)[0] for e in sections("l2tpd.8")["OPTIONS"]}
    assert opts <= described, (opts, described)
    src = open(os.path.join(TOP, "l2tpd", "daemon", "main.c")).read()
    longopts = set(re.findall(r'\{ "([a-z]+)", (?:no|required)_argument', src))
    assert {"--" + o for o in longopts} == described, (longopts, described)


@pytest.mark.host
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_warnings(page):
    if not shutil.which("man"):
        pytest.skip("man is not installed (package man-db)")
    env = dict(os.environ, MANROFFSEQ="", MANWIDTH="80", LC_ALL="C.UTF-8")
    res = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z",
                          os.path.join(MAN, page)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    assert res.returncode == 0 and res.stderr == "", res.stderr
    assert len(res.stdout) > 1000


# ---- --version -------------------------------------------------------------

def project_version():
    res = subprocess.run(["meson", "introspect", "--projectinfo", build_dir()],
                         stdout=subprocess.PIPE, text=True, timeout=60)
    if res.returncode == 0:
        return json.loads(res.stdout)["version"]
    m = re.search(r"^\s*version:\s*'([^']+)'", open(os.path.join(TOP, "meson.build")).read(), re.M)
    return m.group(1)


@pytest.mark.host
def test_both_programs_print_the_project_version():
    version = project_version()
    assert re.match(r"^\d+\.\d+", version), version
    for prog, path in (("l2tpd", ("l2tpd", "daemon", "l2tpd")),
                       ("l2tpctl", ("l2tpd", "l2tpctl", "l2tpctl"))):
        res = subprocess.run([program(*path), "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=30)
        assert res.returncode == 0 and res.stdout == "%s %s\n" % (prog, version), res
    # The built pages carry it too (man/meson.build fills @VERSION@).
    built = os.path.join(build_dir(), "man", "l2tpd.8")
    assert '"l2tpd %s"' % version in open(built).read()
