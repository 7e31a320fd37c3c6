"""Impacts of climate on people: indoor overheating and heat-health (heat.py)."""
