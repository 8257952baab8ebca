"""Project-wide rules of shape that no single app's tests can see."""

import ast
import pathlib

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = pathlib.Path(__file__).resolve().parents[1] / "helsefellesskap"
METHOD_DECORATORS = {"require_safe", "require_GET", "require_POST", "require_http_methods"}


def _patterns(resolver: URLResolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern)
        elif isinstance(pattern, URLPattern):
            yield pattern


def _our_function_views() -> list[tuple[str, str]]:
    views = set()
    for pattern in _patterns(get_resolver()):
        callback = pattern.callback
        module = getattr(callback, "__module__", "")
        if module.startswith("helsefellesskap.") and not hasattr(callback, "view_class"):
            views.add((module, callback.__name__))
    return sorted(views)


def _decorators(module: str, name: str) -> set[str]:
    path = ROOT.joinpath(*module.split(".")[1:]).with_suffix(".py")
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            names = set()
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                names.add(getattr(target, "id", getattr(target, "attr", "")))
            return names
    raise AssertionError(f"{name} not found in {path}")


@pytest.mark.parametrize("module,name", _our_function_views())
def test_every_view_states_the_methods_it_answers(module, name):
    assert _decorators(module, name) & METHOD_DECORATORS, f"{module}.{name}"


def test_no_template_line_is_over_200_characters():
    long = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in ROOT.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > 200
    ]
    assert not long, long


# Forms where a replayed submit must not stand in for a new one: signing in and out, passwords.
NO_FORM_TOKEN = {"base.html", "login.html", "password_change_form.html", "password_reset_form.html",
                 "password_reset_confirm.html"}  # fmt: skip


def test_every_form_that_changes_something_carries_a_form_token():
    """A double click or a retry then returns the first result (core.idempotency)."""
    missing = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.html")
        if path.name not in NO_FORM_TOKEN
        and path.read_text().count("{% csrf_token %}") > path.read_text().count("{% form_token %}")
    ]
    assert not missing, missing
