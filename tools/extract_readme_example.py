#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""extract_readme_example.py PAGE.md OUT [NAME [LANG [KIND]]] — write one of a page's examples to OUT.

The example is the first ```LANG block (default cpp) after the line `<!-- KIND:NAME ...` (KIND
example by default; `output` marks the text an example prints), so the code a reader copies from
README.md or docs/ is exactly the code `make test` compiles and runs, and the output shown is what
it prints. Importable: block(lines, name, lang, kind) returns the block's text.

A size a C++ example's comment quotes ("... 48 bytes") must be checked in the example itself, by a
`static_assert(sizeof ... == 48, ...)`: otherwise extraction fails, so a quoted size cannot go stale.
"""
import re
import sys
from pathlib import Path


def block(lines, name: str = "quickstart", lang: str = "cpp", kind: str = "example") -> str:
    start = next(i for i, line in enumerate(lines) if line.startswith(f"<!-- {kind}:{name} ") or
                 line.startswith(f"<!-- {kind}:{name}-->") or line.strip() == f"<!-- {kind}:{name} -->")
    begin = next(i for i in range(start, len(lines)) if lines[i].strip() == "```" + lang) + 1
    end = next(i for i in range(begin, len(lines)) if lines[i].strip() == "```")
    return "\n".join(lines[begin:end]) + "\n"


def unchecked_sizes(text: str) -> list:
    """The byte counts the example's comments quote that no static_assert on a sizeof checks."""
    quoted = {int(n) for n in re.findall(r"//.*?\b(\d+) bytes", text)}
    checked = {int(n) for n in re.findall(r"static_assert\(\s*sizeof[^;]*?==\s*(\d+)", text)}
    return sorted(quoted - checked)


if __name__ == "__main__":
    readme, out = sys.argv[1], sys.argv[2]
    name = sys.argv[3] if len(sys.argv) > 3 else "quickstart"
    lang = sys.argv[4] if len(sys.argv) > 4 else "cpp"
    kind = sys.argv[5] if len(sys.argv) > 5 else "example"
    text = block(Path(readme).read_text().splitlines(), name, lang, kind)
    if lang == "cpp" and unchecked_sizes(text):
        sys.exit(f"{readme}, example {name}: quoted sizes {unchecked_sizes(text)} bytes with no "
                 f"static_assert(sizeof ... == N) in the example to check them")
    Path(out).write_text(text)
