"""Road transport of the territory: residents' cars (commuting and other trips) and freight.

Territorial inventories (Citepa's Secten format, ADEME/OREO regional inventories) count the
fuel burnt on the territory's roads. Transport is France's largest emitting sector (about a
third of territorial emissions) and weighs more in rural communes, where the car is the only
practical mode for most trips (INSEE Première 1835, 2021). Parameters: ``territory.emissions
.transport`` (sources in docs/odd_d.md and config/params.py).

Per household and year:

* car km = cars × km per car (SDES: ~12,200 km);
* of which commuting = workers × car share × 2 × one-way distance × working days (INSEE),
  capped at the car km; council measures (car-pooling, cycle network) scale the commuting part
  by council-factor-style (territory/year.py) coverage products;
* an electric share of the fleet (national pathway, ``flows/pathways.py``, plus a local boost
  from charging points, capped at 1) runs on electricity (kWh/100 km, ADEME) counted in the
  dispatched load and priced at the grid factor; the rest burns fuel (L/100 km, SDES) at
  3.17 kgCO2e/L (ADEME Base Carbone).

Freight through and within the territory is an exogenous per-inhabitant figure (Citepa)
scaled by the pathway's freight factor (SNBC: near-decarbonised road freight by 2050).
"""

from __future__ import annotations

from dataclasses import dataclass

from territoire_abm.config.params import TransportConfig


@dataclass(frozen=True)
class TransportYear:
    """One year of road transport: kilometres, energy and emissions of the territory."""

    car_km: float
    commute_car_km: float
    ev_share: float
    fuel_l: float
    ev_kwh: float
    passenger_t: float
    freight_t: float

    @property
    def total_t(self) -> float:
        """Tailpipe emissions of cars and freight, tCO2e (EV electricity is counted with the
        grid)."""
        return self.passenger_t + self.freight_t


def commute_km_per_household(cfg: TransportConfig) -> float:
    """Car km driven to work per household and year (before measures)."""
    return (cfg.workers_per_household * cfg.car_commute_share * 2.0 * cfg.commute_km_one_way
            * cfg.commute_days_per_yr)


def transport_year(cfg: TransportConfig, households: int, population: float, *,
                   ev_share: float, freight_factor: float,
                   commute_factor: float = 1.0) -> TransportYear:
    """Kilometres, fuel, EV electricity and tailpipe emissions of one year.

    ``commute_factor`` multiplies the commuting car km (car-pooling, soft modes: 1 = none);
    ``ev_share`` is the electric share of the car fleet (clipped to [0, 1]).
    """
    ev = min(1.0, max(0.0, ev_share))
    total_km = households * cfg.cars_per_household * cfg.km_per_car_yr
    commute = min(total_km, households * commute_km_per_household(cfg))
    commute_km = commute * commute_factor
    car_km = (total_km - commute) + commute_km   # other trips + commuting after measures
    fuel_l = car_km * (1.0 - ev) * cfg.fuel_l_per_100km / 100.0
    return TransportYear(
        car_km=car_km, commute_car_km=commute_km, ev_share=ev, fuel_l=fuel_l,
        ev_kwh=car_km * ev * cfg.ev_kwh_per_100km / 100.0,
        passenger_t=fuel_l * cfg.fuel_kgco2e_per_l / 1000.0,
        freight_t=cfg.freight_t_per_inhabitant * population * freight_factor)
