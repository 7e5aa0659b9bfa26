#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every sentence of both seed documents is quoted by a test that names it.

The seeds (seeds/000-*.md, seeds/002-*.md, copies of /work/shared/seeds) are
split into sentences: front matter, headings, table header cells and the
"See also" section are left out; HTML tags, Markdown links and emphasis are
reduced to their text.  A test quotes a sentence in its comment as
    SEED 000: "sentence as in the seed"
and the test the quote belongs to is the next TEST(name) in the file.
Prints one line per sentence and fails if any sentence is not quoted, or a
quote matches no sentence (a typo would otherwise go unnoticed).
"""
import html
import pathlib
import re
import sys


def paragraphs(text):
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # front matter
    text = re.split(r"^#+ *-?see[- ]also.*$", text, flags=re.M | re.I)[0]
    text = re.sub(r"<th>.*?</th>", "", text, flags=re.S)  # table header
    text = re.sub(r"</t[dr]>", "\n\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url)
    text = text.replace("**", "")
    text = html.unescape(text)
    for para in re.split(r"\n\s*\n", text):
        lines = [l for l in para.splitlines() if not l.lstrip().startswith("#")]
        para = " ".join(" ".join(lines).split())
        if para:
            yield para


def sentences(text):
    for para in paragraphs(text):
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", para):
            yield s


def quotes(path):
    src = path.read_text()
    # Comment text as prose: drop the leading " * " of comment lines.
    flat = re.sub(r"\n\s*\*(?!/)\s?", " ", src)
    for m in re.finditer(r'SEED (\d{3}):((?:\s*"[^"]*")+)', flat):
        test = re.search(r"TEST\((\w+)\)", flat[m.end():])
        for q in re.findall(r'"([^"]*)"', m.group(2)):
            yield m.group(1), " ".join(q.split()), test.group(1) if test else None


def main(seed_dir, sources):
    wanted = {}
    for seed in sorted(pathlib.Path(seed_dir).glob("*.md")):
        for s in sentences(seed.read_text()):
            wanted.setdefault((seed.name[:3], s), [])
    stray = []
    for src in sources:
        for seed, q, test in quotes(pathlib.Path(src)):
            if (seed, q) in wanted and test:
                wanted[(seed, q)].append(f"{pathlib.Path(src).name}:{test}")
            else:
                stray.append(f"{src}: SEED {seed} quote matches no sentence: {q!r}")
    missing = 0
    for (seed, s), tests in wanted.items():
        print(f"{'ok  ' if tests else 'MISSING'} {seed} {s!r} -> {', '.join(tests) or '-'}")
        missing += not tests
    for line in stray:
        print(line)
    print(f"{len(wanted) - missing} of {len(wanted)} seed sentences covered")
    return 1 if missing or stray else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
