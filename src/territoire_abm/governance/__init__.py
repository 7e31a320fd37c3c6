"""Governance: controllers, the negotiation, the roles' rules, the coordination mix, elections."""
