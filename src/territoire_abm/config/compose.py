"""Compose Hydra configs from ``configs/`` and command-line overrides, turning every Hydra
error into a one-line :class:`UserError`.

Hydra's override grammar and config groups are used as they are (``scenario=ssp585``,
``territory.households=10000``, ``-m seed=0,1``); the sweep of a multirun is expanded with
Hydra's own override parser. Values are then checked once, by
:func:`territoire_abm.config.validate.model_config`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from territoire_abm.config.export import GROUP_DEFAULTS
from territoire_abm.config.params import ModelConfig
from territoire_abm.config.validate import model_config
from territoire_abm.errors import UserError


@cache
def config_dir() -> Path:
    """``configs/`` shipped in the wheel, or the repository's when installed editable."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[1] / "configs", here.parents[3] / "configs"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise FileNotFoundError("configs/config.yaml not found beside the package")


def group_options(group: str) -> list[str]:
    """Option names of a Hydra config group (the YAML files under configs/<group>/)."""
    return sorted(p.stem for p in (config_dir() / group).glob("*.yaml"))


def expand_sweeps(overrides: Sequence[str]) -> list[list[str]]:
    """The jobs of a sweep: Hydra's basic sweeper expands comma-separated values (and
    ``range()``/``choice()``) into their Cartesian product."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except Exception as error:  # Hydra raises its own OverrideParseException
        raise UserError("override", " ".join(overrides), _first_line(error)) from None
    batches = BasicSweeper.split_arguments(parsed, max_batch_size=None)
    return [list(job) for batch in batches for job in batch]


def compose(overrides: Sequence[str], extra_keys: Sequence[str] = ()) -> dict[str, Any]:
    """Compose ``config.yaml`` with overrides into a plain dict (no validation yet).
    ``extra_keys``: the caller's own top-level options, named with the config's keys when an
    unknown key is refused (``seds=3``: did you mean seeds?)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    _check_groups(overrides)
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            cfg = hydra_compose(config_name="config", overrides=list(overrides))
    except Exception as error:
        raise _as_user_error(error, overrides, extra_keys) from None
    finally:
        GlobalHydra.instance().clear()
    data = OmegaConf.to_container(cfg, resolve=True)
    data.pop("hydra", None)
    return data


def load(overrides: Sequence[str] = (), extra_keys: Sequence[str] = ()) -> ModelConfig:
    """Compose and validate: the config a run will use (``extra_keys``: see :func:`compose`)."""
    return model_config(compose(overrides, extra_keys))


def _check_groups(overrides: Sequence[str]) -> None:
    for override in overrides:
        key, _, value = override.lstrip("+~").partition("=")
        if key.startswith("hydra.") or key == "hydra":
            raise UserError(key, value, "Hydra's own settings are not used here; "
                            "write outputs elsewhere with output_dir=PATH")
        if key in GROUP_DEFAULTS and value not in group_options(key):
            raise UserError(key, value, f"allowed: {', '.join(group_options(key))}")


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _as_user_error(error: Exception, overrides: Sequence[str],
                   extra_keys: Sequence[str] = ()) -> UserError:
    message = str(error)
    match = re.search(r"Could not override '([^']+)'", message) or re.search(
        r"Key '([^']+)' is not in struct", message)
    if match:
        key = match.group(1)
        value = next((o.partition("=")[2] for o in overrides
                      if o.lstrip("+~").partition("=")[0] == key), None)
        return UserError(key, value, unknown_key_hint(key, extra_keys))
    return UserError("override", " ".join(overrides), _first_line(error))


def known_keys() -> list[str]:
    """Every dotted key of the default config (groups, sections and leaves)."""
    from territoire_abm.config.validate import to_dict

    keys: list[str] = []

    def walk(node: dict[str, Any], prefix: str) -> None:
        for name, value in node.items():
            keys.append(prefix + name)
            if isinstance(value, dict):
                walk(value, f"{prefix}{name}.")

    walk(to_dict(ModelConfig()), "")
    return keys


def unknown_key_hint(key: str, extra_keys: Sequence[str] = ()) -> str:
    """``unknown key (did you mean X?); allowed under P: a, b, …`` for a mistyped key;
    ``extra_keys`` are top-level keys beside the config's (a command's own options)."""
    from territoire_abm.cli_options import did_you_mean

    keys = [*known_keys(), *extra_keys]
    parent = key.rpartition(".")[0]
    siblings = [k.rpartition(".")[2] for k in keys if k.rpartition(".")[0] == parent]
    where = f" under {parent}" if parent else ""
    listed = ", ".join(siblings[:30]) + (", …" if len(siblings) > 30 else "")
    return f"unknown key{did_you_mean(key, keys)}; allowed{where}: {listed}"
