"""Climate twinning: find a commune's climate twin, compare, write the deliverables.

Public API (the deliverable writers live in :mod:`.report`, :mod:`.poster`, :mod:`.book`
and import matplotlib only when used)::

    from territoire_abm.climate.normals import place_normals
    from territoire_abm.twinning import find_twins, compare_territories

    ranking = find_twins(place_normals("Carbonne"), scenario="tracc", horizon=2050)
    print(ranking.to_text())

See ``docs/twinning.md`` for the method and its sources.
"""

from territoire_abm.twinning.candidates import CandidateSet
from territoire_abm.twinning.comparison import Comparison, compare_territories
from territoire_abm.twinning.loaders import load_candidates, read_normals_csv, read_normals_netcdf
from territoire_abm.twinning.projection import Projection, project
from territoire_abm.twinning.ranking import TwinRanking, find_twins

__all__ = [
    "CandidateSet",
    "Comparison",
    "Projection",
    "TwinRanking",
    "compare_territories",
    "find_twins",
    "load_candidates",
    "project",
    "read_normals_csv",
    "read_normals_netcdf",
]
