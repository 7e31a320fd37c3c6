"""Model against published French figures: the grounding table, ``territoire-abm check`` and
the generated ``docs/validation.md``."""
