"""The poster's text does not overlap and both climate panels carry a legend, in English
and in French."""

from __future__ import annotations

import itertools

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from test_twinning import synthetic_results

from territoire_abm.climate.normals import place_normals
from territoire_abm.twinning.comparison import compare_territories
from territoire_abm.twinning.poster import poster_figure
from territoire_abm.twinning.ranking import find_twins

LONG = ("a measure with a long name, as catalogues write them, that wraps onto a second and "
        "a third line of the poster when it is printed in full with its figures")


@pytest.fixture(scope="module", params=["en", "fr"])
def poster(request):
    target, twin = place_normals("Carbonne"), place_normals("Fuente Obejuna")
    measures = {f"{LONG} {k}": 0.2 + 0.1 * k for k in range(6)}
    t = synthetic_results(3, 0.3, {m: 0.05 for m in measures})
    w = synthetic_results(25, 0.5, measures, seed=2)
    fig = poster_figure(compare_territories(t, w, target, twin,
                                            ranking=find_twins(target, horizon=2050)),
                        lang=request.param)
    fig.lang = request.param
    FigureCanvasAgg(fig).draw()  # lay out the text so that its extents are known
    return fig


def test_precipitation_and_temperature_panels_have_legends(poster):
    ax_t, ax_p = poster.axes
    for ax in (ax_t, ax_p):
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        now = {"en": "now", "fr": "aujourd'hui"}[poster.lang]
        assert labels == [f"Carbonne {now}", "Carbonne 2050 (tracc)", f"Fuente Obejuna {now}"]


def test_no_two_texts_of_the_poster_overlap(poster):
    renderer = poster.canvas.get_renderer()
    boxes = [(t.get_text()[:40], t.get_window_extent(renderer)) for t in poster.texts
             if t.get_text().strip()]
    assert len(boxes) >= 12
    overlaps = [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
                if box_a.overlaps(box_b)]
    assert not overlaps, overlaps
    bottom = poster.bbox.height
    assert all(0 <= box.y0 and box.y1 <= bottom for _, box in boxes)
