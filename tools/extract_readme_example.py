#!/usr/bin/env python3
"""extract_readme_example.py README.md OUT.cpp — write the README's usage example to OUT.cpp.

The example is the first ```cpp block after the line `<!-- example:quickstart ...`, so the code a
reader copies from README.md is exactly the code `make test` compiles and runs.
"""
import sys
from pathlib import Path

readme, out = sys.argv[1], sys.argv[2]
lines = Path(readme).read_text().splitlines()
start = next(i for i, line in enumerate(lines) if line.startswith("<!-- example:quickstart"))
begin = next(i for i in range(start, len(lines)) if lines[i].strip() == "```cpp") + 1
end = next(i for i in range(begin, len(lines)) if lines[i].strip() == "```")
Path(out).write_text("\n".join(lines[begin:end]) + "\n")
