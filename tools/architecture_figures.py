"""Figures of the code's shape, for closing notes: mutual imports between apps, project imports
placed inside functions, hand-written community lookups in views, template lines over 200
characters. Tests and migrations are left out. Run from the repository root."""

import ast
import pathlib
import re

ROOT = pathlib.Path("helsefellesskap")


def unit(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def sources() -> list[pathlib.Path]:
    return [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts and "tests" not in p.parts]


def main() -> None:
    edges: set[tuple[str, str]] = set()
    inside: list[str] = []
    for path in sources():
        source, tree = unit(path), ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                parts = node.module.split(".")
                if parts[0] == "helsefellesskap":
                    targets = [parts[1]] if len(parts) > 1 else [a.name for a in node.names]
                    edges |= {(source, t) for t in targets if t != source}
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name != "ready":
                for sub in ast.walk(node):
                    if isinstance(sub, ast.ImportFrom) and (
                        sub.level or (sub.module or "").startswith("helsefellesskap")
                    ):
                        inside.append(f"{path}:{sub.lineno}")
    mutual = sorted({tuple(sorted(e)) for e in edges if (e[1], e[0]) in edges})
    lookups = sum(
        len(re.findall(r"get_object_or_404\([^)]*community\s*=", p.read_text(), re.S))
        for p in sources()
        if "views" in p.name or p.name == "feeds.py"
    )
    long_lines = sum(
        sum(1 for line in t.read_text().splitlines() if len(line) > 200)
        for t in ROOT.rglob("*.html")
    )
    print(f"mutual app imports: {len(mutual)} {mutual}")
    print(f"project imports inside functions (AppConfig.ready excluded): {len(inside)} {inside}")
    print(f"hand-written community lookups in views: {lookups}")
    print(f"template lines over 200 characters: {long_lines}")


if __name__ == "__main__":
    main()
