"""Architecture figures of a checkout (issue 11): modules, their size, commits, import cycles.

Run from the repository root:  .venv/bin/python bench/architecture.py [--root DIR]
(DIR: another checkout, e.g. a `git worktree` of an older commit, to compare with it.)
Prints one JSON object:
  {"root", "modules", "lines", "largest": [[module, lines], ...5], "over_500_lines",
   "session_commit_calls": {module: n}, "session_commit_calls_total", "cycles": [[module, ...]],
   "modules_in_cycles"}
The module walk and the cycle search are the ones tests/test_architecture.py asserts on
(function-level imports count; a module importing its own package is not a cycle).
"""
import argparse
import json
import os
import sys

HERE = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, os.path.join(HERE, "tests"))
sys.modules.setdefault("conftest", type(sys)("conftest"))  # the checks need only ROOT from it
sys.modules["conftest"].ROOT = HERE
import test_architecture as checks  # noqa: E402


def figures(root):
    checks.ROOT, checks.PACKAGE = root, os.path.join(root, "facilitation")
    found = checks.modules()
    lines = {name: sum(1 for _ in open(path, encoding="utf-8")) for name, (path, _tree) in found.items()}
    commits = {}
    for name, (_path, tree) in found.items():
        count = sum(1 for call in checks.calls_to(tree, "commit")
                    if getattr(call.func.value, "attr", None) == "session")
        if count:
            commits[name] = count
    graph = checks.import_graph()
    for name in graph:
        graph[name] = {t for t in graph[name] if not (name + ".").startswith(t + ".")}
    cycles = checks.cycles(graph)
    largest = sorted(lines.items(), key=lambda pair: -pair[1])[:5]
    return {"root": root, "modules": len(found), "lines": sum(lines.values()),
            "largest": [list(pair) for pair in largest],
            "over_500_lines": sum(1 for n in lines.values() if n > 500),
            "session_commit_calls": commits, "session_commit_calls_total": sum(commits.values()),
            "cycles": cycles, "modules_in_cycles": sum(len(c) for c in cycles)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=HERE)
    print(json.dumps(figures(os.path.abspath(parser.parse_args().root)), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
