"""The engine's import graph: phases below the territory, no cycle among the engine packages,
and one place where the coordination mix takes effect."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from territoire_abm.config.params import CoordinationConfig, CoordinationEffectsConfig
from territoire_abm.governance.coordination import coordination_effects

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "territoire_abm"
LOWER = ("agents", "governance", "indicators", "flows", "climate", "measures", "config", "impacts")
ENGINE = (*LOWER, "territory", "types")
ALLOWED_LAZY: set[str] = set()


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def _imports(path: Path, *, module_level_only: bool) -> set[str]:
    """Modules of territoire_abm imported by ``path`` (at module level if asked)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("territoire_abm")}


@pytest.mark.parametrize("package", LOWER)
def test_no_lower_package_imports_the_territory(package):
    """Not even lazily or for type checking: phases get narrow state, not the model."""
    files = [p for p in (PACKAGE / package).rglob("*.py")
             if str(p.relative_to(PACKAGE)) not in ALLOWED_LAZY]
    offenders = [str(path.relative_to(PACKAGE)) for path in files
                 if any(name.startswith("territoire_abm.territory")
                        for name in _imports(path, module_level_only=False))]
    assert not offenders


def _engine_graph() -> dict[str, set[str]]:
    files = [p for name in ENGINE for p in
             ([PACKAGE / f"{name}.py"] if (PACKAGE / f"{name}.py").exists()
              else (PACKAGE / name).rglob("*.py"))]
    modules = {_module_name(p): p for p in files}
    return {name: {m for m in _imports(path, module_level_only=True) if m in modules
                   and m != name} for name, path in modules.items()}


def test_engine_modules_import_one_another_without_a_cycle():
    graph = _engine_graph()
    state: dict[str, int] = {}  # 1 = on the path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError(f"import cycle: {' -> '.join(path + [node, nxt])}")
            if nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_coordination_mix_effects_are_the_documented_functions_of_the_shares():
    mix = CoordinationConfig(reciprocity=0.5, exchange=0.2, authority=0.3)
    gains = CoordinationEffectsConfig(exchange_subsidy_gain=3.0, reciprocity_norm_gain=1.0,
                                      authority_enforcement=0.3)
    effects = coordination_effects(mix, gains)
    assert effects.contribution_share == 0.5
    assert effects.tariff_share == 0.2
    assert effects.budget_share == 0.3
    assert effects.social_norm_multiplier == pytest.approx(1.5)
    assert effects.subsidy_reach == pytest.approx(0.6)
    assert effects.mandate_enforcement == pytest.approx(0.09)
    saturated = coordination_effects(CoordinationConfig(0.0, 1.0, 0.0), gains)
    assert saturated.subsidy_reach == 1.0  # capped: never more than the national rate
    assert saturated.mandate_enforcement == 0.0 and saturated.social_norm_multiplier == 1.0
