"""territoire_abm: agent-based simulation of territorial governance for climate adaptation."""

__version__ = "0.1.0"
