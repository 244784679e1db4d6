"""EPCI, département and région contours for the reports' maps (``geo/*.geojson.gz``).

IGN ADMIN EXPRESS COG CARTO (Licence Ouverte / Etalab 2.0), simplified by the COGiter package
(MTES-MCT); provenance in ``geo/contours.json``, refresh with ``scripts/refresh_contours.py`` (see
``docs/maps.md``). Coordinates are whole metres in Lambert-93 (EPSG:2154); the five overseas
départements are moved, scaled and rotated into insets west of the mainland (not real positions).

An edition draws the EPCI of the shipped vintage nearest its year (:func:`epci_vintage`), and the
départements and régions of their single shipped vintage. A vintage is read once per process.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from cohorte.errors import ParamsError

GEO_DIR = Path(__file__).with_name("geo")
PROVENANCE_FILE = GEO_DIR / "contours.json"
KINDS = ("epci", "departements", "regions")
OVERSEAS = ("971", "972", "973", "974", "976")
_FILE = re.compile(r"^(epci|departements|regions)-(\d{4})\.geojson\.gz$")


@dataclass(frozen=True)
class Layer:
    """One contour file: its territories' codes and rings, ready for matplotlib collections."""

    kind: str
    year: int
    codes: tuple[str, ...]  # SIREN (EPCI) or INSEE code, one per territory, sorted
    exteriors: tuple[np.ndarray, ...]  # every polygon's outer ring (n × 2, metres), largest first
    exterior_owner: np.ndarray  # index in ``codes`` of each exterior
    rings: tuple[np.ndarray, ...]  # every ring, holes included (for outlines)
    bounds: np.ndarray  # per territory: xmin, ymin, xmax, ymax

    def index(self, code: str) -> int:
        try:
            return self.codes.index(code)
        except ValueError:
            raise ParamsError(f"{self.path_name}: no territory {code!r} in the {self.kind} of {self.year}") from None

    @property
    def path_name(self) -> str:
        return f"{self.kind}-{self.year}.geojson.gz"

    def polygons_of(self, code: str) -> list[np.ndarray]:
        """The outer rings of one territory."""
        i = self.index(code)
        return [ring for ring, owner in zip(self.exteriors, self.exterior_owner, strict=True) if owner == i]

    def bounds_of(self, code: str) -> tuple[float, float, float, float]:
        xmin, ymin, xmax, ymax = self.bounds[self.index(code)]
        return float(xmin), float(ymin), float(xmax), float(ymax)


@cache
def shipped(kind: str, folder: Path = GEO_DIR) -> tuple[int, ...]:
    """The vintages (COG years) shipped for ``kind``, oldest first."""
    found = (_FILE.match(p.name) for p in folder.glob("*.geojson.gz"))
    return tuple(sorted(int(m[2]) for m in found if m and m[1] == kind))


def nearest_vintage(kind: str, year: int, folder: Path = GEO_DIR) -> int:
    """The shipped vintage of ``kind`` for ``year``: that year, else the nearest (the older on a tie)."""
    years = shipped(kind, folder)
    if not years:
        raise ParamsError(f"{folder}: no {kind}-YEAR.geojson.gz contours shipped; see docs/maps.md to add them")
    return min(years, key=lambda y: (abs(y - year), y))


def epci_vintage(year: int) -> int:
    """The EPCI contours an edition of ``year`` draws (named on its maps)."""
    return nearest_vintage("epci", year)


def _area(ring: np.ndarray) -> float:
    """Shoelace area of a closed ring (first point repeated last, as GeoJSON has it)."""
    x, y = ring[:, 0], ring[:, 1]
    return float(abs(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) / 2)


def _polygons(geometry: dict, where: str) -> list[list]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return [coords]
    if kind == "MultiPolygon":
        return list(coords)
    raise ParamsError(f"{where}: geometry {kind!r}, expected Polygon or MultiPolygon")


@cache
def load_layer(kind: str, year: int, folder: Path = GEO_DIR) -> Layer:
    """One vintage of contours, read once per process; a clear error when it is not shipped."""
    path = folder / f"{kind}-{year}.geojson.gz"
    if kind not in KINDS:
        raise ParamsError(f"contours: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not path.is_file():
        years = ", ".join(map(str, shipped(kind, folder))) or "none"
        raise ParamsError(f"{path}: no {kind} contours for {year} (shipped: {years}); see docs/maps.md")
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ParamsError(f"{path}: cannot be read as gzip GeoJSON ({exc})") from None
    key = "siren" if kind == "epci" else "code"
    codes: list[str] = []
    exteriors: list[tuple[float, np.ndarray, int]] = []
    rings: list[np.ndarray] = []
    bounds = []
    for number, feature in enumerate(data.get("features", [])):
        where = f"{path.name}, feature {number}"
        code = str((feature.get("properties") or {}).get(key, ""))
        if not code:
            raise ParamsError(f"{where}: no {key!r} property")
        index = len(codes)
        codes.append(code)
        own = []
        for polygon in _polygons(feature.get("geometry") or {}, where):
            parts = [np.asarray(r, dtype=float) for r in polygon if len(r) >= 4]
            if not parts:
                continue
            exteriors.append((_area(parts[0]), parts[0], index))
            rings.extend(parts)
            own.append(parts[0])
        if not own:
            raise ParamsError(f"{where}: {key} {code} has no polygon (expected Polygon or MultiPolygon rings)")
        stacked = np.vstack(own)
        bounds.append((*stacked.min(axis=0), *stacked.max(axis=0)))
    exteriors.sort(key=lambda item: -item[0])  # enclaves drawn after (over) the territory around them
    return Layer(
        kind,
        year,
        tuple(codes),
        tuple(ring for _, ring, _ in exteriors),
        np.array([owner for _, _, owner in exteriors], dtype=int),
        tuple(rings),
        np.array(bounds, dtype=float),
    )


@cache
def territory_polygons(kind: str, year: int, code: str, folder: Path = GEO_DIR) -> tuple[np.ndarray, ...]:
    """One territory's outer rings without parsing the whole file (a locator map needs one EPCI)."""
    path = folder / f"{kind}-{year}.geojson.gz"
    if not path.is_file():
        raise ParamsError(
            f"{path}: no {kind} contours for {year} (shipped: {', '.join(map(str, shipped(kind, folder)))})"
        )
    key = "siren" if kind == "epci" else "code"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        text = handle.read()
    start = text.find(f'{{"type":"Feature","properties":{{"{key}":"{code}"')
    if start < 0:
        return ()
    feature, _ = json.JSONDecoder().raw_decode(text, start)
    polygons = _polygons(feature.get("geometry") or {}, f"{path.name}, {code}")
    return tuple(np.asarray(polygon[0], dtype=float) for polygon in polygons)


def epci_layer(year: int) -> Layer:
    """The EPCI contours for an edition of ``year`` (the nearest shipped vintage)."""
    return load_layer("epci", epci_vintage(year))


def departements_layer(year: int) -> Layer:
    return load_layer("departements", nearest_vintage("departements", year))


def regions_layer(year: int) -> Layer:
    return load_layer("regions", nearest_vintage("regions", year))


def _inside(point: tuple[float, float], ring: np.ndarray) -> bool:
    """Ray casting: is the point inside the ring?"""
    x, y = point
    xs, ys = ring[:, 0], ring[:, 1]
    xn, yn = np.roll(xs, -1), np.roll(ys, -1)
    crosses = (ys > y) != (yn > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = xs + (y - ys) * (xn - xs) / (yn - ys)
    return bool(np.count_nonzero(crosses & (x < at)) % 2)


def interior_point(layer: Layer, code: str) -> tuple[float, float]:
    """A point inside a territory's largest polygon (the middle of its widest horizontal chord)."""
    ring = layer.polygons_of(code)[0]
    y = float(np.median(ring[:, 1]))
    xs, ys = ring[:, 0], ring[:, 1]
    xn, yn = np.roll(xs, -1), np.roll(ys, -1)
    crosses = (ys > y) != (yn > y)
    at = np.sort(xs[crosses] + (y - ys[crosses]) * (xn[crosses] - xs[crosses]) / (yn[crosses] - ys[crosses]))
    pairs = at.reshape(-1, 2) if len(at) % 2 == 0 and len(at) else np.array([[xs.min(), xs.max()]])
    widest = pairs[np.argmax(pairs[:, 1] - pairs[:, 0])]
    return float(widest.mean()), y


def containing(layer: Layer, point: tuple[float, float]) -> str | None:
    """The code of the territory of ``layer`` whose polygon holds ``point`` (None: outside all)."""
    x, y = point
    boxes = layer.bounds
    candidates = np.flatnonzero((boxes[:, 0] <= x) & (x <= boxes[:, 2]) & (boxes[:, 1] <= y) & (y <= boxes[:, 3]))
    for index in candidates:
        if any(_inside(point, ring) for ring in layer.polygons_of(layer.codes[index])):
            return layer.codes[index]
    return None


@cache
def region_of_departement(code: str, year: int) -> str | None:
    """The INSEE code of the région holding a département (found from the contours themselves)."""
    departements = departements_layer(year)
    return containing(regions_layer(year), interior_point(departements, code))


def provenance(path: Path = PROVENANCE_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
