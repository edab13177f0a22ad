#!/usr/bin/env python3
"""extract_readme_example.py README.md OUT.cpp [NAME] — write one of the README's examples to OUT.cpp.

The example is the first ```cpp block after the line `<!-- example:NAME ...` (NAME is quickstart
unless given), so the code a reader copies from README.md is exactly the code `make test` compiles
and runs.
"""
import sys
from pathlib import Path

readme, out = sys.argv[1], sys.argv[2]
name = sys.argv[3] if len(sys.argv) > 3 else "quickstart"
lines = Path(readme).read_text().splitlines()
start = next(i for i, line in enumerate(lines) if line.startswith(f"<!-- example:{name} "))
begin = next(i for i in range(start, len(lines)) if lines[i].strip() == "```cpp") + 1
end = next(i for i in range(begin, len(lines)) if lines[i].strip() == "```")
Path(out).write_text("\n".join(lines[begin:end]) + "\n")
