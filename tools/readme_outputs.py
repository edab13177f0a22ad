#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""readme_outputs.py PAGE.md NAME FILE — put FILE's text into the ```text block after `<!-- output:NAME -->`.

`make readme-outputs` runs README's examples and writes what they print below each; `make test`
(check-readme) fails while a shown output differs from what the example prints.
"""
import sys
from pathlib import Path


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    page, name, text = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]).read_text()
    lines = page.read_text().splitlines()
    start = lines.index(f"<!-- output:{name} -->")
    begin = next(i for i in range(start, len(lines)) if lines[i].strip() == "```text") + 1
    end = next(i for i in range(begin, len(lines)) if lines[i].strip() == "```")
    lines[begin:end] = text.rstrip("\n").splitlines()
    page.write_text("\n".join(lines) + "\n")
    print(f"readme_outputs: {page} output:{name} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
