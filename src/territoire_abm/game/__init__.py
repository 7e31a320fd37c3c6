"""The workshop game: sessions, roles, facilitator levers, the web app and the debrief pack.

Layers, each usable without the next: :mod:`~territoire_abm.game.session` (pure Python,
autosaved; tested without a browser), :mod:`~territoire_abm.game.app` (the Solara web app),
:mod:`~territoire_abm.game.debrief` (the debrief pack) and
:mod:`~territoire_abm.game.replay` (the played decisions under many climate futures).
"""
