"""Write the Hydra YAML groups in ``configs/`` from the parameter dataclasses.

Run ``python -m territoire_abm.config.export configs`` after changing a default; a test checks
that the YAML files and the dataclasses agree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from territoire_abm.config.params import SCENARIOS, ModelConfig
from territoire_abm.config.validate import to_dict

HEADER = "# Generated from territoire_abm.config.params by territoire_abm.config.export.\n"
GROUP_DEFAULTS = {
    "territory": "carbonne",
    "scenario": "tracc",
    "behaviour": "default",
    "policy": "default",
    "optimiser": "rule",
}


#: Policy storylines shipped as options of the policy group (``policy=<name>``), each a set of
#: lever values over the defaults. ``snbc_territory``: the territory's own actors follow the
#: SNBC (docs/validation.md, "Can the levers reach the SNBC?"): an energy-audit programme
#: reaching every firm every 4 years (EU Energy Efficiency Directive 2012/27 art. 8), subsidies
#: at MaPrimeRénov' levels for a deep-renovation drive (60 %) and the council weighing
#: emissions at the State's 2030 carbon value (Quinet 2019: 250 EUR/t).
POLICY_STORYLINES: dict[str, dict[str, float]] = {
    "snbc_territory": {"firm_transition_support": 0.25, "subsidy_rate": 0.6,
                       "carbon_price_eur_per_t": 250.0},
}


def group_files() -> dict[str, dict]:
    """Map of relative YAML path to content."""
    defaults = to_dict(ModelConfig())
    files: dict[str, dict] = {}
    for group, option in GROUP_DEFAULTS.items():
        files[f"{group}/{option}.yaml"] = defaults[group]
    for name in SCENARIOS:
        files[f"scenario/{name}.yaml"] = {**defaults["scenario"], "name": name}
    files["optimiser/lp.yaml"] = {**defaults["optimiser"], "mode": "lp"}
    for name, values in POLICY_STORYLINES.items():
        files[f"policy/{name}.yaml"] = {**defaults["policy"], **values}
    top = {key: value for key, value in defaults.items() if key not in GROUP_DEFAULTS}
    defaults_list = [{group: option} for group, option in GROUP_DEFAULTS.items()] + ["_self_"]
    files["config.yaml"] = {"defaults": defaults_list, **top}
    return files


def write(config_dir: Path) -> list[Path]:
    """Write every group file under ``config_dir``; return the paths written."""
    written = []
    for relative, content in group_files().items():
        path = config_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = HEADER + yaml.safe_dump(content, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "configs")
    for path in write(target):
        print(path)
