"""The session's figures held against published figures for French communes.

The project's rule: every headline figure a user reads is held against a published figure
(the grounding table, :func:`territoire_abm.validation.grounding.published_rows`), shown as a
mean with its spread. The debrief does it for each indicator of the run summary
(:data:`territoire_abm.outputs.SUMMARY_ROWS`, same labels and formats) that has grounding
rows: the session's own value, the replay's mean and 10–90 % range over the weather futures
of the session's scenario (the played decisions), and the published range, year and source,
with a flag when the session's value is outside it.

Like with like: each published row says over which model years it is read (``model_years``,
e.g. 2025–2029 for today's emissions): the values are means over those years, clipped to the
session's; a row whose years the session does not reach (end-of-century heat) is shown as
context, not compared. The replay keeps these window means in each of its rows
(:func:`window_means`, columns ``<indicator>[<first>-<last>]``).
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import pandas as pd

from territoire_abm.i18n import localise_figures
from territoire_abm.validation.grounding import GroundingRow, published_rows


def rows_of(column: str) -> tuple[GroundingRow, ...]:
    """The published rows of ``column`` (the grounding module reads its table once)."""
    return tuple(published_rows(column))


@cache
def grounded() -> tuple[tuple[str, str, str, tuple[GroundingRow, ...]], ...]:
    """(column, label, format, published rows) of each run-summary indicator with rows."""
    from territoire_abm.outputs import SUMMARY_ROWS

    out = []
    for column, label, fmt in SUMMARY_ROWS:
        rows = rows_of(column)
        if rows:
            out.append((column, label, fmt, rows))
    return tuple(out)


def window(row: GroundingRow, first: int, last: int) -> tuple[int, int] | None:
    """The row's model years clipped to ``first``–``last`` (None when they do not meet)."""
    if row.first_year is None or not row.overlaps(first, last):
        return None
    return max(row.first_year, first), min(row.last_year, last)


def outcome(column: str, years: tuple[int, int]) -> str:
    """The replay column of ``column``'s mean over ``years``."""
    return f"{column}[{years[0]}-{years[1]}]"


def outcomes(first: int, last: int) -> list[str]:
    """The window-mean columns a replay of ``first``–``last`` holds."""
    names = [outcome(column, years) for column, _, _, rows in grounded() for row in rows
             if (years := window(row, first, last)) is not None]
    return list(dict.fromkeys(names))


def window_means(table: pd.DataFrame, first: int, last: int) -> dict[str, float]:
    """Each grounded column's mean over each published row's window (a run's yearly
    indicators)."""
    out = {}
    for column, _, _, rows in grounded():
        if column not in table:
            continue
        for row in rows:
            years = window(row, first, last)
            if years is not None:
                part = table.loc[(table.index >= years[0]) & (table.index <= years[1]), column]
                out[outcome(column, years)] = float(part.mean())
    return out


def _formatted(fmt: str, value: float, lang: str = "en") -> str:
    return "–" if value is None or not math.isfinite(value) else \
        localise_figures(fmt.format(value), lang)


def comparison(played: pd.DataFrame, table: pd.DataFrame | None,
               scenario: str, lang: str = "en") -> list[dict[str, Any]]:
    """One line per grounded indicator and published row: the session's value, the replay's
    mean and 10–90 % over the futures of ``scenario`` (played decisions), the published
    range and source, and whether the session is outside the range (texts in ``lang``)."""
    from territoire_abm.game.texts import translator
    from territoire_abm.outputs import summary_rows

    t = translator(lang)
    labels = {column: label for column, label, _ in summary_rows(lang)}
    first, last = int(played.index[0]), int(played.index[-1])
    futures = None
    if table is not None:
        futures = table[(table.scenario == scenario) & (table.variant == "played")]
    lines = []
    for column, _, fmt, rows in grounded():
        if column not in played:
            continue
        for row in rows:
            years = window(row, first, last)
            line = {"column": column, "label": labels[column],
                    "published": localise_figures(row.range_text(fmt), lang),
                    "source": row.source, "scope": row.scope, "unit": row.unit,
                    "years": "", "session": "–", "replay": "–", "spread": "",
                    "status": t("published.not_compared"), "outside": False}
            if years is None:
                line["status"] = t("published.not_reached", first=str(row.first_year),
                                   last=str(row.last_year), start=str(first), until=str(last))
                lines.append(line)
                continue
            value = float(played.loc[years[0]:years[1], column].mean())
            status = row.status(value)
            line.update(years=f"{years[0]}–{years[1]}", session=_formatted(fmt, value, lang),
                        status=t(f"published.{'inside' if status == 'ok' else status}")
                        if status in ("ok", "low", "high") else status,
                        outside=status in ("low", "high"))
            name = outcome(column, years)
            if futures is not None and name in futures and len(futures):
                values = futures[name]
                line.update(replay=_formatted(fmt, float(values.mean()), lang),
                            spread=f"{_formatted(fmt, float(values.quantile(0.1)), lang)} – "
                                   f"{_formatted(fmt, float(values.quantile(0.9)), lang)}")
            lines.append(line)
    return lines


def formats() -> dict[str, str]:
    """Indicator column -> its run-summary number format."""
    from territoire_abm.outputs import SUMMARY_ROWS

    return {column: fmt for column, _, fmt in SUMMARY_ROWS}


def dashboard_text(column: str, value: float, year: int, lang: str = "en") -> str:
    """The published ranges of ``column`` for a dashboard cell (range, year, first source),
    with ⚠ when ``value`` of ``year`` is outside a range read for that year (numbers written
    the ``lang`` way); "" without published figures."""
    fmt = formats().get(column, "{:g}")
    texts = []
    for row in rows_of(column):
        flag = "⚠ " if row.overlaps(year, year) and row.status(value) in ("low", "high") \
            else ""
        texts.append(f"{flag}{localise_figures(row.range_text(fmt), lang)} "
                     f"{row.source.split(';')[0]}")
    return "; ".join(texts)
