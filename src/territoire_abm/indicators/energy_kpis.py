"""Energy-community KPIs of one dispatch (DOMAIN §5; CityLearn and SéQuélec definitions).

One time step is one hour, so summing an hourly ``*_kw`` array gives kWh.

Divisions by zero return 0.0 (no renewables → self-consumption 0.0; no load →
self-sufficiency 0.0; no import → load factor 0.0), except ``critical_served_share``, which
is 1.0 when there was no outage (nothing critical was lost).

References
----------
.. [1] Vázquez-Canteli J. R. et al. (2020). "CityLearn: Standardizing research in multi-agent
   reinforcement learning for demand response and urban energy management."
   arXiv:2012.10504 (peak, load factor, ramping, unserved energy).
.. [2] Luthander R. et al. (2015). "Photovoltaic self-consumption in buildings: a review."
   Applied Energy 142, 80–94 (self-consumption and self-sufficiency rates).
"""

from __future__ import annotations

import numpy as np

from territoire_abm.flows.dispatch import DispatchResult, Tariffs


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else 0.0


def _share(value: float) -> float:
    return min(1.0, max(0.0, value))


def critical_autonomy_hours(soc_kwh: np.ndarray, critical_kw: np.ndarray,
                            discharge_efficiency: float) -> np.ndarray:
    """Hours the battery alone could carry the critical load if the grid failed after hour t.

    The energy deliverable at the end of hour ``t`` (``soc·η_discharge``) is spent on the
    critical load of the following hours (the year wraps around), the last hour pro rata.
    Local production and the battery power limit are ignored: a conservative, energy-only
    figure. Capped at the length of the series.
    """
    n = soc_kwh.size
    critical = np.tile(critical_kw, 2)
    cum = np.concatenate(([0.0], np.cumsum(critical)))
    start = np.arange(1, n + 1)
    target = cum[start] + soc_kwh * discharge_efficiency
    end = np.searchsorted(cum, target, side="right")
    inside = end <= 2 * n
    last = np.clip(end - 1, 0, 2 * n - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(critical[last] > 0, (target - cum[last]) / critical[last], 0.0)
    hours = np.where(inside, end - 1 - start + fraction, n)
    return np.minimum(hours, n)


def energy_kpis(result: DispatchResult, tariffs: Tariffs) -> dict[str, float]:
    """Annual KPIs of a dispatch.

    Keys: ``self_consumption_rate`` = (E_RE − E_export − E_curtailed)/E_RE with E_RE the
    local PV + hydro (biomass sold to the grid lowers it); ``self_sufficiency_rate`` =
    (E_load − E_unserved − E_import)/E_load, the share of the load met locally (DOMAIN's
    (E_load − E_import)/E_load when nothing is unserved); ``peak_import_kw``; ``load_factor``
    = mean/peak import; ``ramping_kw`` = Σ|ΔP_import|; ``cost_eur`` = import cost − export
    revenue + biomass cost; ``import_co2_t``; ``unserved_kwh``; ``curtailed_kwh``;
    ``critical_autonomy_hours`` = mean over the hours of :func:`critical_autonomy_hours`;
    ``critical_served_share`` = critical load served during outages / critical load in
    outages (critical load served first); ``local_renewable_kwh``; ``import_kwh``;
    ``export_kwh``; ``biomass_kwh``.
    """
    r = result
    n = r.import_kw.size
    price = np.broadcast_to(np.asarray(tariffs.import_price_eur_per_kwh, float), (n,))
    export_price = np.broadcast_to(np.asarray(tariffs.export_price_eur_per_kwh, float), (n,))
    co2 = np.broadcast_to(np.asarray(tariffs.import_co2_kg_per_kwh, float), (n,))
    # Local production includes the biomass unit (renewable wood), so what it exports is
    # taken from a total that counts it.
    renewable = float((r.pv_kw + r.hydro_kw + r.biomass_kw).sum())
    imported, exported = float(r.import_kw.sum()), float(r.export_kw.sum())
    curtailed, unserved = float(r.curtailed_kw.sum()), float(r.unserved_kw.sum())
    load = float(r.load_kw.sum())
    peak = float(r.import_kw.max()) if n else 0.0
    biomass = float(r.biomass_kw.sum())
    critical_out = r.critical_load_kw[r.outage_mask]
    critical_met = np.minimum(critical_out, r.met_load_kw[r.outage_mask])
    autonomy = critical_autonomy_hours(r.soc_kwh, r.critical_load_kw,
                                       r.assets.one_way_efficiency)
    return {
        "self_consumption_rate": _share(_ratio(renewable - exported - curtailed, renewable)),
        # Grid energy stored and served later can make load − import smaller than the load
        # served locally: the rate is bounded to [0, 1] (it is a share by definition).
        "self_sufficiency_rate": _share(_ratio(load - unserved - imported, load)),
        "peak_import_kw": peak,
        "load_factor": _ratio(imported / n if n else 0.0, peak),
        "ramping_kw": float(np.abs(np.diff(r.import_kw)).sum()),
        "cost_eur": float(r.import_kw @ price - r.export_kw @ export_price
                          + biomass * r.assets.biomass_cost_eur_per_kwh),
        "import_co2_t": float(r.import_kw @ co2) / 1000.0,
        "unserved_kwh": unserved,
        "curtailed_kwh": curtailed,
        "critical_autonomy_hours": float(autonomy.mean()) if n else 0.0,
        "critical_served_share": (float(critical_met.sum() / critical_out.sum())
                                  if critical_out.sum() > 0 else 1.0),
        "local_renewable_kwh": renewable,
        "import_kwh": imported,
        "export_kwh": exported,
        "biomass_kwh": biomass,
    }
