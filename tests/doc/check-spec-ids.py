#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check-spec-ids.py SPEC SRCROOT

The behaviour contract (doc/SPEC.md) and the tests agree:
  - every rule ID a test cites ("SPEC T4", "SPEC P1-P5", "SPEC K2, A4",
    "SPEC P2 P3") in tests/, bench/ or scripts/ is defined in SPEC;
  - every rule SPEC defines ("- **T4 ...") is cited by some test, or marked
    "*Not yet tested.*" in its text (a marked rule that tests do cite is
    reported, so the mark can go, but does not fail).
Exit 0 pass, 1 fail.
"""
import os
import re
import sys

RULE = re.compile(r'^- \*\*([A-Z][0-9]+)\b')
# "SPEC" then IDs and ranges separated by blanks or commas, up to the first
# word that is not one; a family letter alone ("SPEC T: the engine") cites
# nothing.
CITE = re.compile(r'\bSPEC[: ]+(.*)')
ID = re.compile(r'^([A-Z])([0-9]+)(?:-[A-Z]?([0-9]+))?([^A-Za-z0-9]*)$')


def cited_ids(text):
    """The IDs at the start of @text, ranges expanded."""
    for word in re.split(r'[ ,]+', text):
        m = ID.match(word)
        if not m:
            return
        fam, lo, hi, tail = m.groups()
        for i in range(int(lo), int(hi or lo) + 1):
            yield '%s%d' % (fam, i)
        if tail:  # "T9:", "P4)", "K4." end the list
            return
UNTESTED = '*Not yet tested.*'


def rules(path):
    """{id: text of the rule} from the contract."""
    found, current = {}, None
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = RULE.match(line)
            if m:
                current = m.group(1)
                found[current] = line
            elif current and line.startswith('  '):
                found[current] += line
            else:
                current = None
    return found


def citations(root):
    """{id: [file:line, ...]} of every rule ID cited under root's test dirs."""
    cited = {}
    for top in ('tests', 'bench', 'scripts'):
        for d, subdirs, files in os.walk(os.path.join(root, top)):
            subdirs[:] = [s for s in subdirs if not os.path.exists(os.path.join(d, s, 'meson-private'))]
            for name in files:
                path = os.path.join(d, name)
                try:
                    with open(path, encoding='utf-8') as f:
                        lines = f.readlines()
                except (UnicodeDecodeError, OSError):
                    continue
                for n, line in enumerate(lines, 1):
                    for part in line.split('SPEC')[1:]:
                        m = CITE.match('SPEC' + part)
                        for rid in cited_ids(m.group(1)) if m else ():
                            where = '%s:%d' % (os.path.relpath(path, root), n)
                            cited.setdefault(rid, []).append(where)
    return cited


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    spec, root = sys.argv[1], sys.argv[2]
    defined = rules(spec)
    cited = citations(root)
    failures = 0
    if not defined:
        print('FAIL: no rule found in %s' % spec)
        return 1
    for rid in sorted(set(cited) - set(defined)):
        print('FAIL: %s is cited by %s but not defined in %s' % (rid, ', '.join(cited[rid][:3]), spec))
        failures += 1
    untested = 0
    for rid, text in sorted(defined.items()):
        marked = UNTESTED in text
        if rid not in cited and not marked:
            print('FAIL: %s is cited by no test and not marked "%s"' % (rid, UNTESTED))
            failures += 1
        elif rid in cited and marked:
            print('note: %s is marked untested but cited by %s: remove the mark' % (rid, cited[rid][0]))
        untested += marked and rid not in cited
    print('%d rules, %d cited by tests, %d marked not yet tested' %
          (len(defined), len(set(defined) & set(cited)), untested))
    if failures:
        print('%d failure(s)' % failures)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
