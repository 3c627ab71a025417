"""The layout's import rules (docs/architecture.md), enforced.

Each unit (a top-level module, or a package) may import only the units
listed for it here, and itself; a module may have a rule of its own where it
is the exception. An import that breaks them fails this test, naming the
module and the line: move the code, or change the rule here and in
docs/architecture.md together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "alexa_care"

PLATFORMS = {"binary_sensor", "button", "select", "sensor", "switch"}
# What the parts of the integration may import besides themselves.
FEATURES = {"monitoring", "home_network", "resets", "voice", "util"}
ALLOWED: dict[str, set[str]] = {
    # Only the amazon package knows Amazon; it knows nothing else of ours.
    "amazon": set(),
    "const": set(),
    "options": {"const"},
    "util": {"const", "amazon"},
    "monitoring": {"const", "amazon", "util", "home_network", "data"},
    "home_network": {"const", "amazon", "util", "coordinator"},
    "updates": {"const", "amazon", "coordinator", "voice"},
    "resets": {"const", "amazon", "util", "coordinator", "monitoring", "data"},
    "voice": {"const", "amazon", "util", "coordinator", "monitoring", "data"},
    "repair_flows": {"const", "amazon", "util", "data", "monitoring", "resets"},
    "coordinator": {"const", "amazon", "options", "util", "monitoring", "updates"},
    "data": {"coordinator", "options", "updates", "util", *FEATURES},
    "entity": {"const", "amazon", "coordinator", "data", "util"},
    # Platforms: the entity base, the runtime data and the features they show;
    # never another platform, the actions or the flows.
    **{name: {"const", "amazon", "data", "entity", *FEATURES} for name in PLATFORMS},
    # Home Assistant's entry points.
    "__init__": {
        "const", "amazon", "coordinator", "data", "frontend", "options",
        "services", "updates", *FEATURES,
    },
    "config_flow": {"const", "amazon", "options", "util"},
    "services": {"const", "amazon", "resets", "util"},
    "repairs": {"monitoring", "repair_flows", "resets"},
    "diagnostics": {
        "const", "amazon", "data", "home_network", "monitoring", "updates", "util",
        "voice",
    },
    "logbook": {"const", "util"},
    "frontend": {"const"},
}  # fmt: skip
# What every unit may import: it imports nothing of ours.
FOUNDATION = {"util.record"}
# Modules that are the exception to their package's rule, and why.
EXCEPTIONS: dict[str, set[str]] = {
    # Which device an action or a flow is about: it reads the loaded entry.
    "util.targets": {"const", "amazon", "util", "data"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(INTEGRATION).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(module: str, is_package: bool, tree: ast.AST) -> list[tuple[int, str]]:
    """The integration's modules `tree` imports (relative imports resolved)."""
    found = []
    here = module.split(".") if module else []
    if not is_package:
        here = here[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
            target = [*base, *(node.module.split(".") if node.module else [])]
            found.append((node.lineno, ".".join(target) or "__init__"))
    return found


def _unit(module: str) -> str:
    return module.split(".", maxsplit=1)[0] if module else "__init__"


def violations(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """Each import of `module` its rule does not allow, as "module:line → target"."""
    unit = _unit(module)
    allowed = EXCEPTIONS.get(module, ALLOWED[unit]) | {unit}
    return [
        f"{module}:{line} → {target}"
        for line, target in _imported(module, is_package, ast.parse(source))
        if _unit(target) not in allowed and target not in FOUNDATION
    ]


def _modules() -> list[tuple[str, Path]]:
    return [(_module_name(p), p) for p in sorted(INTEGRATION.rglob("*.py"))]


def test_every_unit_has_a_rule() -> None:
    """A new module or package gets its place in the rules, not a free pass."""
    assert {_unit(module) for module, _ in _modules()} <= ALLOWED.keys()


@pytest.mark.parametrize("module", sorted(FOUNDATION))
def test_the_foundation_imports_nothing_of_ours(module: str) -> None:
    path = INTEGRATION.joinpath(*module.split(".")).with_suffix(".py")
    assert _imported(module, is_package=False, tree=ast.parse(path.read_text())) == []


def test_top_level_holds_at_most_16_modules() -> None:
    """What Home Assistant looks for, and what every part uses."""
    assert len(list(INTEGRATION.glob("*.py"))) <= 16


def test_imports_follow_the_rules() -> None:
    """No module imports what its unit may not."""
    broken = [
        violation
        for module, path in _modules()
        for violation in violations(
            module, path.read_text(), is_package=path.name == "__init__.py"
        )
    ]
    assert broken == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        # A platform reaching into another platform, or the actions.
        ("switch", "from .sensor import AccountSensor"),
        ("select", "from .services import async_setup_services"),
        # Amazon's package knowing the rest of the integration.
        ("amazon.client", "from ..coordinator import AlexaCareCoordinator"),
        # A small tool depending on the runtime data.
        ("util.markdown", "from ..data import AlexaCareData"),
    ],
)
def test_a_forbidden_import_is_caught(module: str, source: str) -> None:
    """The rules bite: each of these would fail the suite."""
    assert violations(module, source) != []
