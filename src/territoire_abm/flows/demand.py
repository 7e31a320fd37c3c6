"""Energy and water demand, computed for all households and firms at once.

Hourly energy demand is the sum of a few hourly shapes (appliances, heating degree-hours,
cooling degree-hours) weighted by totals summed over agents, so the cost does not grow with
hours × agents. Daily water demand is built the same way from daily shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

HOURS = 8760
DAYS = 365

# Useful heating need by DPE class, kWh/m²/yr, at the reference climate, scaled from the DPE
# 2021 bands (arrêté du 31 mars 2021: A ≤ 70 … G > 420 kWh_ep/m²/yr, all uses, primary) to
# heating-only useful energy so that the mean dwelling needs ≈ 10 MWh/yr (CEREN: French
# residential heating ≈ 300 TWh for 30 M main homes): estimate (unconfirmed).
HEAT_NEED_KWH_M2 = np.array([15.0, 35.0, 60.0, 95.0, 135.0, 180.0, 240.0])
# Seasonal efficiency (final → useful) by heating system, ADEME/RE2020 conventions:
# electric 1.0, gas condensing 0.9, wood 0.75, oil 0.85, air-source heat pump SCOP 3.0.
HEATING_EFFICIENCY = np.array([1.0, 0.9, 0.75, 0.85, 3.0])
HEATING_IS_ELECTRIC = np.array([True, False, False, False, True])
# DPE classes are bands of primary energy, with electricity counted 2.3 times (arrêté du
# 31 mars 2021, DPE method 3CL-2021): a convector-heated home of a given class has an envelope
# about 2.3 times better than a boiler-heated home of the same class, so its useful need is
# the class need divided by 2.3. Heat pumps keep the class of the home they were fitted to.
CLASS_NEED_DIVISOR = np.array([2.3, 1.0, 1.0, 1.0, 1.0])
# Non-electric heating fuel prices, EUR/kWh (SDES Pégase 2024): gas 0.12, logs 0.07, oil 0.13;
# electric systems (0 and 4) are priced with the policy's electricity price. These are the
# 2025 rows of data/energy_pathways.csv; a run's years use the pathway's (HouseholdPrices).
FUEL_PRICE_EUR_PER_KWH = np.array([0.0, 0.12, 0.07, 0.13, 0.0])
# The electricity price the policy lever's default stands for (the pathways' 2025 price).
REFERENCE_ELECTRICITY_EUR_PER_KWH = 0.25


@dataclass(frozen=True)
class HouseholdPrices:
    """Retail prices households pay in a year, EUR/kWh: electricity, and heating fuel by
    heating system (0 for the electric systems, priced with electricity)."""

    electricity_eur_per_kwh: float
    fuel_eur_per_kwh: np.ndarray = field(default_factory=FUEL_PRICE_EUR_PER_KWH.copy)

    @classmethod
    def of_year(cls, electricity_lever_eur_per_kwh: float, electricity_eur_per_kwh: float,
                gas_eur_per_kwh: float, wood_eur_per_kwh: float,
                fuel_oil_eur_per_kwh: float) -> HouseholdPrices:
        """The national pathway's prices of a year (flows/pathways.py). The policy lever
        scales electricity: its default (0.25 EUR/kWh) gives the pathway's own price."""
        scale = electricity_lever_eur_per_kwh / REFERENCE_ELECTRICITY_EUR_PER_KWH
        return cls(electricity_eur_per_kwh * scale,
                   np.array([0.0, gas_eur_per_kwh, wood_eur_per_kwh, fuel_oil_eur_per_kwh, 0.0]))


def heating_price_eur_per_kwh(heating_system: np.ndarray, electricity_eur_per_kwh: float,
                              fuel_eur_per_kwh: np.ndarray = FUEL_PRICE_EUR_PER_KWH
                              ) -> np.ndarray:
    """Price of a kWh of heating final energy for each household's system."""
    return np.where(HEATING_IS_ELECTRIC[heating_system], electricity_eur_per_kwh,
                    np.asarray(fuel_eur_per_kwh)[heating_system])
# Appliances, lighting and cooking, kWh/yr = base + per person (ADEME/CRE ~2.5–3 MWh
# per household excluding heating and hot water): estimate (unconfirmed).
SPECIFIC_BASE_KWH = 1200.0
SPECIFIC_PER_PERSON_KWH = 600.0
# Domestic hot water, final kWh per person and year with a direct system: hot water is about
# 11 % of French residential final energy (CEREN), ~1.6 MWh per main home of 2.2 persons:
# estimate (unconfirmed). It uses the heating system's carrier, except that wood-heated homes
# have an electric water heater; heat pumps (thermodynamic water heaters) divide it by 2.5.
HOT_WATER_KWH_PER_PERSON = 700.0
HOT_WATER_DIVISOR = np.array([1.0, 1.0, 1.0, 1.0, 2.5])
HOT_WATER_IS_ELECTRIC = np.array([True, False, True, False, True])
# Air conditioning: kWh per m² per cooling degree day (base 22 °C), SEER ≈ 3: estimate
# (unconfirmed) giving ≈ 500 kWh/yr for 100 m² at 150 CDD (ADEME "Climatisation" 2021 order).
COOLING_KWH_PER_M2_CDD = 0.033
HEATING_BASE_C = 18.0
COOLING_BASE_C = 24.0


@dataclass(frozen=True)
class HourlyShapes:
    """Hourly shapes, each summing to 1 over the year (or zeros when no degree-hours)."""

    specific: np.ndarray
    heating: np.ndarray
    cooling: np.ndarray
    flat: np.ndarray
    daytime: np.ndarray


def _normalise(values: np.ndarray) -> np.ndarray:
    total = values.sum()
    return values / total if total > 0 else np.zeros_like(values)


_HOUR = np.arange(HOURS) % 24
# Residential double-peak profile (morning and evening), after RTE/Enedis load profiles RES1.
_DAILY_RES = np.array([0.55, 0.5, 0.48, 0.47, 0.48, 0.55, 0.8, 1.05, 1.0, 0.9, 0.85, 0.9,
                       1.0, 0.95, 0.85, 0.85, 0.95, 1.15, 1.4, 1.55, 1.45, 1.2, 0.95, 0.7])
_DAILY_WORK = np.where((_HOUR[:24] >= 8) & (_HOUR[:24] < 19), 1.6, 0.55)


def hourly_shapes(temperature_c: np.ndarray) -> HourlyShapes:
    """Shapes from the year's hourly temperature (8760 values)."""
    heating = np.maximum(0.0, HEATING_BASE_C - temperature_c)
    cooling = np.maximum(0.0, temperature_c - COOLING_BASE_C)
    return HourlyShapes(
        specific=_normalise(np.tile(_DAILY_RES, DAYS)),
        heating=_normalise(heating),
        cooling=_normalise(cooling),
        flat=np.full(HOURS, 1.0 / HOURS),
        daytime=_normalise(np.tile(_DAILY_WORK, DAYS)),
    )


def reference_hdd(tmean_monthly_c: np.ndarray) -> float:
    """Heating degree days (base 18 °C) of a climate from its monthly mean temperatures."""
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    return float(np.sum(days * np.maximum(0.0, HEATING_BASE_C - tmean_monthly_c)))


@dataclass
class HouseholdEnergy:
    """Annual energy use per household, kWh/yr (final energy)."""

    heating_useful_kwh: np.ndarray
    heating_final_kwh: np.ndarray
    heating_electric_kwh: np.ndarray
    cooling_kwh: np.ndarray
    specific_kwh: np.ndarray
    hot_water_kwh: np.ndarray | None = None  # final energy, all carriers
    hot_water_electric_kwh: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.hot_water_kwh is None:
            self.hot_water_kwh = np.zeros_like(self.specific_kwh, dtype=float)
        if self.hot_water_electric_kwh is None:
            self.hot_water_electric_kwh = np.zeros_like(self.hot_water_kwh)

    @property
    def electricity_kwh(self) -> np.ndarray:
        return (self.heating_electric_kwh + self.cooling_kwh + self.specific_kwh
                + self.hot_water_electric_kwh)

    @property
    def hot_water_fuel_kwh(self) -> np.ndarray:
        """Hot water from gas or oil boilers (billed and emitted as heating fuel)."""
        return self.hot_water_kwh - self.hot_water_electric_kwh


def household_energy(
    floor_area_m2: np.ndarray,
    energy_class: np.ndarray,
    heating_system: np.ndarray,
    persons: np.ndarray,
    has_cooling: np.ndarray,
    heating_factor: np.ndarray,
    cooling_factor: np.ndarray,
    hdd_ratio: float,
    cdd: float,
    income_per_cu_eur: np.ndarray | None = None,
    prebound_at_class_g: float = 0.0,
    income_elasticity: float = 0.0,
) -> HouseholdEnergy:
    """Heating from a degree-day method (need ∝ HDD, EN ISO 52016 simplified), cooling from CDD.

    ``heating_factor`` carries the measures in place. Occupants use less than the DPE need
    (:func:`prebound_factor`), and space heating and appliances scale with income per
    consumption unit (:func:`income_factor`) when ``income_per_cu_eur`` is given.
    """
    need = HEAT_NEED_KWH_M2[energy_class] / CLASS_NEED_DIVISOR[heating_system]
    income = np.ones(len(persons)) if income_per_cu_eur is None else income_factor(
        income_per_cu_eur, income_elasticity)
    occupants = prebound_factor(energy_class, prebound_at_class_g) * income
    useful = floor_area_m2 * need * hdd_ratio * heating_factor * occupants
    final = useful / HEATING_EFFICIENCY[heating_system]
    electric = np.where(HEATING_IS_ELECTRIC[heating_system], final, 0.0)
    cooling = np.where(has_cooling, floor_area_m2 * COOLING_KWH_PER_M2_CDD * cdd, 0.0)
    specific = (SPECIFIC_BASE_KWH + SPECIFIC_PER_PERSON_KWH * persons) * income
    hot_water = HOT_WATER_KWH_PER_PERSON * persons / HOT_WATER_DIVISOR[heating_system]
    hot_water_electric = np.where(HOT_WATER_IS_ELECTRIC[heating_system], hot_water, 0.0)
    return HouseholdEnergy(useful, final, electric, cooling * cooling_factor, specific,
                           hot_water, hot_water_electric)


def prebound_factor(energy_class: np.ndarray, prebound_at_class_g: float) -> np.ndarray:
    """Actual over theoretical heating use by DPE class (the *prebound effect*).

    Occupants of poorly rated homes heat much less than the rating assumes, the more so the
    worse the rating, while those of low-energy homes use slightly more (Sunikka-Blank &
    Galvin 2012, Building Research & Information 40(3):260–273: 3,400 German homes use on
    average 30 % less than their rating; Cozza et al. 2020, Energy and Buildings 224:110235:
    −23 % before retrofit, +2 % after). Linear in the theoretical need: 1 at class B,
    ``1 − prebound_at_class_g`` at class G (slightly above 1 at class A).
    """
    need = HEAT_NEED_KWH_M2[energy_class]
    scale = (need - HEAT_NEED_KWH_M2[1]) / (HEAT_NEED_KWH_M2[6] - HEAT_NEED_KWH_M2[1])
    return 1.0 - prebound_at_class_g * scale


#: Bounds of the income factor before it is normalised: no household uses less than half or
#: more than one and a half times the median household's energy; estimate (unconfirmed).
INCOME_FACTOR_BOUNDS = (0.5, 1.5)


def income_factor(income_per_cu_eur: np.ndarray, elasticity: float) -> np.ndarray:
    """Energy use relative to the territory's average household: (income / median income per
    consumption unit) ** elasticity, within [0.5, 1.5], divided by its mean over households.

    Low-income households restrict heating and own fewer appliances (Galvin & Sunikka-Blank
    2016, Energy 95:415–424: high prebound with low income signals fuel poverty); the
    elasticity is calibrated against the ONPE energy-poverty rate and the low-income bill
    (docs/validation.md). The use per household the model starts from (appliances: ADEME/RTE
    Panel Elecdom 2021, 2,228 kWh of specific electricity on average over 100 homes; heating
    from the DPE need) is a *mean* over households, so the factor averages 1: scaled on the
    median, right-skewed incomes added about 3 % to every use."""
    income = np.asarray(income_per_cu_eur, dtype=float)
    if income.size == 0:
        return income
    ratio = income / max(float(np.median(income)), 1e-9)
    factor = np.clip(ratio ** elasticity, *INCOME_FACTOR_BOUNDS)
    return factor / factor.mean()


# Firms, kWh/yr per employee (electricity, fuel) and cooling sensitivity: CEREN/ADEME sector
# intensities, estimate (unconfirmed). Farms: per hectare plus irrigation pumping.
FIRM_ELECTRICITY_KWH_PER_EMPLOYEE = np.array([6000.0, 25000.0, 7000.0])
FIRM_FUEL_KWH_PER_EMPLOYEE = np.array([15000.0, 30000.0, 5000.0])
IRRIGATION_PUMPING_KWH_PER_M3 = 0.3  # pressurised irrigation, Agence de l'eau (unconfirmed)
#: Share of electricity used for cooling by sector (farm, industry, services) at the reference
#: climate, scaled by cooling degree days; estimate (unconfirmed), like the intensities above.
FIRM_COOLING_SHARE = np.array([0.0, 0.05, 0.15])


def firm_energy(sector: np.ndarray, employees: np.ndarray, electricity_factor: np.ndarray,
                fuel_factor: np.ndarray, cdd_ratio: float) -> tuple[np.ndarray, np.ndarray]:
    """Annual electricity and fuel use per firm (kWh/yr); cooling grows with CDD."""
    cooling_share = FIRM_COOLING_SHARE[sector]
    weather = 1.0 + cooling_share * (cdd_ratio - 1.0)
    electricity = FIRM_ELECTRICITY_KWH_PER_EMPLOYEE[sector] * employees * weather
    fuel = FIRM_FUEL_KWH_PER_EMPLOYEE[sector] * employees
    return electricity * electricity_factor, fuel * fuel_factor


@dataclass
class WaterDemand:
    """Daily water demand by sector at the tap or field, m³/day (365 values each)."""

    households_indoor_m3: np.ndarray
    households_outdoor_m3: np.ndarray
    agriculture_m3: np.ndarray
    industry_m3: np.ndarray

    @property
    def households_m3(self) -> np.ndarray:
        return self.households_indoor_m3 + self.households_outdoor_m3


# Garden watering on dry days of May–September, L/garden/day (Cemagref/ONEMA estimates of
# outdoor use ≈ 10–20 % of domestic use): estimate (unconfirmed).
GARDEN_L_PER_DAY = 120.0
# Industry and services water use, L per employee per day: estimate (unconfirmed).
FIRM_WATER_L_PER_EMPLOYEE = np.array([0.0, 400.0, 60.0])
SUMMER = np.zeros(DAYS, dtype=bool)
SUMMER[120:273] = True  # 1 May – 30 September


_MONTH_OF_DAY = np.repeat(np.arange(12), [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
# Maize crop coefficients by month (FAO-56, Allen et al. 1998, Table 12, sown late April):
# May 0.4, June 0.8, July 1.15, August 1.1, September 0.7; none outside the season.
CROP_COEFFICIENT = np.array([0, 0, 0, 0, 0.4, 0.8, 1.15, 1.1, 0.7, 0, 0, 0])[_MONTH_OF_DAY]


# Available soil water ("réserve utile") of the Garonne terrace soils at sowing, mm: 100–150 mm
# (Arvalis / chambre d'agriculture soil guides): estimate (unconfirmed).
SOIL_RESERVE_MM = 100.0
#: Share of rain that reaches the crop's root zone (USDA SCS rule of thumb used with FAO-56).
EFFECTIVE_RAIN_SHARE = 0.8


def irrigation_need_mm(pet_mm: np.ndarray, precip_mm: np.ndarray) -> np.ndarray:
    """Daily net irrigation need, mm: crop ET (Kc·PET) minus effective rain, by month.

    FAO-56 single crop coefficient (Allen et al. 1998); effective rain 80 % of rain (USDA SCS
    rule of thumb). The balance is made per month (the soil stores a wet day's rain for the
    following days), then spread over the month's days in proportion to Kc·PET.
    """
    crop_et = CROP_COEFFICIENT * pet_mm
    et_month = np.bincount(_MONTH_OF_DAY, weights=crop_et, minlength=12)
    rain_month = np.bincount(_MONTH_OF_DAY, weights=EFFECTIVE_RAIN_SHARE * precip_mm,
                             minlength=12)
    need_month = np.maximum(0.0, et_month - rain_month)
    share = np.divide(crop_et, et_month[_MONTH_OF_DAY], out=np.zeros(DAYS),
                      where=et_month[_MONTH_OF_DAY] > 0)
    daily = need_month[_MONTH_OF_DAY] * share
    # The soil's available water at sowing covers the first part of the season.
    used_before = np.concatenate([[0.0], np.cumsum(daily)[:-1]])
    return np.clip(used_before + daily - SOIL_RESERVE_MM, 0.0, daily)


def water_demand(
    persons: np.ndarray,
    litres_per_person_day: float,
    household_water_factor: np.ndarray,
    garden: np.ndarray,
    irrigated_ha: np.ndarray,
    irrigation_factor: np.ndarray,
    firm_sector: np.ndarray,
    employees: np.ndarray,
    firm_water_factor: np.ndarray,
    precip_mm: np.ndarray,
    pet_mm: np.ndarray,
) -> WaterDemand:
    """Daily demand by sector; 1 mm on 1 ha is 10 m³."""
    indoor = float(np.sum(persons * household_water_factor)) * litres_per_person_day / 1000.0
    dry_summer = SUMMER & (precip_mm < 1.0)
    gardens = float(np.sum(garden * household_water_factor)) * GARDEN_L_PER_DAY / 1000.0
    irrigation = irrigation_need_mm(pet_mm, precip_mm) * 10.0 * float(
        np.sum(irrigated_ha * irrigation_factor))
    firms = float(np.sum(FIRM_WATER_L_PER_EMPLOYEE[firm_sector] * employees * firm_water_factor))
    return WaterDemand(
        households_indoor_m3=np.full(DAYS, indoor),
        households_outdoor_m3=np.where(dry_summer, gardens, 0.0),
        agriculture_m3=irrigation,
        industry_m3=np.full(DAYS, firms / 1000.0),
    )
