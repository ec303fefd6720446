#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The arrows allowed between the modules (docs/architecture.md): a source
file of one module may include the headers of the modules its row names,
and no others. A header is known by the folder it lives in; an include
that names a header of a module not in the row fails the check, with the
file and line. A header private to its module (PRIVATE below) may not be
included by any other module, even one the row allows: it is reached
through the module's interface. Usage: check_layers.py SOURCE_ROOT
[--fixture] (a fixture tree may leave modules out; the source tree may
not)."""
import os
import re
import sys

# module: (folder, the modules it may include from)
MODULES = {
    "lib": ("lib", set()),
    "ppp-core": ("ppp-core", set()),                 # builds standalone
    "proto": ("l2tpd/proto", {"lib"}),
    "dhcp": ("dhcp", {"lib"}),
    "radius": ("radius", {"lib"}),
    "policy": ("policy", {"lib", "ppp-core"}),       # stored secrets in ppp-core's form
    "dataplane": ("l2tpd/dataplane", {"lib", "proto"}),
    "daemon": ("l2tpd/daemon", {"lib", "ppp-core", "proto", "dataplane", "policy", "dhcp",
                                "radius"}),
    # l2tpctl reads l2tpd.conf with the daemon's own parser (config.h)
    "l2tpctl": ("l2tpd/l2tpctl", {"lib", "ppp-core", "policy", "daemon"}),
    "plugin": ("plugins", {"lib"}),
}
# Headers private to their module (paths below the module's folder, or a
# folder ending in "/"): its own sources include them, tests may, no other
# module does. The rest of a module's headers are its interface.
PRIVATE = {
    "ppp-core": ["src/"],                            # the public ones: include/ppp/
    "proto": ["l2tp_int.h"],
    "policy": ["policy_int.h"],
    # the backends' own headers and the closer thread: the interface is
    # dataplane.h, and udp_opts.h (the options of every L2TP UDP socket,
    # the daemon's listeners included)
    "dataplane": ["kernel/", "userspace/", "null/", "closer.h"],
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def is_private(mod, rel):
    return any(rel.startswith(p) if p.endswith("/") else rel == p
               for p in PRIVATE.get(mod, ()))


def headers(root):
    """Header path (as included: the name, or the path below the module's
    folder) -> the modules that have it; and the set of (path, module) of
    the private ones."""
    owners, private = {}, set()
    for mod, (folder, _) in MODULES.items():
        base = os.path.join(root, folder)
        for d, _, files in os.walk(base):
            for f in files:
                if f.endswith(".h"):
                    rel = os.path.relpath(os.path.join(d, f), base)
                    for key in {f, rel, rel.split("/", 1)[-1]}:
                        owners.setdefault(key, set()).add(mod)
                        if is_private(mod, rel):
                            private.add((key, mod))
    return owners, private


def main():
    root = sys.argv[1]
    fixture = "--fixture" in sys.argv[2:]
    owners, private = headers(root)
    bad = 0
    for mod, (folder, allowed) in MODULES.items():
        base = os.path.join(root, folder)
        if not os.path.isdir(base):
            if fixture:
                continue
            print("no folder %s" % base, file=sys.stderr)
            return 2
        for d, _, files in os.walk(base):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(d, f)
                with open(path, errors="replace") as fh:
                    for n, line in enumerate(fh, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        key = m.group(1)
                        found = owners.get(key)
                        if not found:
                            key = os.path.basename(key)
                            found = owners.get(key)
                        if not found or mod in found:
                            continue    # a system header or the module's own
                        if not found & allowed:
                            print('%s:%d: %s includes "%s" of %s: not an arrow of '
                                  'docs/architecture.md' % (os.path.relpath(path, root), n, mod,
                                                            m.group(1), "/".join(sorted(found))))
                            bad += 1
                        elif all((key, o) in private for o in found & allowed):
                            print('%s:%d: %s includes "%s", private to %s: use its interface '
                                  '(docs/architecture.md)' % (os.path.relpath(path, root), n, mod,
                                                             m.group(1),
                                                             "/".join(sorted(found & allowed))))
                            bad += 1
    if not bad:
        print("every include follows the allowed arrows")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
