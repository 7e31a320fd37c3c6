"""Data files shipped with the package (see data/README.md)."""
