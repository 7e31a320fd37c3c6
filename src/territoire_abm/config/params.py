"""Parameter dataclasses: the one source of truth for every model parameter.

Each field names its default, unit, allowed range and source (see :func:`param`). Hydra YAML
under ``configs/`` mirrors these defaults (a test checks they agree). Dotted paths such as
``behaviour.pmt.delay_years`` address the same fields from experiments and the game.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from territoire_abm.config.fields import param

UNCONFIRMED = "estimate (unconfirmed)"
HEATING_SYSTEMS = ("electric", "gas", "wood", "oil", "heat_pump")
ENERGY_CLASSES = ("A", "B", "C", "D", "E", "F", "G")
ARCHETYPES = ("reactive", "rule_following", "cost_benefit", "public_sentiment")
SCENARIOS = ("tracc", "ssp126", "ssp245", "ssp370", "ssp585")
FIRM_SECTORS = ("farm", "industry", "services")
# Yearly yield of a south-facing rooftop PV system in the South-West, kWh per kWp (DOMAIN §3;
# PVGIS gives 1,250–1,350 kWh/kWp around Toulouse). The one reference yield of the engine.
PV_YIELD_REFERENCE_KWH_PER_KWP = 1300.0


@dataclass
class PersonaConfig:
    """A household persona (seed 000: households represented through personae)."""

    share: float = param(0.2, unit="share", low=0, high=1, source="see personae table")
    persons: float = param(2.4, unit="persons", low=1, high=8, source="INSEE")
    income_eur: float = param(30000.0, unit="EUR/yr", low=5000, high=200000, source="INSEE")
    owner_share: float = param(0.6, unit="share", low=0, high=1, source="INSEE")
    floor_area_m2: float = param(90.0, unit="m2", low=15, high=400, source="INSEE")
    energy_class: str = param(
        "D", unit="-", choices=ENERGY_CLASSES, source="DPE 2021 (arrêté du 31 mars 2021)"
    )
    heating_mix: dict[str, float] = param(
        unit="share",
        source="SDES/CEREN French heating mix (DOMAIN §4)",
        factory=lambda: {"electric": 0.37, "gas": 0.36, "wood": 0.105, "oil": 0.096,
                         "heat_pump": 0.069},
    )
    garden_share: float = param(0.7, unit="share", low=0, high=1, source=UNCONFIRMED)
    elderly_share: float = param(0.2, unit="share", low=0, high=1, source="INSEE")
    prosocial_share: float = param(
        0.4, unit="share", low=0, high=1, source="Ghorbani et al. 2020, ERSS 70:101782"
    )


def _default_personae() -> dict[str, PersonaConfig]:
    """Five illustrative personae giving about 2.3 persons per household (Carbonne: 5,737
    inhabitants / 2,483 households, INSEE). Incomes (disposable, per household) are scaled so
    that the median income per consumption unit is near INSEE's national median niveau de vie
    (about 22,400 EUR, Filosofi 2021; grounding table row income_per_cu_median).

    Heating mixes follow SDES, *Les énergies de chauffage des ménages en France
    métropolitaine* (enquête Logement 2020, published 2024): houses are heated by network gas
    30 %, electricity about 36 % (of which heat pumps 9 %), wood 18 %, heating oil 14 %;
    farmers and over-75s more often by oil, small flats mainly by electricity, heat pumps
    almost only in houses. The territory's mix comes out at about 35 % convectors, 9 % heat
    pumps, 31 % gas, 15 % wood and 10 % oil (it had 41 % convectors and 14 % heat pumps, which
    put electricity per dwelling above RTE/CRE's range and 2 of 3 homes on electricity)."""
    return {
        "retired_owners_old_house": PersonaConfig(
            share=0.30, persons=1.6, income_eur=27500, owner_share=0.95, floor_area_m2=105,
            energy_class="E", heating_mix={"gas": 0.35, "oil": 0.25, "electric": 0.15,
                                           "wood": 0.25},
            garden_share=0.9, elderly_share=0.9, prosocial_share=0.45),
        "young_tenant_family": PersonaConfig(
            share=0.20, persons=3.1, income_eur=34500, owner_share=0.05, floor_area_m2=75,
            energy_class="D", heating_mix={"electric": 0.5, "gas": 0.5},
            garden_share=0.3, elderly_share=0.0, prosocial_share=0.35),
        "commuting_owner_family": PersonaConfig(
            share=0.30, persons=2.9, income_eur=52000, owner_share=0.95, floor_area_m2=115,
            energy_class="C", heating_mix={"heat_pump": 0.3, "electric": 0.3, "gas": 0.25,
                                           "wood": 0.15},
            garden_share=0.95, elderly_share=0.0, prosocial_share=0.35),
        "farming_household": PersonaConfig(
            share=0.05, persons=2.8, income_eur=32000, owner_share=1.0, floor_area_m2=140,
            energy_class="F", heating_mix={"wood": 0.5, "oil": 0.5},
            garden_share=1.0, elderly_share=0.3, prosocial_share=0.5),
        "low_income_single": PersonaConfig(
            share=0.15, persons=1.3, income_eur=17000, owner_share=0.2, floor_area_m2=50,
            energy_class="F", heating_mix={"electric": 0.8, "gas": 0.2},
            garden_share=0.1, elderly_share=0.35, prosocial_share=0.4),
    }


@dataclass
class TransportConfig:
    """Passenger cars and road freight of the territory (territorial inventory scope)."""

    cars_per_household: float = param(
        1.3, unit="cars/household", low=0, high=4,
        source="INSEE RP 2019: 86 % of households own a car, 1.2-1.5 cars per household in "
        "peri-urban and rural communes (1.1 nationally), " + UNCONFIRMED)
    km_per_car_yr: float = param(12200.0, unit="km/yr", low=1000, high=40000,
                                 source="SDES, bilan de la circulation 2019: ~12,200 km per "
                                 "private car per year")
    workers_per_household: float = param(
        1.0, unit="workers/household", low=0, high=4,
        source="INSEE RP: about 44 % of inhabitants in employment × 2.3 persons per household")
    commute_km_one_way: float = param(
        17.0, unit="km", low=0, high=150,
        source="INSEE (RP 2019, mobilités professionnelles): residents of peri-urban and rural "
        "communes commute 15-25 km one way (Carbonne lies 40 km from Toulouse), "
        + UNCONFIRMED)
    commute_days_per_yr: float = param(210.0, unit="days/yr", low=0, high=366,
                                       source="working days net of leave, " + UNCONFIRMED)
    car_commute_share: float = param(
        0.85, unit="share", low=0, high=1,
        source="INSEE Première 1835 (2021): 74 % of workers drive to work, over 85 % "
        "outside urban centres")
    fuel_l_per_100km: float = param(6.5, unit="L/100 km", low=2, high=15,
                                    source="SDES: fleet-average consumption of private cars "
                                    "about 6.4-6.7 L/100 km")
    fuel_kgco2e_per_l: float = param(3.17, unit="kgCO2e/L", low=2, high=4,
                                     source="ADEME Base Carbone, diesel 3.17 kgCO2e/L "
                                     "(DOMAIN §3)")
    ev_kwh_per_100km: float = param(17.0, unit="kWh/100 km", low=8, high=40,
                                    source="ADEME car labelling: 15-20 kWh/100 km at the plug")
    freight_t_per_inhabitant: float = param(
        0.75, unit="tCO2e/inhabitant/yr", low=0, high=5,
        source="Citepa Secten 2023: heavy and light goods vehicles ~40 % of transport's "
        "~130 MtCO2e, ≈0.75 t per inhabitant nationally (the commune lies on the A64 "
        "corridor; the national mean is taken)")


@dataclass
class AgricultureConfig:
    """Non-energy emissions of farming (Citepa inventory categories 3A-3D)."""

    soil_tco2e_per_ha: float = param(
        0.7, unit="tCO2e/ha/yr", low=0, high=5,
        source="Citepa Secten 2023: crops (N2O from fertilised soils) ~19 MtCO2e on 26.7 Mha "
        "of farmland (Agreste)")
    livestock_units_per_farm: float = param(
        15.0, unit="LU/farm", low=0, high=2000,
        source="Agreste, recensement agricole 2020, Haute-Garonne (cereal plain, mixed "
        "farms), " + UNCONFIRMED)
    livestock_tco2e_per_lu: float = param(
        2.5, unit="tCO2e/LU/yr", low=0, high=10,
        source="Citepa Secten 2023: livestock (enteric CH4 and manure) ~48 MtCO2e for about "
        "20 M livestock units; Idele: 3-4 t for a dairy cow")


@dataclass
class EmissionsConfig:
    """What the territorial inventory counts besides buildings' and firms' energy."""

    transport: TransportConfig = field(default_factory=TransportConfig)
    agriculture: AgricultureConfig = field(default_factory=AgricultureConfig)
    waste_t_per_inhabitant: float = param(
        0.2, unit="tCO2e/inhabitant/yr", low=0, high=2,
        source="Citepa Secten 2023: waste treatment ~14 MtCO2e (landfill methane three "
        "quarters), ≈0.2 t per inhabitant")
    fgas_t_per_inhabitant: float = param(
        0.2, unit="tCO2e/inhabitant/yr", low=0, high=2,
        source="Citepa Secten 2023: fluorinated gases (refrigeration and air conditioning "
        "leaks) ~14 MtCO2e, ≈0.2 t per inhabitant; phased down by EU Regulation 2024/573")
    ecm_reference_kwhep_per_inhabitant: float = param(
        30000.0, unit="kWh_ep/inhabitant/yr", low=1, high=200000,
        source="SDES, Bilan énergétique de la France 2022: final electricity ≈410 TWh × 2.58 "
        "+ fossil fuels ≈965 TWh, over 68 M inhabitants (E+C- conventions, indicators/ecm.py)")


@dataclass
class WaterConfig:
    """River basin, stocks and supplies of the territory's water year (flows/basin.py)."""

    elevation_m: float = param(185.0, unit="m", low=-10, high=4000,
                               source="IGN, Carbonne town centre (about 185 m)")
    pet_wind_m_s: float = param(2.0, unit="m/s", low=0.5, high=10,
                                source="FAO-56 (Allen et al. 1998) default when no wind data")
    pet_krs: float = param(0.16, unit="-", low=0.1, high=0.25,
                           source="FAO-56 eq. 50: 0.16 interior, 0.19 coastal locations")
    dewpoint_depression_per_c: float = param(
        0.7, unit="degC/degC", low=0, high=2,
        source="calibrated: FAO-56 PET +20 % at France +4 °C vs 1976–2005 (Météo-France "
        "2024); direction: falling land relative humidity (Byrne & O'Gorman 2018, PNAS 115)")
    crisis_ratio: float = param(0.71, unit="share of alert flow", low=0.1, high=0.79,
                                source="Garonne at Portet: crisis flow (DCR) 27 / alert 38 m3/s "
                                "(SDAGE Adour-Garonne, AEAG atlas 2009)")
    support_capacity_hm3: float = param(
        54.0, unit="hm3", low=0, high=1000,
        source="SMEAG: 54 hm3 guaranteed for Garonne low-flow support 2008–2019 "
        "(79 hm3 mobilisable in 2022)")
    support_max_release_m3s: float = param(
        18.0, unit="m3/s", low=0, high=200,
        source="SMEAG 2022: up to 18 m3/s released (40 % of the flow at Toulouse)")
    support_target_m3s: float = param(
        52.0, unit="m3/s", low=0, high=5000,
        source="DOE Garonne at Portet 48–52 m3/s (SDAGE Adour-Garonne, AEAG atlas 2009)")
    support_fill_share: float = param(
        0.012, unit="share of natural flow", low=0, high=1,
        source="calibrated: 1 Nov–30 Jun inflow fills 54 hm3 in a median year, 44 hm3 in "
        "the driest 10 % (benchmarks/calibrate_hydrology.py), short after dry "
        "winters and springs (SMEAG: 2023 limited by Pyrenean snow deficit), " + UNCONFIRMED)
    basin_territory_equivalents: float = param(
        30.0, unit="territories", low=0, high=10000,
        source="irrigated area of the Garonne alert zone upstream of Portet (~20,000 ha, of "
        "74,000 ha depending on the Garonne, SMEAG 2016) / the territory's ~450 ha, "
        + UNCONFIRMED)
    consumptive_share_piped: float = param(
        0.2, unit="share", low=0, high=1,
        source="drinking and industrial water mostly returns through sewage works, "
        + UNCONFIRMED)
    consumptive_share_irrigation: float = param(
        1.0, unit="share", low=0, high=1,
        source="Adour-Garonne: irrigation water fully consumed in low-flow periods (DOMAIN §1)")
    aquifer_capacity_m3: float = param(1.5e6, unit="m3", low=0, high=1e10,
                                       source="alluvial aquifer of the Garonne, usable "
                                       "storage around the well field, " + UNCONFIRMED)
    aquifer_recharge_area_km2: float = param(8.0, unit="km2", low=0, high=1e5,
                                             source=UNCONFIRMED)
    aquifer_residence_days: float = param(
        180.0, unit="days", low=1, high=1e5,
        source="alluvial aquifers drain to the river over months (BRGM), " + UNCONFIRMED)
    aquifer_min_share: float = param(
        0.2, unit="share", low=0, high=1,
        source="protected storage below which boreholes stop (piezometric crisis level), "
        + UNCONFIRMED)
    farm_reservoir_fill_mm: float = param(
        150.0, unit="mm", low=1, high=2000,
        source="effective winter rain that fills an empty hill reservoir, " + UNCONFIRMED)
    rainwater_tank_fill_mm: float = param(
        30.0, unit="mm", low=1, high=500,
        source="rain on ~100 m2 of roof that fills a 3 m3 tank (ADEME), " + UNCONFIRMED)
    import_capacity_m3_yr: float = param(
        0.0, unit="m3/yr", low=0, high=1e8,
        source="piped water bought from a neighbouring syndicate, drawn first by the "
        "network (flows/basin.py); 0: Carbonne is supplied by its own Garonne intake and "
        "wells (no interconnection assumed), " + UNCONFIRMED)


@dataclass
class HeatConfig:
    """Indoor overheating and heat-health (impacts/heat.py)."""

    comfort_offset_c: float = param(
        3.0, unit="degC", low=2, high=4,
        source="EN 16798-1:2019 adaptive comfort, category II upper limit θc + 3 K")
    time_constant_h: float = param(
        36.0, unit="h", low=4, high=200,
        source="free-running dwelling thermal time constant, masonry houses 1–3 days "
        "(Porritt et al. 2012, Energy Build. 55), " + UNCONFIRMED)
    internal_rise_c: float = param(
        1.5, unit="degC", low=0, high=6,
        source="internal gains ~4 W/m2 over summer conductance, " + UNCONFIRMED)
    solar_rise_c_by_class: dict[str, float] = param(
        unit="degC at full sun", factory=lambda: {
            "A": 4.0, "B": 4.5, "C": 5.0, "D": 6.0, "E": 7.0, "F": 8.0, "G": 9.0},
        source="solar gains over conductance, higher with poorly insulated roofs; set so a "
        "class-E house peaks ~4–6 K above outdoor on sunny days (Porritt et al. 2012), "
        + UNCONFIRMED)
    shading_solar_cut: float = param(
        0.7, unit="share", low=0, high=1,
        source="external shutters/blinds cut solar gains by 70–90 % (Fc 0.1–0.3, EN ISO "
        "52022-1); Porritt et al. 2012: external shutters among the most effective")
    cool_roof_solar_cut: float = param(
        0.5, unit="share", low=0, high=1,
        source="set so a class-E house's peak indoor temperature falls 1.2 K in a heat wave, "
        "the low end of 1.2–3.3 K for cool roofs on non-AC buildings (Santamouris 2014, "
        "Solar Energy 103:682–703)")
    retrofit_solar_cut: float = param(
        0.3, unit="share", low=0, high=1,
        source="roof/wall insulation cuts conducted solar gains (Porritt et al. 2012), "
        + UNCONFIRMED)
    greening_cooling_c: float = param(
        0.94, unit="degC", low=0, high=3,
        source="urban green spaces 0.94 K cooler (Bowler et al. 2010, Landsc. Urban "
        "Plan. 97:147–155)")
    fan_comfort_gain_c: float = param(
        1.2, unit="degC", low=0, high=2.2,
        source="EN 16798-1 / ASHRAE 55: air speed 0.6 m/s raises the upper limit 1.2 K "
        "(0.9 m/s: 1.8 K, 1.2 m/s: 2.2 K)")
    cooling_setpoint_c: float = param(26.0, unit="degC", low=18, high=32,
                                      source="ADEME: set air conditioning no lower than 26 °C")
    mortality_rr_per_c: float = param(
        0.0312, unit="1/degC", low=0.006, high=0.0572,
        source="Baccini et al. 2008, Epidemiology 19:711–719: +3.12 % (0.60–5.72) daily "
        "mortality per °C of max apparent temperature above threshold, Mediterranean cities")
    mortality_threshold_c: float = param(
        29.4, unit="degC", low=20, high=40,
        source="Baccini et al. 2008: Mediterranean threshold 29.4 °C max apparent temp. "
        "(used on Tmax: a stated simplification)")
    deaths_per_1000_yr: float = param(9.4, unit="deaths/1000 inhabitants/yr", low=1, high=30,
                                      source="INSEE 2023: 639,300 deaths, 68.2 M inhabitants")


@dataclass
class ImpactsConfig:
    """Climate impacts on crops, work and health of a year (territory/year.py, impacts)."""

    crop_heat_loss_per_hot_day: float = param(
        0.01, unit="share of yield/day", low=0, high=0.1,
        doc="crop yield lost per day with Tx > 35 °C",
        source="Schlenker & Roberts 2009, PNAS 106:15594 (maize, soy, cotton yields fall "
        "steeply above 29–32 °C)")
    rainfed_loss_per_drought_sd: float = param(
        0.12, unit="share of yield/SD", low=0, high=1,
        doc="rainfed yield lost per standard deviation of the drought index below zero",
        source=UNCONFIRMED)
    irrigated_loss_per_unmet_share: float = param(
        0.6, unit="share of yield/share unmet", low=0, high=1.5,
        doc="irrigated yield lost per share of irrigation demand not delivered",
        source="yield response to water deficit, FAO-33 (Doorenbos & Kassam 1979) "
        "Ky≈1.25 for maize over the season, scaled to the irrigated share of water use, "
        + UNCONFIRMED)
    productivity_loss_per_hot_day: float = param(
        0.002, unit="share of work/day", low=0, high=0.05,
        doc="labour productivity lost per day with Tx > 30 °C, before the sector weight",
        source="ILO 2019, Working on a warmer planet, " + UNCONFIRMED)
    productivity_weight_farm: float = param(
        0.5, unit="-", low=0, high=2,
        doc="sector weight of the heat productivity loss: farms",
        source="ILO 2019 sector exposure (heavy outdoor work), relative to industry, "
        + UNCONFIRMED)
    productivity_weight_industry: float = param(
        1.0, unit="-", low=0, high=2,
        doc="sector weight of the heat productivity loss: industry (the reference)",
        source="ILO 2019 sector exposure, " + UNCONFIRMED)
    productivity_weight_services: float = param(
        0.6, unit="-", low=0, high=2,
        doc="sector weight of the heat productivity loss: services",
        source="ILO 2019 sector exposure (mostly indoor, light work), " + UNCONFIRMED)
    elderly_heat_vulnerability: float = param(
        1.5, unit="-", low=1, high=5,
        doc="heat-stress multiplier of a household with an elderly member",
        source="Santé publique France: over-75s bear most heat mortality, " + UNCONFIRMED)
    council_heat_cover_floor: float = param(
        0.2, unit="-", low=0, high=1,
        doc="lowest heat-stress multiplier the council's measures together can reach",
        source="no set of municipal measures removes heat exposure, " + UNCONFIRMED)


@dataclass
class TerritoryConfig:
    """The commune: population, firms, climate place, river, assets."""

    name: str = param("Carbonne", unit="-", source="seed 003 (Carbonne, Occitanie)")
    climate_place: str = param(
        "Carbonne", unit="-", source="shipped normals (Montauban proxy, estimated; data/README)"
    )
    latitude_deg: float = param(43.3, unit="deg", low=-60, high=70, source="IGN")
    households: int = param(2483, unit="households", low=1, high=1_000_000,
                            source="INSEE, Carbonne (DOMAIN §4)")
    farms: int = param(40, unit="firms", low=0, high=100_000, source=UNCONFIRMED)
    industry_firms: int = param(30, unit="firms", low=0, high=100_000, source=UNCONFIRMED)
    service_firms: int = param(230, unit="firms", low=0, high=100_000, source=UNCONFIRMED)
    firms_scale_with_households: bool = param(
        True, unit="-",
        doc="when true and farms, industry_firms and service_firms keep their defaults "
        "(Carbonne's counts at its 2,483 households), the territory builder multiplies each by "
        "households / 2,483, holding firms per household at 300 / 2,483 = 0.12, so "
        "per-inhabitant results do not depend on the household count; counts you set are "
        "used as given",
        source="Carbonne's 300 firms for 5,737 inhabitants (52 per 1,000) held per inhabitant: "
        "a proportional-density assumption to check against INSEE's active establishments per "
        "commune (REE/SIRENE, rural Occitanie), " + UNCONFIRMED)
    personae: dict[str, PersonaConfig] = param(
        unit="-", source="illustrative personae (heating mixes: SDES enquête Logement 2020), "
        + UNCONFIRMED, factory=_default_personae
    )
    network_degree: int = param(6, unit="links", low=2, high=50,
                                source="Erdlenbruch & Bonté 2018 (small-world network)")
    network_rewiring: float = param(0.1, unit="probability", low=0, high=1,
                                    source="Watts & Strogatz 1998, Nature 393")
    heat_wave_tmin_c: float = param(
        21.0, unit="degC", low=10, high=35,
        source="Météo-France / Santé publique France canicule thresholds, Haute-Garonne "
        "(3-day mean Tmin 21, Tmax 36), " + UNCONFIRMED)
    heat_wave_tmax_c: float = param(36.0, unit="degC", low=20, high=50,
                                    source="see heat_wave_tmin_c, " + UNCONFIRMED)
    river_mean_flow_m3s: float = param(190.0, unit="m3/s", low=0.1, high=5000,
                                       source="Garonne at Portet, " + UNCONFIRMED)
    alert_flow_m3s: float = param(38.0, unit="m3/s", low=0.01, high=5000,
                                  source="Garonne at Portet alert threshold (DOMAIN §1)")
    hydro_capacity_kw: float = param(12000.0, unit="kW", low=0, high=1e6,
                                     source="EDF run-of-river plant at Carbonne, " + UNCONFIRMED)
    hydro_design_flow_m3s: float = param(300.0, unit="m3/s", low=1, high=5000,
                                         source=UNCONFIRMED)
    hydro_community_share: float = param(
        0.0, unit="share", low=0, high=1,
        source="EDF plant sells to the grid; a local share is a lever (seed 000)")
    rooftop_pv_share: float = param(0.04, unit="share of households", low=0, high=1,
                                    source="ADEME/Enedis rooftop PV penetration, " + UNCONFIRMED)
    air_conditioning_share: float = param(
        0.25, unit="share of households", low=0, high=1,
        source="ADEME 2021: 25 % of French households in 2020 (47 % in the South-East)")
    pv_kwp_per_rooftop: float = param(3.0, unit="kWp", low=0.5, high=36,
                                      source="typical residential system (CRE)")
    drinking_water_l_per_person_day: float = param(
        145.0, unit="L/person/day", low=50, high=400, source="DOMAIN §4 (SISPEA)")
    network_loss_share: float = param(0.20, unit="share", low=0, high=0.8,
                                      source="SISPEA/OFB 2020 national network yield ~80 %")
    irrigated_ha_per_farm: float = param(25.0, unit="ha", low=0, high=2000, source=UNCONFIRMED)
    rainfed_ha_per_farm: float = param(45.0, unit="ha", low=0, high=5000, source=UNCONFIRMED)
    irrigation_quota_m3_per_ha: float = param(
        2500.0, unit="m3/ha/yr", low=0, high=20000,
        source="authorised irrigation volumes in the Garonne plain (OUGC Garonne-Ariège), "
        "about 1,500–2,500 m3/ha for maize, " + UNCONFIRMED)
    crop_value_eur_per_ha: float = param(1500.0, unit="EUR/ha/yr", low=0, high=100000,
                                         doc="gross product of a hectare of crops",
                                         source="Agreste, " + UNCONFIRMED)
    irrigating_farm_share: float = param(0.45, unit="share", low=0, high=1,
                                         source="Agreste, Haute-Garonne, " + UNCONFIRMED)
    industry_employees: float = param(25.0, unit="persons/firm", low=1, high=10000,
                                      source=UNCONFIRMED)
    service_employees: float = param(5.0, unit="persons/firm", low=1, high=10000,
                                     source=UNCONFIRMED)
    river_withdrawal_cap_share: float = param(
        0.003, unit="share of flow", low=0, high=1,
        source="local share of the Garonne withdrawals, " + UNCONFIRMED)
    groundwater_m3_per_day: float = param(2500.0, unit="m3/day", low=0, high=1e7,
                                          source="drinking-water borehole pumping "
                                          "capacity, " + UNCONFIRMED)
    municipal_electricity_kwh_per_inhabitant: float = param(
        200.0, unit="kWh/inhabitant/yr", low=0, high=2000,
        source="ADEME (2019), Dépenses énergétiques des collectivités locales en 2017: "
        "electricity about half of communes' energy use, public lighting about 40 % of it; "
        "order of 150-250 kWh per inhabitant, " + UNCONFIRMED)
    emissions: EmissionsConfig = field(default_factory=EmissionsConfig)
    water: WaterConfig = field(default_factory=WaterConfig)
    heat: HeatConfig = field(default_factory=HeatConfig)
    impacts: ImpactsConfig = field(default_factory=ImpactsConfig)


@dataclass
class ScenarioConfig:
    """The climate trajectory (DOMAIN §1)."""

    name: str = param("tracc", unit="-", choices=SCENARIOS,
                      source="TRACC decree 2026; IPCC AR6 SPM Table 1")
    energy_pathway: str = param(
        "auto", unit="-", choices=("auto", "snbc", "ame", "frozen"),
        source="data/energy_pathways.csv: SNBC-2 (2020), RTE Futurs énergétiques 2050 (2021), "
        "DGEC AME; auto pairs the climate scenario with a storyline (flows/pathways.py)")
    reference_period: str = param("1991-2020", unit="-",
                                  choices=("1976-2005", "1981-2010", "1991-2020"),
                                  source="period of the shipped normals")


@dataclass
class PMTConfig:
    """Protection motivation theory (Rogers 1983; Erdlenbruch & Bonté 2018; Noll 2022)."""

    delay_years: float = param(2.0, unit="yr", low=0, high=10,
                               source="Erdlenbruch & Bonté 2018, Env. Sci. Policy 84")
    persistence_years: float = param(10.0, unit="yr", low=1, high=50,
                                     source="Erdlenbruch & Bonté 2018, Env. Sci. Policy 84")
    self_efficacy: float = param(0.6, unit="0-1", low=0, high=1,
                                 source="Noll et al. 2022, Nat. Clim. Change 12")
    response_efficacy: float = param(0.6, unit="0-1", low=0, high=1,
                                     source="Noll et al. 2022, Nat. Clim. Change 12")
    cost_sensitivity: float = param(1.0, unit="1/(cost/income)", low=0, high=10,
                                    source="Noll et al. 2022 (cost the strongest barrier)")
    intention_threshold: float = param(
        0.5, unit="0-1", low=0, high=1,
        source="history matching against adoption rates (non-implausible 0.41–0.62, "
        "validation.md), " + UNCONFIRMED)
    base_adoption_rate: float = param(
        0.06, unit="1/yr", low=0, high=1,
        doc="largest yearly probability that a household adopts a measure it intends",
        source="history matching against cooling and heat-pump adoption rates (ADEME 2021; "
        "Uniclima 2022): non-implausible 0.04–0.08, validation.md; " + UNCONFIRMED)
    intention_slope: float = param(
        0.15, unit="0-1", low=0.001, high=1,
        doc="width of the logistic step from intention to adoption probability",
        source="history matching against adoption rates (non-implausible 0.11–0.25; 0.05 "
        "made decisions all-or-nothing), " + UNCONFIRMED)
    descriptive_norm_weight: float = param(
        0.4, unit="0-1", low=0, high=1,
        doc="motivation added to an adaptation measure when every neighbour holds it",
        source="van Valkengoed & Steg 2019, Nat. Clim. Change 9 (descriptive norms among the "
        "strongest factors of adaptation behaviour); weight by history matching against "
        "ADEME 2021's cooling adoption (non-implausible 0.03–0.98, best points 0.30–0.48), "
        + UNCONFIRMED)
    knowledge_cost_discount: float = param(
        0.5, unit="share", low=0, high=1,
        doc="perceived-cost cut when a measure is fully known from twins",
        source="seed 003 (learning from twins lowers perceived cost), " + UNCONFIRMED)
    heat_severity_elderly: float = param(
        1.0, unit="0-1", low=0, high=1, doc="perceived severity of heat for over-75s",
        source="Santé publique France: over-75s bear most heat mortality")
    heat_severity_other: float = param(0.6, unit="0-1", low=0, high=1,
                                       doc="perceived severity of heat for other households",
                                       source=UNCONFIRMED)
    drought_severity_garden: float = param(
        1.0, unit="0-1", low=0, high=1, doc="perceived severity of drought with a garden",
        source="garden watering is the first use restricted (arrêtés sécheresse)")
    drought_severity_no_garden: float = param(
        0.4, unit="0-1", low=0, high=1, doc="perceived severity of drought without a garden",
        source=UNCONFIRMED)


@dataclass
class RiskConfig:
    """Risk-perception updating (Haer et al. 2017, Risk Analysis 37(10))."""

    memory_weight: float = param(1.0, unit="-", low=0, high=10, source="Haer et al. 2017")
    experience_weight: float = param(1.0, unit="-", low=0, high=10, source="Haer et al. 2017")
    social_weight: float = param(0.2, unit="-", low=0, high=10, source="Haer et al. 2017")
    no_event_experience_weight: float = param(0.04, unit="-", low=0, high=10,
                                              source="Haer et al. 2017")
    probability_weighting_delta: float = param(0.69, unit="-", low=0.2, high=1,
                                               source="Haer et al. 2017 (Tversky & Kahneman)")
    event_memory_factor: float = param(
        0.1, unit="-", low=0, high=10, doc="memory weight in an event year, × memory_weight",
        source="Haer et al. 2017 (a = 0.1 in event years)")
    quiet_social_factor: float = param(
        0.1, unit="-", low=0, high=10, doc="social weight in a quiet year, × social_weight",
        source="Haer et al. 2017 (c ≤ 0.02 in quiet years)")


@dataclass
class TPBConfig:
    """Theory of planned behaviour for PV and insulation (Ajzen 1991; Muelder & Filatova 2018)."""

    attitude_weight: float = param(0.4, unit="-", low=0, high=1,
                                   source="Muelder & Filatova 2018, JASSS 21(4)5")
    social_norm_weight: float = param(0.3, unit="-", low=0, high=1,
                                      source="Muelder & Filatova 2018, JASSS 21(4)5")
    control_weight: float = param(0.3, unit="-", low=0, high=1,
                                  source="Muelder & Filatova 2018, JASSS 21(4)5")
    attitude_base: float = param(0.3, unit="0-1", low=0, high=1,
                                 doc="attitude of a household with no prosocial value or gain",
                                 source="Muelder & Filatova 2018 (attitude terms), "
                                 + UNCONFIRMED)
    attitude_prosocial: float = param(0.3, unit="0-1", low=0, high=1,
                                      doc="attitude added by prosocial (environmental) values",
                                      source="Muelder & Filatova 2018, " + UNCONFIRMED)
    attitude_economic: float = param(0.4, unit="0-1", low=0, high=1,
                                     doc="attitude added by a payback well within the lifetime",
                                     source="Muelder & Filatova 2018, " + UNCONFIRMED)
    tenant_control: float = param(
        0.3, unit="0-1", low=0, high=1,
        doc="perceived control of a tenant relative to an owner",
        source="split incentives between landlords and tenants (IEA 2007), " + UNCONFIRMED)


@dataclass
class CommunityConfig:
    """Energy-community formation (Ghorbani et al. 2020, ERSS 70:101782)."""

    leader_share: float = param(0.02, unit="share", low=0, high=1, source="Ghorbani et al. 2020")
    min_members: int = param(30, unit="households", low=1, high=100000,
                             source="Ghorbani et al. 2020 (minimum membership)")
    dropout_rate: float = param(0.05, unit="1/yr", low=0, high=1, source="Ghorbani et al. 2020")
    join_rate: float = param(0.15, unit="1/yr", low=0, high=1,
                             doc="yearly joining probability of a prosocial neighbour of a leader",
                             source="Ghorbani et al. 2020 (recruitment by leaders), "
                             + UNCONFIRMED)
    join_trust_threshold: float = param(0.4, unit="0-1", low=0, high=1,
                                        doc="trust needed to join", source=UNCONFIRMED)
    dropout_satisfaction_offset: float = param(
        1.5, unit="-", low=1, high=10,
        doc="dropout rate × (offset − satisfaction): unhappy members leave more",
        source=UNCONFIRMED)


@dataclass
class PerceptionConfig:
    """What counts as a hazard event and as experience, and how long it is remembered."""

    heat_event_days: float = param(3.0, unit="days", low=0, high=365,
                                   doc="heat-wave days that make a year a heat event",
                                   source="Santé publique France: a heat wave lasts >= 3 days")
    heat_experience_scale_days: float = param(
        10.0, unit="person-days/person", low=0.1, high=365,
        doc="heat-stress days per person counted as full experience", source=UNCONFIRMED)
    drought_event_days: float = param(
        10.0, unit="days", low=0, high=365,
        doc="days at alerte renforcée or worse that make a year a drought event",
        source=UNCONFIRMED)
    drought_experience_scale_days: float = param(
        30.0, unit="days", low=1, high=365,
        doc="severe-restriction days counted as full experience", source=UNCONFIRMED)
    drought_experience_no_garden: float = param(
        0.5, unit="share", low=0, high=1,
        doc="experience of a household without a garden relative to a gardener",
        source=UNCONFIRMED)
    hazard_memory: float = param(0.8, unit="share/yr", low=0, high=1,
                                 doc="weight of last year's remembered hazard frequency",
                                 source="exponential memory of hazards, " + UNCONFIRMED)
    initial_hazard_frequency: float = param(
        0.3, unit="events/yr", low=0, high=1,
        doc="remembered frequency of heat and drought events at the start of a run",
        source="about one year in three with a heat wave or severe restrictions in the "
        "2010s in the Garonne plain, " + UNCONFIRMED)


@dataclass
class AdoptionConfig:
    """Economics households and firms weigh when adopting their own measures."""

    owner_only_capex_eur: float = param(
        2000.0, unit="EUR", low=0, high=1e6,
        doc="measures costing more are structural works only owners may decide",
        source="split incentives: landlords decide structural works (IEA 2007), "
        + UNCONFIRMED)
    modest_income_eur: float = param(
        25000.0, unit="EUR/yr", low=0, high=1e6,
        doc="below it a household gets the 'modest' subsidy",
        source="MaPrimeRénov' income ceilings (ANAH 2024), order of magnitude")
    modest_subsidy_multiplier: float = param(
        1.5, unit="-", low=0, high=10, doc="subsidy rate × this for modest households",
        source="MaPrimeRénov' bands (ANAH 2024), " + UNCONFIRMED)
    other_subsidy_multiplier: float = param(
        0.8, unit="-", low=0, high=10, doc="subsidy rate × this for other households",
        source="MaPrimeRénov' bands (ANAH 2024), " + UNCONFIRMED)
    max_subsidy_share: float = param(0.9, unit="share", low=0, high=1,
                                     doc="highest share of a cost public money pays",
                                     source="MaPrimeRénov' ceiling of 90 % (ANAH 2024)")
    pv_self_consumption_share: float = param(
        0.5, unit="share", low=0, high=1,
        doc="share of a household's PV output valued at the retail price (the rest exported)",
        source="typical residential self-consumption 30–50 % (ADEME), " + UNCONFIRMED)
    firm_large_roof_employees: float = param(
        8.0, unit="persons", low=0, high=10000,
        doc="service firms smaller than this rent or lack a large roof", source=UNCONFIRMED)
    value_added_eur_per_employee: float = param(
        60000.0, unit="EUR/yr", low=0, high=1e7,
        source="INSEE, non-financial firms: order of magnitude")
    firm_water_value_eur_per_m3: float = param(2.0, unit="EUR/m3", low=0, high=100,
                                               source=UNCONFIRMED)
    firm_fuel_price_eur_per_kwh: float = param(0.1, unit="EUR/kWh", low=0, high=2,
                                               source="SDES professional gas/fuel prices "
                                               "2024, " + UNCONFIRMED)
    firm_payback_slope: float = param(
        0.3, unit="-", low=0.001, high=10,
        doc="logistic width around a benefit/cost ratio of 1 (bounded rationality)",
        source=UNCONFIRMED)
    firm_adoption_rate: float = param(
        0.01, unit="1/yr", low=0, high=1,
        doc="largest yearly probability that a firm adopts a measure that pays back "
        "(separate from households' behaviour.pmt.base_adoption_rate)",
        source="history matching against PV per inhabitant in 2050 (RTE Futurs "
        "énergétiques 2050): non-implausible 0.003–0.02, validation.md; " + UNCONFIRMED)


@dataclass
class CooperationConfig:
    """Voluntary contributions and trust (reciprocity mode of seed 000)."""

    household_contribution_eur: float = param(
        30.0, unit="EUR/yr", low=0, high=10000, doc="yearly voluntary contribution",
        source=UNCONFIRMED)
    firm_contribution_eur: float = param(300.0, unit="EUR/yr", low=0, high=1e6,
                                         doc="yearly voluntary contribution of a firm",
                                         source=UNCONFIRMED)
    conditional_share: float = param(
        0.5, unit="share", low=0, high=1, doc="conditional co-operators among households",
        source="Fischbacher, Gächter & Fehr 2001, Economics Letters 71 (about 50 %)")
    initial_cooperation_rate: float = param(
        0.3, unit="share", low=0, high=1, doc="cooperation expected before any year is seen",
        source=UNCONFIRMED)
    cooperation_threshold: float = param(
        0.3, unit="share", low=0, high=1,
        doc="last year's cooperation rate above which conditional co-operators contribute",
        source="Fischbacher et al. 2001 (contribute if others do), " + UNCONFIRMED)
    trust_threshold: float = param(0.45, unit="0-1", low=0, high=1,
                                   doc="trust a conditional co-operator needs to contribute",
                                   source=UNCONFIRMED)
    min_income_eur: float = param(12000.0, unit="EUR/yr", low=0, high=1e6,
                                  doc="households below it do not contribute",
                                  source="near the INSEE poverty line for one person, "
                                  + UNCONFIRMED)
    firm_rate: float = param(
        0.3, unit="share", low=0, high=1,
        doc="contribution probability of a non-prosocial firm at the initial cooperation rate",
        source=UNCONFIRMED)
    tariff_trust_sensitivity: float = param(
        5.0, unit="1/(share of income)", low=0, high=100,
        doc="trust lost per unit of the surcharge's share of income", source=UNCONFIRMED)
    neighbour_trust_weight: float = param(
        0.1, unit="share", low=0, high=1, doc="yearly pull of trust toward neighbours' mean",
        source="social influence on trust (Flache et al. 2017, JASSS 20(4)2), " + UNCONFIRMED)


@dataclass
class VotingConfig:
    """Retrospective voting at municipal elections (Healy & Malhotra 2009)."""

    satisfaction_weight: float = param(2.0, unit="-", low=0, high=10,
                                       doc="utility per unit of satisfaction above 0.5",
                                       source=UNCONFIRMED)
    trust_weight: float = param(1.0, unit="-", low=0, high=10,
                                doc="utility per unit of trust above 0.5", source=UNCONFIRMED)
    negativity_weight: float = param(1.5, unit="-", low=0, high=10,
                                     doc="bad outcomes weigh more than good ones",
                                     source="Soroka 2006, J. Politics 68(2), " + UNCONFIRMED)
    harm_weight: float = param(0.5, unit="-", low=0, high=10,
                               doc="utility lost at full heat harm, × negativity_weight",
                               source=UNCONFIRMED)
    harm_scale_days: float = param(10.0, unit="person-days/person", low=0.1, high=365,
                                   doc="heat-stress days per person counted as full harm",
                                   source=UNCONFIRMED)
    relief_scale_eur: float = param(50.0, unit="EUR/inhabitant", low=0.1, high=10000,
                                    doc="relief spending per inhabitant counted as one unit",
                                    source=UNCONFIRMED)
    preparedness_scale_eur: float = param(
        500.0, unit="EUR/inhabitant", low=0.1, high=100000,
        doc="preparedness spending per inhabitant counted as one unit", source=UNCONFIRMED)
    slope: float = param(4.0, unit="-", low=0, high=100,
                         doc="logistic slope from utility to voting probability",
                         source=UNCONFIRMED)
    crisis_challenger_weight: float = param(
        2.0, unit="-", low=1, high=10,
        doc="odds of a reactive or public-sentiment challenger after a hazard year",
        source="Healy & Malhotra 2009 (voters reward reaction), " + UNCONFIRMED)
    incumbency_advantage: float = param(
        0.0, unit="-", low=-2, high=2,
        doc="utility of the outgoing team before any judgement (name recognition, record)",
        source="calibrated to the re-election rate of outgoing teams (grounding table: "
        "Ministère de l'Intérieur 2020, Mediacités 2020), " + UNCONFIRMED)
    swing_sd: float = param(
        0.4, unit="-", low=0, high=5,
        doc="standard deviation of the election's common utility shock (candidates, "
        "campaign, national mood), shared by every voter",
        source="calibrated to the re-election rate of outgoing teams, " + UNCONFIRMED)


@dataclass
class RolesConfig:
    """Thresholds of the groups' and the community's default rules (governance/rules.py)."""

    proposal_threshold: float = param(0.5, unit="0-1", low=0, high=1,
                                      doc="support a measure needs to be proposed",
                                      source=UNCONFIRMED)
    energy_support_base: float = param(
        0.3, unit="0-1", low=0, high=1,
        doc="support for energy measures on top of the trusting prosocial share",
        source=UNCONFIRMED)
    energy_trust_threshold: float = param(0.5, unit="0-1", low=0, high=1,
                                          doc="trust of the households counted as supporters",
                                          source=UNCONFIRMED)
    farmer_unmet_threshold: float = param(0.1, unit="share", low=0, high=1,
                                          doc="unmet irrigation share that presses farmers",
                                          source=UNCONFIRMED)
    farmer_crop_loss_threshold: float = param(0.15, unit="share", low=0, high=1,
                                              doc="crop loss that presses farmers",
                                              source=UNCONFIRMED)
    business_loss_threshold: float = param(0.02, unit="share", low=0, high=1,
                                           doc="productivity loss that presses businesses",
                                           source=UNCONFIRMED)
    self_sufficiency_target: float = param(
        0.5, unit="share", low=0, high=1,
        doc="below it the community invests in PV and recommends energy measures",
        source=UNCONFIRMED)
    curtailment_trigger_share: float = param(
        0.02, unit="share", low=0, high=1,
        doc="curtailed share of local renewables that triggers storage", source=UNCONFIRMED)


@dataclass
class SatisfactionConfig:
    """Households' yearly satisfaction with living in the commune."""

    adjustment_rate: float = param(0.3, unit="1/yr", low=0, high=1,
                                   doc="yearly pull of satisfaction toward this year's comfort",
                                   source=UNCONFIRMED)
    heat_weight: float = param(0.4, unit="-", low=0, high=1, doc="comfort lost at full heat harm",
                               source=UNCONFIRMED)
    bill_weight: float = param(0.3, unit="-", low=0, high=1,
                               doc="comfort lost at the full bill burden", source=UNCONFIRMED)
    restriction_weight: float = param(0.2, unit="-", low=0, high=1,
                                      doc="comfort lost by a gardener at full restriction",
                                      source=UNCONFIRMED)
    heat_scale_days: float = param(20.0, unit="person-days/person", low=0.1, high=365,
                                   doc="heat-stress days per person counted as full harm",
                                   source=UNCONFIRMED)
    bill_burden_share: float = param(
        0.15, unit="share of income", low=0.01, high=1,
        doc="energy + water bills at this share of income count as full burden",
        source="about twice the ONPE 8 % energy-effort threshold, " + UNCONFIRMED)


@dataclass
class HouseholdEnergyConfig:
    """Actual against theoretical heating use (prebound effect, income restriction)."""

    prebound_at_class_g: float = param(
        0.4, unit="share", low=0, high=0.9,
        source="Sunikka-Blank & Galvin 2012, Build. Res. Inf. 40(3) (mean −30 %, growing with "
        "the rating); Cozza et al. 2020, Energy Build. 224 (−23 % before retrofit)",
        doc="heating use below the DPE need at class G (0 at class B)")
    income_elasticity: float = param(
        0.75, unit="-", low=0, high=1.5,
        source="Galvin & Sunikka-Blank 2016, Energy 95 (low income, high prebound); history "
        "matching against ONPE energy poverty, the bills and household energy (2026-12: "
        "non-implausible 0.35–1.17, best points 0.70–0.75; was 0.6), " + UNCONFIRMED,
        doc="heating and appliance use ∝ (income per consumption unit / median) ** elasticity")


@dataclass
class InitialStateConfig:
    """Behavioural state of households and firms at the start of a run (territory/population.py):
    households draw each from a normal distribution clipped to [0, 1]; firms start alike."""

    risk_heat_mean: float = param(
        0.45, unit="share", low=0, high=1, doc="mean heat-risk perception",
        source="slightly above the neutral 0.5 of drought: heat waves of 2003 and 2019 are "
        "widely remembered (Santé publique France surveys), " + UNCONFIRMED)
    risk_drought_mean: float = param(0.4, unit="share", low=0, high=1,
                                     doc="mean drought-risk perception", source=UNCONFIRMED)
    trust_mean: float = param(0.5, unit="share", low=0, high=1,
                              doc="mean trust in the council and neighbours",
                              source="neutral starting point, " + UNCONFIRMED)
    satisfaction_mean: float = param(0.6, unit="share", low=0, high=1,
                                     doc="mean satisfaction with the council",
                                     source=UNCONFIRMED)
    spread: float = param(0.1, unit="share", low=0, high=0.5,
                          doc="standard deviation of each household draw", source=UNCONFIRMED)
    firm_prosocial_share: float = param(0.3, unit="share", low=0, high=1,
                                        doc="firms with a prosocial orientation",
                                        source=UNCONFIRMED)
    firm_satisfaction: float = param(0.6, unit="share", low=0, high=1,
                                     doc="firms' satisfaction at the start",
                                     source="as households' mean, " + UNCONFIRMED)
    firm_trust: float = param(0.5, unit="share", low=0, high=1,
                              doc="firms' trust at the start",
                              source="as households' mean, " + UNCONFIRMED)


@dataclass
class BehaviourConfig:
    """Behaviour of households and firms (DOMAIN §6)."""

    pmt: PMTConfig = field(default_factory=PMTConfig)
    risk: RiskConfig = field(default_factory=RiskConfig)
    tpb: TPBConfig = field(default_factory=TPBConfig)
    community: CommunityConfig = field(default_factory=CommunityConfig)
    energy: HouseholdEnergyConfig = field(default_factory=HouseholdEnergyConfig)
    perception: PerceptionConfig = field(default_factory=PerceptionConfig)
    adoption: AdoptionConfig = field(default_factory=AdoptionConfig)
    cooperation: CooperationConfig = field(default_factory=CooperationConfig)
    voting: VotingConfig = field(default_factory=VotingConfig)
    roles: RolesConfig = field(default_factory=RolesConfig)
    satisfaction: SatisfactionConfig = field(default_factory=SatisfactionConfig)
    initial: InitialStateConfig = field(default_factory=InitialStateConfig)
    restriction_compliance: float = param(0.8, unit="share", low=0, high=1,
                                          source="Perello-Moragues et al. 2021, Water 13(8)")
    twin_learning_weight: float = param(0.3, unit="-", low=0, high=1,
                                        source="seed 003 (social learning between twins), "
                                        + UNCONFIRMED)
    trust_learning_rate: float = param(0.2, unit="1/yr", low=0, high=1, source=UNCONFIRMED)
    relief_vote_weight: float = param(2.0, unit="-", low=0, high=10,
                                      source="Healy & Malhotra 2009, APSR 103(3)")
    preparedness_vote_weight: float = param(0.3, unit="-", low=0, high=10,
                                            source="Healy & Malhotra 2009, APSR 103(3)")


@dataclass
class CoordinationConfig:
    """Mix of the three coordination modes of seed 000; shares sum to 1."""

    reciprocity: float = param(0.34, unit="share", low=0, high=1, source="seed 000")
    exchange: float = param(0.33, unit="share", low=0, high=1, source="seed 000")
    authority: float = param(0.33, unit="share", low=0, high=1, source="seed 000")


@dataclass
class CoordinationEffectsConfig:
    """How the coordination mix acts (one function: governance/coordination.py)."""

    exchange_subsidy_gain: float = param(
        3.0, unit="-", low=0, high=100,
        doc="subsidy reach = min(1, gain × exchange share): tariff-funded schemes pass the "
        "national subsidy on", source=UNCONFIRMED)
    reciprocity_norm_gain: float = param(
        1.0, unit="-", low=0, high=10,
        doc="social-norm multiplier of households = 1 + gain × reciprocity share",
        source="reciprocity strengthens neighbour norms (seed 000), " + UNCONFIRMED)
    authority_enforcement: float = param(
        0.3, unit="1/yr", low=0, high=1,
        doc="yearly share of banned rentals retrofitted = gain × authority share",
        source="Loi Climat et Résilience 2021 enforcement, " + UNCONFIRMED)


@dataclass
class CouncilConfig:
    """Mayor and council (DOMAIN §6: archetypes, 6-year terms)."""

    archetype: str = param("cost_benefit", unit="-", choices=ARCHETYPES,
                           source="mayor archetypes (DOMAIN §6)")
    term_years: int = param(6, unit="yr", low=1, high=12, source="French municipal term")
    first_election_year: int = param(2026, unit="yr", low=1900, high=2200,
                                     source="French municipal elections March 2026")
    trial_window_years: int = param(3, unit="yr", low=1, high=20,
                                    source="seed 000 (policy by trial and error), "
                                    + UNCONFIRMED)
    drop_tolerance: float = param(
        0.1, unit="share", low=0, high=10,
        doc="a trial is dropped when its indicator is worse than at adoption by this share",
        source="weather noise of the indicators, " + UNCONFIRMED)
    retry_after_years: int = param(
        12, unit="yr", low=0, high=100,
        doc="a measure dropped after a failed trial is not tried again for this long",
        source="two municipal terms (memory of failed trials, issue 8), " + UNCONFIRMED)
    delay_shortfall_share: float = param(
        0.5, unit="share", low=0, high=1,
        doc="a funding shortfall above this share of the reciprocity part delays a year",
        source=UNCONFIRMED)
    relief_eur_per_inhabitant: float = param(
        5.0, unit="EUR/inhabitant/event", low=0, high=1000,
        doc="relief a reactive or public-sentiment council spends after an event",
        source="Healy & Malhotra 2009, " + UNCONFIRMED)
    value_heat_person_day_eur: float = param(
        60.0, unit="EUR/person-day", low=0, high=10000,
        doc="cost-benefit heuristic: value of a heat-stress person-day avoided",
        source=UNCONFIRMED)
    value_water_eur_per_m3: float = param(3.0, unit="EUR/m3", low=0, high=100,
                                          doc="cost-benefit heuristic: value of a m3 supplied",
                                          source=UNCONFIRMED)
    value_electricity_eur_per_kwh: float = param(
        0.2, unit="EUR/kWh", low=0, high=10,
        doc="cost-benefit heuristic: cost of a kWh consumed", source=UNCONFIRMED)
    value_pv_eur_per_kwh: float = param(0.13, unit="EUR/kWh", low=0, high=10,
                                        doc="cost-benefit heuristic: value of a PV kWh",
                                        source="EDF OA surplus tariff 2024, " + UNCONFIRMED)
    awareness_benefit_share: float = param(
        0.5, unit="share", low=0, high=1,
        doc="share of heat and water damages an awareness boost of 1 is credited with",
        source=UNCONFIRMED)


@dataclass
class PlanConfig:
    """An adaptive plan: actions taken when signposts cross triggers (governance/plans.py)."""

    name: str = param("none", unit="-",
                      source="Haasnoot et al. 2013 (dynamic adaptive policy pathways); "
                      "named plans in configs/plan/, or a YAML path; none = no plan")
    actions: list = param(unit="-", source="an inline plan (list of actions), used when not "
                          "empty; see docs/plans.md", factory=list)
    thresholds: dict[str, float] = param(
        unit="signpost unit", source="trigger thresholds as levers: action id -> threshold "
        "replacing the plan's", factory=dict)


@dataclass
class PolicyConfig:
    """Municipal policy levers."""

    council: CouncilConfig = field(default_factory=CouncilConfig)
    coordination: CoordinationConfig = field(default_factory=CoordinationConfig)
    coordination_effects: CoordinationEffectsConfig = field(
        default_factory=CoordinationEffectsConfig)
    plan: PlanConfig = field(default_factory=PlanConfig)
    budget_per_inhabitant_eur: float = param(
        40.0, unit="EUR/inhabitant/yr", low=0, high=2000,
        source="DGCL: ~350 EUR/inh/yr investment in communes 3.5–10k inh.; share for climate, "
        + UNCONFIRMED)
    subsidy_rate: float = param(0.3, unit="share", low=0, high=1,
                                source="MaPrimeRénov' typical coverage, " + UNCONFIRMED)
    max_debt_per_inhabitant_eur: float = param(1000.0, unit="EUR/inhabitant", low=0, high=20000,
                                               source="DGCL average commune debt ~ 900 EUR/inh")
    debt_interest_rate: float = param(0.03, unit="1/yr", low=0, high=0.3,
                                      source="French communes' average borrowing rate 2024, "
                                      + UNCONFIRMED)
    loan_years: int = param(
        20, unit="yr", low=1, high=50,
        doc="term over which a measure's capital is repaid (constant amortisation)",
        source="municipal investment loans of 15–25 years (Banque des Territoires, SFIL), "
        + UNCONFIRMED)
    cofunding_share: float = param(
        0.3, unit="share", low=0, high=0.9,
        doc="share of a municipal measure's capital paid by State and Region grants",
        source="DETR/DSIL and Fonds vert grants cover 20–80 % of eligible costs; "
        + UNCONFIRMED)
    discount_rate: float = param(0.04, unit="1/yr", low=0, high=0.2,
                                 source="France Stratégie 2013 public discount rate 4.5 %")
    water_price_eur_per_m3: float = param(4.3, unit="EUR/m3", low=0, high=20,
                                          source="SISPEA 2021 mean water+sanitation price")
    electricity_price_eur_per_kwh: float = param(0.25, unit="EUR/kWh", low=0, high=2,
                                                 source="CRE regulated tariff 2024")
    carbon_price_eur_per_t: float = param(100.0, unit="EUR/tCO2e", low=0, high=1000,
                                          source="Quinet 2019 valeur de l'action pour le climat "
                                          "(250 EUR in 2030), " + UNCONFIRMED)
    firm_transition_support: float = param(
        0.0, unit="share of firms per yr", low=0, high=1,
        doc="share of firms a decarbonisation programme (energy audits and advisers: CCI, "
        "ADEME, Bpifrance Diag Décarbon'Action) brings each year to weigh their fuel-saving "
        "measures; lifts those measures' yearly adoption cap from "
        "behaviour.adoption.firm_adoption_rate towards 1 (agents/firms.py)",
        source="a policy lever, 0 = no programme; EU Energy Efficiency Directive 2012/27 art. 8 "
        "(energy audit every 4 years for large firms: 0.25/yr); audited firms adopt about half "
        "the recommended projects, those that pay back (Anderson & Newell 2004, Resource and "
        "Energy Economics 26:27-50)")


@dataclass
class OptimiserConfig:
    """Energy-community dispatch (DOMAIN §5)."""

    mode: str = param("rule", unit="-", choices=("rule", "lp"),
                      source="rule-based baseline beside HiGHS LP (CityLearn, pymgrid lesson)")
    window_h: int = param(168, unit="h", low=24, high=8760, source="STACK.md rolling horizon")
    lookahead_h: int = param(24, unit="h", low=0, high=720, source="STACK.md rolling horizon")
    forecast_error: float = param(0.05, unit="share", low=0, high=1, source=UNCONFIRMED)
    cost_weight: float = param(1.0, unit="-", low=0, high=100, source="DOMAIN §5")
    peak_weight_eur_per_kw: float = param(5.0, unit="EUR/kW", low=0, high=1000,
                                          source="TURPE capacity component, " + UNCONFIRMED)
    reserve_weight: float = param(0.01, unit="EUR/kWh", low=0, high=10, source=UNCONFIRMED)
    reserve_share: float = param(0.2, unit="share", low=0, high=1, source=UNCONFIRMED)
    allow_grid_charging: bool = param(False, unit="-", source="DOMAIN §5 (no grid arbitrage)")
    battery_kwh: float = param(0.0, unit="kWh", low=0, high=1e7,
                               source="extra community storage beyond the per-household size")
    battery_kw: float = param(0.0, unit="kW", low=0, high=1e7,
                              source="least battery power (else capacity / duration)")
    battery_kwh_per_household: float = param(
        2.0, unit="kWh/household", low=0, high=20,
        source="neighbourhood batteries 0.1–5 MW of about 2 h (ANU BSGIP 2023, 'What is a "
        "neighbourhood battery'); 1 MW for 2 h serves about 1,000 homes (Australian community "
        "battery programme) → ~2 kWh per household")
    battery_duration_h: float = param(2.0, unit="h", low=0.25, high=12,
                                      source="ANU BSGIP 2023 (neighbourhood batteries ~2 h)")
    flexible_share: float = param(
        0.1, unit="share of load", low=0, high=1,
        source="ADEME: hot water is 12 % of household energy, 20 % of the use of homes with "
        "an electric water heater, shifted daily by the HP/HC signal (Enedis 2022: 4.3 M "
        "heaters moved by 2 h); plus EV charging and pumping; firms' load dilutes it, "
        + UNCONFIRMED)
    ground_pv_kwp: float = param(0.0, unit="kWp", low=0, high=1e7, source="none at start")
    biomass_kw: float = param(0.0, unit="kW", low=0, high=1e6, source="none at start")
    heat_network_chp_kw: float = param(
        500.0, unit="kW", low=0, high=1e5,
        doc="electric output of the CHP of a village biomass heat network",
        source=UNCONFIRMED)
    critical_load_share: float = param(
        0.1, unit="share", low=0, high=1,
        doc="share of the load that must be served during an outage", source=UNCONFIRMED)
    outage_growth_per_heat_wave_day: float = param(
        0.1, unit="1/day", low=0, high=10,
        doc="outage hours grow by this share per heat-wave day", source=UNCONFIRMED)
    outage_hours_per_year: int = param(8, unit="h/yr", low=0, high=8760,
                                       source="CRE: ~60 min/yr average, storms longer; "
                                       + UNCONFIRMED)
    peak_price_eur_per_kwh: float = param(0.27, unit="EUR/kWh", low=0, high=2,
                                          source="CRE tarif bleu HP 2024")
    offpeak_price_eur_per_kwh: float = param(0.21, unit="EUR/kWh", low=0, high=2,
                                             source="CRE tarif bleu HC 2024")
    export_price_eur_per_kwh: float = param(0.13, unit="EUR/kWh", low=0, high=2,
                                            source="EDF OA surplus tariff 2024")


@dataclass
class ModelConfig:
    """Everything one run needs."""

    territory: TerritoryConfig = field(default_factory=TerritoryConfig)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    behaviour: BehaviourConfig = field(default_factory=BehaviourConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    optimiser: OptimiserConfig = field(default_factory=OptimiserConfig)
    seed: int = param(0, unit="-", low=0, high=2**63 - 1, source="user")
    start: int = param(2025, unit="yr", low=1990, high=2150, source="issue 2")
    until: int = param(2100, unit="yr", low=1990, high=2150, source="TRACC horizon")
    record_agents: bool = param(False, unit="-", source="agent-level records on request")
