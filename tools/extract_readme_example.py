#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""extract_readme_example.py PAGE.md OUT [NAME [LANG [KIND]]] — write one of a page's examples to OUT.

The example is the first ```LANG block (default cpp) after the line `<!-- KIND:NAME ...` (KIND
example by default; `output` marks the text an example prints), so the code a reader copies from
README.md or docs/ is exactly the code `make test` compiles and runs, and the output shown is what
it prints. Importable: block(lines, name, lang, kind) returns the block's text.
"""
import sys
from pathlib import Path


def block(lines, name: str = "quickstart", lang: str = "cpp", kind: str = "example") -> str:
    start = next(i for i, line in enumerate(lines) if line.startswith(f"<!-- {kind}:{name} ") or
                 line.startswith(f"<!-- {kind}:{name}-->") or line.strip() == f"<!-- {kind}:{name} -->")
    begin = next(i for i in range(start, len(lines)) if lines[i].strip() == "```" + lang) + 1
    end = next(i for i in range(begin, len(lines)) if lines[i].strip() == "```")
    return "\n".join(lines[begin:end]) + "\n"


if __name__ == "__main__":
    readme, out = sys.argv[1], sys.argv[2]
    name = sys.argv[3] if len(sys.argv) > 3 else "quickstart"
    lang = sys.argv[4] if len(sys.argv) > 4 else "cpp"
    kind = sys.argv[5] if len(sys.argv) > 5 else "example"
    Path(out).write_text(block(Path(readme).read_text().splitlines(), name, lang, kind))
