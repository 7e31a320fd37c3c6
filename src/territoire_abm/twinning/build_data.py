"""Build the shipped ``data/places.csv`` from ``data/climate_normals.csv``.

Run ``python -m territoire_abm.twinning.build_data`` after editing the raw file or the
tables below; ``tests/test_twinning.py`` checks that the shipped file is up to date.

What the build does (documented for users in ``data/README.md``):

- one row per place, 48 monthly columns (tmin, tmax, tmean, precip × 12);
- drops rows that only cross-check another row (press-quoted Córdoba precipitation; the
  1971–2000 Sevilla airport normals, superseded by 1981–2010; Lugo airport, precipitation
  only) and folds the partial Toulouse rows into the Carbonne estimate;
- renames the CHELSA grid points whose name collides with an AEMET station ("Madrid",
  "Valencia") to "<name> (CHELSA grid)";
- adds coordinates for Montauban and physical attributes (population, rurality);
- adds the two estimated places the project is built around, Carbonne and Fuente Obejuna.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from territoire_abm.climate.normals import (
    DATA_DIR,
    LAPSE_RATE_C_PER_KM,
    MONTHS,
    PlaceNormals,
    estimate_place,
    haversine_km,
    places_to_frame,
    rurality_from_population,
)

RAW_PATH = DATA_DIR / "climate_normals.csv"
OUT_PATH = DATA_DIR / "places.csv"

_RAW_VARIABLES = {"tmin_C": "tmin", "tmax_C": "tmax", "tmean_C": "tmean", "precip_mm": "precip"}

#: Rows dropped from the raw file, with the reason (kept in data/README.md).
DROPPED = {
    "Cordoba Aeropuerto (press-quoted normals)": "press cross-check of Córdoba Aeropuerto",
    "Sevilla Aeropuerto (1971-2000)": "older period of Sevilla Aeropuerto (1981-2010 kept)",
    "Lugo Aeropuerto": "precipitation only",
    "Toulouse-Blagnac": "partial (annual mean only); used for the Carbonne estimate",
    "Toulouse (Blagnac)": "partial (two months, annual rain); used for the Carbonne estimate",
    "Toulouse plain (Meteo-France monthly bulletin)": "single month; cross-check",
}

#: Approximate population of the municipality each place stands for (rounded, about
#: 2020). Entered by the project from national statistics (INE, INSEE, ISTAT, ELSTAT,
#: TurkStat, HCP...) at two significant figures, without a per-row citation: good enough
#: for the physical-similarity term (log scale), to be replaced by official figures
#: before any published comparison. Stations at airports stand for the city they serve.
POPULATION = {
    "Reus Aeropuerto": 104_000, "Barcelona Aeropuerto": 1_620_000,
    "Barcelona, Fabra": 1_620_000, "Girona Aeropuerto": 100_000,
    "Hondarribia, Malkarroa": 17_000, "San Sebastián, Igueldo": 187_000,
    "Bilbao Aeropuerto": 345_000, "Santander Aeropuerto": 172_000, "Oviedo": 220_000,
    "A Coruña": 245_000, "A Coruña Aeropuerto": 245_000,
    "Santiago De Compostela Aeropuerto": 98_000, "Pontevedra": 83_000,
    "Vigo Aeropuerto": 296_000, "Ponferrada": 64_000, "Ourense": 105_000, "Soria": 40_000,
    "Burgos Aeropuerto": 176_000, "Valladolid": 298_000, "Valladolid Aeropuerto": 298_000,
    "Ávila": 58_000, "Zamora": 61_000, "León Aeropuerto": 122_000,
    "Salamanca Aeropuerto": 143_000, "Molina De Aragón": 3_300,
    "Madrid Aeropuerto": 3_300_000, "Madrid": 3_300_000, "Madrid, Cuatro Vientos": 3_300_000,
    "Torrejón De Ardoz": 132_000, "Colmenar Viejo": 51_000, "Getafe": 185_000,
    "Toledo": 85_000, "Cáceres": 96_000, "Ciudad Real": 75_000, "Badajoz Aeropuerto": 150_000,
    "Huelva, Ronda Este": 143_000, "Córdoba Aeropuerto": 320_000,
    "Granada Base Aérea": 24_000, "Granada Aeropuerto": 230_000,
    "Sevilla Aeropuerto": 685_000, "Morón De La Frontera": 27_000,
    "Jerez De La Frontera Aeropuerto": 213_000, "Cádiz": 116_000, "Melilla": 86_000,
    "Tarifa": 18_000, "Málaga Aeropuerto": 575_000, "Almería Aeropuerto": 200_000,
    "San Javier Aeropuerto": 33_000, "Murcia": 460_000, "Alcantarilla, Base Aérea": 42_000,
    "Alicante/Alacant Aeropuerto": 337_000, "Alicante/Alacant": 337_000, "Cuenca": 54_000,
    "Albacete Base Aérea": 174_000, "Albacete": 174_000, "Teruel": 36_000,
    "Valencia Aeropuerto": 790_000, "Valencia": 790_000,
    "Castellón De La Plana, Almazora": 172_000, "Foronda-Txokiza": 253_000,
    "Logroño Aeropuerto": 151_000, "Pamplona": 200_000, "Pamplona Aeropuerto": 200_000,
    "Daroca": 2_000, "Zaragoza Aeropuerto": 675_000, "Lleida": 140_000,
    "Huesca Aeropuerto": 53_000, "Tortosa": 33_000, "Palma, Puerto": 420_000,
    "Palma Aeropuerto": 420_000, "Menorca  Aeropuerto": 29_000, "Eivissa Aeropuerto": 50_000,
    "Lanzarote Aeropuerto": 64_000, "La Palma Aeropuerto": 15_000,
    "Fuerteventura Aeropuerto": 41_000, "Tenerife Sur Aeropuerto": 52_000,
    "Tenerife Norte Aeropuerto": 158_000, "Sta.Cruz De Tenerife": 208_000,
    "Gran Canaria Aeropuerto": 102_000, "Hierro Aeropuerto": 5_000,
    "Lisbon": 545_000, "Porto": 232_000, "Barcelona": 1_620_000, "Seville": 685_000,
    "Málaga": 575_000, "Palma de Mallorca": 420_000, "Las Palmas": 380_000,
    "Santa Cruz de Tenerife": 208_000, "Madrid (CHELSA grid)": 3_300_000,
    "Valencia (CHELSA grid)": 790_000, "Paris": 2_150_000, "Nice": 342_000,
    "Bordeaux": 260_000, "Marseille": 870_000, "Montpellier": 295_000, "Zagreb": 770_000,
    "Split": 160_000, "Dubrovnik": 41_000, "Rome": 2_800_000, "Milan": 1_370_000,
    "Florence": 370_000, "Naples": 920_000, "Bologna": 390_000, "Palermo": 635_000,
    "Catania": 300_000, "Athens": 640_000, "Thessaloniki": 320_000, "Heraklion": 180_000,
    "Paphos": 35_000, "Istanbul": 15_500_000, "Bodrum": 190_000, "Valletta": 6_000,
    "Funchal (Madeira)": 105_000, "Casablanca": 3_350_000, "Marrakech": 930_000,
    "Agadir": 420_000, "Essaouira": 78_000, "Tunis": 640_000, "Chefchaouen": 43_000,
    "Fes": 1_110_000, "Montauban": 61_000,
}
#: Places whose rurality is not what the population rule gives, or has no population.
RURALITY = {
    "Puerto De Navacerrada": "rural",  # mountain pass, no settlement
    "Izaña": "rural",  # high-altitude observatory, no settlement
    "Valletta": "urban",  # capital inside a conurbation of about 400,000
}
ALIASES = {
    "Fuente Obejuna": ("Fuenteovejuna",),
    "Sevilla Aeropuerto": ("Sevilla",),
    "Córdoba Aeropuerto": ("Cordoba", "Córdoba"),
}

# Montauban: the raw file has no coordinates. Town centre 44.02 N, 1.35 E, about 100 m
# (approximate; not the station's metadata).
MONTAUBAN_POSITION = (44.02, 1.35, 100.0)

CARBONNE = {
    "name": "Carbonne", "country": "FR", "lat": 43.298, "lon": 1.225, "altitude_m": 190.0,
    "population": 5_737, "rurality": "rural",
}
FUENTE_OBEJUNA = {
    "name": "Fuente Obejuna", "country": "ES", "lat": 38.27, "lon": -5.42,
    "altitude_m": 640.0, "population": 4_600, "rurality": "rural",
}
#: Toulouse-Blagnac precipitation figures in the raw file (1991–2020, rounded, secondary
#: source): annual about 640 mm; driest February and July about 40 mm; wettest May about
#: 75 mm (Météo-France bulletin: 74 mm).
TOULOUSE_PRECIP_ANCHORS = {1: 40.0, 4: 75.0, 6: 40.0}
TOULOUSE_PRECIP_ANNUAL = 640.0


def _station_code(source: str) -> str:
    match = re.search(r"station (\w+);", source)
    return f"AEMET {match.group(1)}" if match else ""


def _credit(source: str) -> str:
    if source.startswith("AEMET"):
        return f"Fuente: AEMET ({_station_code(source)}). {source}"
    if "GeoRank" in source or "CHELSA" in source:
        return f"CHELSA v2.1 via GeoRank.place (CC-BY-4.0). {source}"
    if "Meteo-France" in source or "Météo-France" in source:
        return f"Météo-France. {source}"
    return source


def raw_places(raw: pd.DataFrame) -> list[PlaceNormals]:
    """Measured places of the raw long file (one :class:`PlaceNormals` per place)."""
    raw = raw[~raw["name"].isin(DROPPED)].copy()
    is_grid = raw["source"].str.contains("GeoRank", na=False)
    for name in ("Madrid", "Valencia"):
        raw.loc[is_grid & (raw["name"] == name), "name"] = f"{name} (CHELSA grid)"
    places = []
    for name, rows in raw.groupby("name", sort=False):
        first = rows.iloc[0]
        monthly = {v: np.full(12, np.nan) for v in _RAW_VARIABLES.values()}
        annual_precip = None
        sources, notes = [], []
        for _, row in rows.iterrows():
            variable = _RAW_VARIABLES[row["variable"]]
            monthly[variable] = row[list(MONTHS)].to_numpy(dtype=float)
            if variable == "precip" and not np.isfinite(monthly[variable]).any():
                annual_precip = float(row["annual"])
            credit = _credit(str(row["source"]))
            if credit not in sources:
                sources.append(credit)
            note = row["notes"] if isinstance(row["notes"], str) else ""
            if note and note not in notes:
                notes.append(note)
        grid = "GeoRank" in str(first["source"])
        lat, lon, alt = float(first["lat"]), float(first["lon"]), float(first["altitude_m"])
        period = str(first["period"])
        if name == "Montauban":
            lat, lon, alt = MONTAUBAN_POSITION
            period = "1991-2020"
            notes.append(
                "period unstated in the source (records to 2021; probably 1991-2020); "
                "coordinates and altitude approximate (town centre, estimated by the project); "
                "no precipitation in the source"
            )
        if grid:
            notes.append("altitude of the grid cell unknown")
        population = float(POPULATION.get(name, math.nan))
        places.append(
            PlaceNormals(
                name=name, country=str(first["country"]), lat=lat, lon=lon, altitude_m=alt,
                population=population,
                rurality=RURALITY.get(name) or rurality_from_population(population),
                period=period,
                tmin_c=monthly["tmin"], tmax_c=monthly["tmax"], tmean_c=monthly["tmean"],
                precip_mm=monthly["precip"], estimated=False, notes="; ".join(notes),
                precip_annual_mm=annual_precip, source=" | ".join(sources),
                kind="grid" if grid else "station", aliases=ALIASES.get(name, ()),
            )
        )
    return places


def carbonne_precip() -> np.ndarray:
    """Monthly precipitation of Carbonne from the partial Toulouse figures.

    February, May and July are the anchors; the other months are linearly interpolated
    between them (cyclically), then shifted by one common offset so the year sums to
    640 mm, each kept within [40, 74] mm so that February/July stay the driest months and
    May the wettest, as the source says. Iterated until the total matches.
    """
    anchors = sorted(TOULOUSE_PRECIP_ANCHORS)
    xp = np.array(anchors + [anchors[0] + 12], dtype=float)
    fp = np.array([TOULOUSE_PRECIP_ANCHORS[a] for a in anchors] + [
        TOULOUSE_PRECIP_ANCHORS[anchors[0]]
    ])
    months = np.arange(12, dtype=float)
    shifted = np.where(months < anchors[0], months + 12, months)
    base = np.interp(shifted, xp, fp)
    free = np.array([m not in TOULOUSE_PRECIP_ANCHORS for m in range(12)])
    fixed_total = sum(TOULOUSE_PRECIP_ANCHORS.values())
    low, high = 40.0, 74.0
    offset_lo, offset_hi = -100.0, 100.0
    for _ in range(100):  # bisection on the common offset
        offset = 0.5 * (offset_lo + offset_hi)
        values = np.clip(base[free] + offset, low, high)
        if fixed_total + values.sum() > TOULOUSE_PRECIP_ANNUAL:
            offset_hi = offset
        else:
            offset_lo = offset
    out = base.copy()
    out[free] = np.clip(base[free] + offset, low, high)
    return np.round(out, 1)


def seed_places(measured: list[PlaceNormals]) -> list[PlaceNormals]:
    """Carbonne and Fuente Obejuna, estimated as the project's data README describes."""
    lapse = LAPSE_RATE_C_PER_KM
    carbonne = estimate_place(
        **{k: CARBONNE[k] for k in ("name", "lat", "lon", "altitude_m")},
        country=CARBONNE["country"], population=CARBONNE["population"],
        rurality=CARBONNE["rurality"], places=measured, sources=["Montauban"],
    )
    precip = carbonne_precip()
    d_montauban = float(haversine_km(carbonne.lat, carbonne.lon, *MONTAUBAN_POSITION[:2]))
    carbonne = carbonne.replace(
        precip_mm=precip,
        period="1991-2020",
        notes=(
            f"estimated: temperatures from Montauban (Météo-France, about {d_montauban:.0f} km N, "
            "~100 m) "
            f"moved to 190 m with the lapse rate ({lapse:g} °C/km, "
            f"{lapse * 0.09:+.2f} °C); precipitation from the partial Toulouse-Blagnac "
            "figures (1991-2020, rounded, secondary source: annual ~640 mm, Feb and Jul "
            "~40 mm, May ~75 mm), other months interpolated between these and shifted to "
            "sum to 640 mm; period probably 1991-2020 (Montauban's is unstated). "
            "Cross-check: Toulouse-Blagnac Jan 6.3 / Aug 22.8 °C (1991-2020) against "
            "Montauban 5.6 / 22.0 °C, so this estimate may be up to ~0.7 °C too cool."
        ),
        source="estimated from Météo-France (Montauban) and Toulouse-Blagnac figures",
    )
    fuente = estimate_place(
        **{k: FUENTE_OBEJUNA[k] for k in ("name", "lat", "lon", "altitude_m")},
        country=FUENTE_OBEJUNA["country"], population=FUENTE_OBEJUNA["population"],
        rurality=FUENTE_OBEJUNA["rurality"], places=measured, sources=["Córdoba Aeropuerto"],
    )
    cordoba = next(p for p in measured if p.name == "Córdoba Aeropuerto")
    d_cordoba = float(haversine_km(fuente.lat, fuente.lon, cordoba.lat, cordoba.lon))
    fuente = fuente.replace(
        notes=(
            f"estimated: all variables from Córdoba Aeropuerto (AEMET 5402, 90 m, about "
            f"{d_cordoba:.0f} km SE; 1981-2010); temperatures moved to 640 m with the lapse rate "
            f"({lapse:g} °C/km, {lapse * 0.55:+.2f} °C); precipitation not corrected "
            "(Córdoba airport's is probably too high from missing years, while the Sierra "
            "Morena is likely wetter than the Guadalquivir valley)"
        ),
        source="estimated from AEMET (Córdoba Aeropuerto). Fuente: AEMET",
        aliases=ALIASES["Fuente Obejuna"],
    )
    return [carbonne, fuente]


def build(raw_path: Path = RAW_PATH) -> pd.DataFrame:
    """The ``places.csv`` table built from the raw long file."""
    raw = pd.read_csv(raw_path)
    measured = raw_places(raw)
    table = places_to_frame(measured + seed_places(measured))
    return table.sort_values(["country", "name"], kind="stable").reset_index(drop=True)


def main() -> None:
    """Write ``data/places.csv``."""
    table = build()
    table.to_csv(OUT_PATH, index=False, float_format="%.6g")
    print(f"wrote {OUT_PATH} ({len(table)} places)")


if __name__ == "__main__":
    main()
