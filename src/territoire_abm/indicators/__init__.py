"""Indicators of a simulated year (they only read the state): accounts, E+C-, KPIs, SDGs."""
