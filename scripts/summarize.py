#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Count the results of `./run test` and print the closing line.

Reads, from the results folder given as argument:
  meson-testlog.json      meson's test log (unit suites and fuzz replays);
                          cmocka executables count their individual cases
  faketime-testlog.json   the unit suites again at a fixed time outside
                          office hours (libfaketime)
  fuzz.txt                "NAME PASS|FAIL" per libFuzzer run
  integration-host.xml    pytest junit report, host tests
  vm/integration-vm.xml   pytest junit report, tests run in the test VM
Prints each failure and each skip with its reason, then
"N passed, N failed[, N skipped]" and exits 1 if anything failed or a
part produced no report at all.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

# Meson results that count as a pass: EXPECTEDFAIL is a test declared
# should_fail (a checker shown to catch its fixture) that did fail.
PASSING = ("OK", "EXPECTEDFAIL")
CMOCKA_PASSED = re.compile(r"^\[  PASSED  \] (\d+) test", re.M)
CMOCKA_FAILED = re.compile(r"^\[  FAILED  \] (\d+) test", re.M)


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []
        self.skips = []

    def fail(self, what):
        self.failed += 1
        self.failures.append(what)


def meson(path, t, parts, label="unit+fuzz-replay"):
    if not os.path.exists(path):
        t.fail("%s: no meson test log (build failed?)" % label)
        return
    p0, f0, s0 = t.passed, t.failed, t.skipped
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            name, result = r["name"], r["result"]
            # cmocka prints its summary to stderr; meson may split them.
            out = (r.get("stdout") or "") + (r.get("stderr") or "")
            passed = [int(n) for n in CMOCKA_PASSED.findall(out)]
            failed = [int(n) for n in CMOCKA_FAILED.findall(out)]
            if result == "SKIP":
                t.skipped += 1
                t.skips.append("%s %s: skipped by meson" % (label, name))
            elif passed or failed:
                t.passed += sum(passed)
                for _ in range(sum(failed)):
                    t.fail("%s %s (cmocka case)" % (label, name))
                if result not in PASSING and not sum(failed):
                    t.fail("%s %s: %s after its cmocka cases" % (label, name, result))
            elif result in PASSING:
                t.passed += 1
            else:
                t.fail("%s %s: %s" % (label, name, result))
    parts.append("%s: %d passed, %d failed, %d skipped"
                 % (label, t.passed - p0, t.failed - f0, t.skipped - s0))


def fuzz(path, t, parts):
    p0, f0 = t.passed, t.failed
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                fields = line.split()
                if len(fields) != 2:
                    continue
                if fields[1] == "PASS":
                    t.passed += 1
                else:
                    t.fail("libFuzzer %s" % fields[0])
    parts.append("libFuzzer runs: %d clean, %d failed" % (t.passed - p0, t.failed - f0))


def junit(path, label, t, parts):
    if not os.path.exists(path):
        t.fail("%s: no pytest report (the run did not complete)" % label)
        parts.append("%s: no report" % label)
        return
    p0, f0, s0 = t.passed, t.failed, t.skipped
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        name = "%s::%s" % (case.get("classname"), case.get("name"))
        if case.find("failure") is not None or case.find("error") is not None:
            t.fail("%s %s" % (label, name))
        elif case.find("skipped") is not None:
            t.skipped += 1
            t.skips.append("%s %s: %s" % (label, name, case.find("skipped").get("message")))
        else:
            t.passed += 1
    parts.append("%s: %d passed, %d failed, %d skipped"
                 % (label, t.passed - p0, t.failed - f0, t.skipped - s0))


def main():
    results = sys.argv[1]
    t = Tally()
    parts = []
    meson(os.path.join(results, "meson-testlog.json"), t, parts)
    meson(os.path.join(results, "faketime-testlog.json"), t, parts,
          "unit at Sun 03:00 UTC (faketime)")
    fuzz(os.path.join(results, "fuzz.txt"), t, parts)
    junit(os.path.join(results, "integration-host.xml"), "host", t, parts)
    junit(os.path.join(results, "vm", "integration-vm.xml"), "vm (real kernel)", t, parts)
    for p in parts:
        print("  " + p)
    for s in t.skips:
        print("SKIPPED " + s)
    for f in t.failures:
        print("FAILED  " + f)
    line = "%d passed, %d failed" % (t.passed, t.failed)
    if t.skipped:
        line += ", %d skipped" % t.skipped
    print(line)
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
