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


def group_files() -> dict[str, dict]:
    """Map of relative YAML path to content."""
    defaults = to_dict(ModelConfig())
    files: dict[str, dict] = {}
    for group, option in GROUP_DEFAULTS.items():
        files[f"{group}/{option}.yaml"] = defaults[group]
    for name in SCENARIOS:
        files[f"scenario/{name}.yaml"] = {**defaults["scenario"], "name": name}
    files["optimiser/lp.yaml"] = {**defaults["optimiser"], "mode": "lp"}
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
