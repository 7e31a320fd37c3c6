"""``python -m territoire_abm.experiments``: same as ``territoire-abm experiment=...``."""

import sys

from territoire_abm.experiments.cli import main

if __name__ == "__main__":
    sys.exit(main())
