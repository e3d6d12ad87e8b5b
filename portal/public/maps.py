"""The map, built with folium from plain values; it never touches the database.

folium writes the Leaflet set-up (map, tiles, attribution, the search radius). Only its map element and
its script are used: its page header would load Leaflet from a CDN, and the portal makes no third-party
requests except for map tiles, so Leaflet comes from the app itself (portal/assets.py). The markers are
loaded per viewport by static/js/map.js from the public API, so the page stays light with a national
data set.
"""

from dataclasses import dataclass

import folium
from markupsafe import Markup

NETHERLANDS = (52.2, 5.3)


@dataclass(frozen=True)
class MapParts:
    """What a page needs to show a map: the element, its set-up script and the Leaflet variable name."""

    html: Markup
    script: Markup
    name: str


def build_map(*, tiles_url: str, attribution: str, center: tuple[float, float] = NETHERLANDS, zoom: int = 7,
              radius_m: float | None = None, marker_label: str | None = None) -> MapParts:
    """A folium map centred on a point, with the search radius drawn when one is given."""
    fmap = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True,
                      min_zoom=6, max_bounds=True, min_lat=50.3, max_lat=54.0, min_lon=2.5, max_lon=7.9)
    folium.TileLayer(tiles=tiles_url, attr=attribution, name="achtergrond", max_zoom=19, max_native_zoom=19,
                     subdomains=[]).add_to(fmap)
    if radius_m:
        folium.Circle(list(center), radius=radius_m, color="#154273", weight=2, fill=False,
                      interactive=False).add_to(fmap)
    if marker_label is not None:
        # A plain dot for the searched point; its tooltip text is escaped by folium (and the label is ours).
        folium.CircleMarker(list(center), radius=6, color="#000000", weight=2, fill=True, fill_color="#ffffff",
                            fill_opacity=1, interactive=False).add_to(fmap)
    figure = fmap.get_root()
    figure.render()
    return MapParts(html=Markup(figure.html.render()), script=Markup(figure.script.render()), name=fmap.get_name())
