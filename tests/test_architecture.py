"""The rules of docs/ARCHITECTURE.md, checked on the source: services never commit, only the edges
do (through facilitation/edges.py); only realtime.py emits and it imports no feature; only pdf.py
imports WeasyPrint; every spreadsheet goes through spreadsheets.py; and no two modules import each
other, directly or around a circle (function-level imports count too)."""
import ast
import os

from conftest import ROOT

PACKAGE = os.path.join(ROOT, "facilitation")


def modules():
    """{dotted name: (path, ast)} for every module of the package except migrations."""
    found = {}
    for folder, dirs, files in os.walk(PACKAGE):
        dirs[:] = [d for d in dirs if d not in ("migrations", "translations", "__pycache__")]
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
                dotted = relative[:-len(".__init__")] if relative.endswith(".__init__") else relative
                with open(path, encoding="utf-8") as handle:
                    found[dotted] = (path, ast.parse(handle.read(), path))
    return found


def imported_modules(dotted, tree, known):
    """The facilitation modules `dotted` imports anywhere in its body (module or function level)."""
    package = dotted if dotted in known and known[dotted][0].endswith("__init__.py") else dotted.rpartition(".")[0]
    result = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        for candidate in candidates:
            if candidate in known and candidate != dotted:
                result.add(candidate)
    return result


def import_graph():
    known = modules()
    return {dotted: imported_modules(dotted, tree, known) for dotted, (_path, tree) in known.items()}


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    graph = import_graph()
    # a package's __init__ importing its own submodules is composition, not a cycle
    for dotted in graph:
        graph[dotted] = {t for t in graph[dotted] if not (dotted + ".").startswith(t + ".")}
    assert cycles(graph) == []


def calls_to(tree, attribute):
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == attribute]


def test_only_the_edge_helper_and_the_cli_commit():
    offenders = []
    for dotted, (path, tree) in modules().items():
        for call in calls_to(tree, "commit"):
            target = call.func.value
            if isinstance(target, ast.Attribute) and target.attr == "session" and dotted != "facilitation.edges":
                offenders.append(f"{dotted}:{call.lineno}")
    assert offenders == [], "db.session.commit() outside facilitation/edges.py: " + ", ".join(offenders)


def test_only_realtime_emits_and_it_imports_no_feature():
    graph = import_graph()
    features = {d for d in graph if d.count(".") >= 2}
    assert not graph["facilitation.realtime"] & features, graph["facilitation.realtime"] & features
    emitters = [dotted for dotted, (_path, tree) in modules().items() if calls_to(tree, "emit")]
    assert emitters == ["facilitation.realtime"], emitters


def test_only_pdf_imports_weasyprint_and_only_spreadsheets_writes_workbooks():
    weasy, workbook = [], []
    for dotted, (_path, tree) in modules().items():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{alias.name}" for alias in node.names]
            if any(name.startswith("weasyprint") for name in names):
                weasy.append(dotted)
            if any(name in ("openpyxl.Workbook", "openpyxl.workbook") for name in names):
                workbook.append(dotted)
    assert set(weasy) == {"facilitation.pdf"}, weasy
    assert set(workbook) <= {"facilitation.spreadsheets"}, workbook
