"""Parameters: one dataclass field per parameter, validation, generated YAML and docs."""
