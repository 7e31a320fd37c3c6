"""``territoire-abm calibrate``: history matching of unconfirmed parameters against the
grounding table (data/grounding.csv)."""
