"""Geocoding: the offline gazetteer, the PDOK Locatieserver adapter (recorded answers) and the fallback."""

import json
import logging
import threading
import urllib.error
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from register.geo.geometry import haversine_m
from register.geocoding import Place, gazetteer, geocode, parse_point, pdok
from tests.factories import STRATUMSEIND
from zichtbaar.config import Config

SEED = Config().seed_data_dir
RECORDINGS = Path(__file__).parent / "fixtures" / "pdok"
BASE = "https://pdok.example/bzk/locatieserver/search/v3_1"


def search(query, limit=8):
    return gazetteer.search(query, seed_dir=SEED, limit=limit)


def labels(query, limit=8):
    return [p.label for p in search(query, limit)]


class Recorded:
    """A fetch that answers from the recordings and remembers which URLs were asked for."""

    def __init__(self, suggest="suggest_stratumseind.json", lookups=None):
        self.suggest = suggest
        self.lookups = lookups or {
            "adr-7e1f3b0c9a2d4e65b8f0c1d2e3f4a5b6": "lookup_stratumseind_32.json",
            "wgd-9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d": "lookup_stratumseind_weg.json",
        }
        self.urls = []

    def __call__(self, url, timeout):
        self.urls.append(url)
        parts = urllib.parse.urlsplit(url)
        params = urllib.parse.parse_qs(parts.query)
        if parts.path.endswith("/suggest"):
            return (RECORDINGS / self.suggest).read_bytes()
        name = self.lookups.get(params["id"][0])
        if name is None:  # the Locatieserver answers an unknown id with an empty list
            return b'{"response": {"numFound": 0, "start": 0, "maxScore": 0.0, "docs": []}}'
        return (RECORDINGS / name).read_bytes()


def failing(error):
    def fetch(url, timeout):
        raise error
    return fetch


def answering(body: bytes):
    return lambda url, timeout: body


# --- gazetteer ---------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["5611", "5611 AB", "5611ab", " 5611AB ", "5611 Eindhoven", "5611-ab"])
def test_postcode_variants_find_the_four_digit_postcode(query):
    found = search(query)
    assert [(p.label, p.kind, p.municipality_code) for p in found] == [("5611 Eindhoven", "postcode", "GM0772")]


def test_eindhoven_centre_postcode_lies_near_stratumseind():
    (place,) = search("5611")
    assert haversine_m(place.lat, place.lon, *STRATUMSEIND) < 2000


def test_unknown_postcode_finds_nothing_unless_a_place_name_follows():
    assert search("0000") == []
    assert search("0000 Eindhoven")[0].label == "Eindhoven"


def test_two_or_three_digits_list_the_postcodes_that_start_with_them():
    found = search("561", limit=5)
    assert [p.label[:4] for p in found] == ["5611", "5612", "5613", "5614", "5615"]
    assert all(p.kind == "postcode" for p in found)


def test_place_name_comes_before_the_municipality_of_the_same_name():
    place, municipality = search("Eindhoven")[:2]
    assert (place.label, place.kind, place.municipality_code) == ("Eindhoven", "place", "GM0772")
    assert (municipality.label, municipality.kind) == ("Eindhoven (gemeente)", "municipality")
    assert haversine_m(place.lat, place.lon, *STRATUMSEIND) < 3000
    assert place.radius_m > 1000  # a city, not a street


def test_gemeente_prefix_and_our_own_label_ask_for_municipalities_only():
    assert labels("gemeente Eindhoven") == ["Eindhoven (gemeente)"]
    assert labels("Utrecht (gemeente)")[0] == "Utrecht (gemeente)"
    assert {p.kind for p in search("gemeente utrecht")} == {"municipality"}


@pytest.mark.parametrize("query", ["Den Bosch", "den bosch", "'s-Hertogenbosch", "s hertogenbosch"])
def test_s_hertogenbosch_answers_to_its_common_names(query):
    assert "GM0796" in {p.municipality_code for p in search(query)[:2]}
    assert search(query)[0].label.startswith("'s-Hertogenbosch")


def test_den_haag_finds_the_place_and_the_municipality_s_gravenhage():
    assert labels("Den Haag")[:2] == ["Den Haag", "'s-Gravenhage (gemeente)"]


def test_municipality_qualifier_in_brackets_is_optional():
    assert "Hengelo (O.) (gemeente)" in labels("hengelo")
    assert labels("Bergen (NH.) (gemeente)") == ["Bergen (NH.) (gemeente)"]


@pytest.mark.parametrize("query", ["Feanwâlden", "FEANWALDEN", "feanwalden"])
def test_case_and_accents_do_not_matter(query):
    assert labels(query) == ["Feanwâlden"]


def test_accented_municipality_found_without_accents():
    assert labels("sudwest-fryslan") == ["Súdwest-Fryslân (gemeente)"]


def test_one_name_in_two_municipalities_gives_two_places_with_the_municipality_in_the_label():
    found = search("Laren")
    assert [p.label for p in found[:3]] == ["Laren, Laren (NH.)", "Laren, Lochem", "Laren (NH.) (gemeente)"]
    assert haversine_m(found[0].lat, found[0].lon, found[1].lat, found[1].lon) > 50_000
    assert labels("Laren, Lochem")[0] == "Laren, Lochem"


def test_exact_before_prefix_before_contains():
    found = labels("Laren", limit=20)
    assert found.index("Laren (NH.) (gemeente)") < found.index("Zuidlaren")
    amsterdam = labels("amsterdam", limit=20)
    assert amsterdam[:2] == ["Amsterdam", "Amsterdam (gemeente)"]
    assert amsterdam.index("Amsterdam-Zuidoost") < amsterdam.index("Nieuw-Amsterdam")


def test_misplaced_po_box_postcode_does_not_make_a_second_place():
    # 4pp puts PC4 4790 (Klundert's PO boxes) in Eindhoven, 70 km off; Klundert is one place, in Moerdijk.
    (klundert,) = search("Klundert")
    assert (klundert.label, klundert.municipality_code) == ("Klundert", "GM1709")
    assert search("4790")[0].label == "4790 Klundert"  # the postcode itself is still found


def test_a_town_cut_by_a_municipal_border_stays_one_place():
    # Some "Amsterdam" postcodes lie in Ouder-Amstel (Duivendrecht); that is not a second Amsterdam.
    found = [p for p in search("Amsterdam") if p.kind == "place" and p.label.startswith("Amsterdam")]
    assert [(p.label, p.municipality_code) for p in found] == [("Amsterdam", "GM0363"), ("Amsterdam-Zuidoost", "GM0363")]


def test_limit_is_respected():
    assert len(search("en", limit=3)) == 3
    assert len(search("en")) == 8
    assert search("Eindhoven", limit=0) == []


@pytest.mark.parametrize("query", ["", "   ", "!!!", "a", "x" * 500, "zzqqxxv", "<script>", "51.4386,5.4820",
                                   None, 5611, "gemeente", "gemeente 5611"])
def test_empty_and_garbage_queries_find_nothing(query):
    assert gazetteer.search(query, seed_dir=SEED) == []


def test_loaded_once_per_directory(tmp_path):
    assert gazetteer.load(SEED) is gazetteer.load(SEED)
    (tmp_path / "gazetteer").mkdir()
    (tmp_path / "gazetteer" / "postcodes.csv").write_text(
        "postcode,place,municipality_code,municipality,province_code,lat,lon\n"
        "9901,Proefdorp,GM9999,Proefgemeente,PV20,53.0,6.0\n"
        "9902,Proefdorp,GM9999,Proefgemeente,PV20,53.0,6.0\n"  # a PO-box postcode on the same point
        "9903,Proefdorp,GM9999,Proefgemeente,PV20,53.02,6.0\n", encoding="utf-8")
    (tmp_path / "gazetteer" / "municipalities.csv").write_text(
        "gm_code,gemeentenaam,lat,lon\nGM9999,Proefgemeente,53.01,6.01\n", encoding="utf-8")
    own = gazetteer.load(tmp_path)
    assert own is not gazetteer.load(SEED) and own is gazetteer.load(tmp_path)
    (place,) = own.search("proefdorp")
    assert (place.lat, place.lon) == (53.01, 6.0)  # the mean of the distinct points, not of the rows
    assert gazetteer.search("Eindhoven", seed_dir=tmp_path) == []


def test_zoom_hint_grows_as_the_radius_shrinks():
    street = Place("Stratumseind", "address", 51.4386, 5.482, "GM0772", radius_m=100)
    region = Place("Súdwest-Fryslân (gemeente)", "municipality", 53.02, 5.55, "GM1900", radius_m=25_000)
    assert 16 <= street.zoom <= 18 and 9 <= region.zoom <= 11


# --- PDOK Locatieserver --------------------------------------------------------------------------

def test_centroide_ll_is_lon_lat():
    assert pdok.parse_point("POINT(5.48226 51.43858)") == (51.43858, 5.48226)
    assert pdok.parse_point("POINT (4.9 52.37)") == (52.37, 4.9)
    for bad in ("", "POINT()", "POINT(5.4)", "POLYGON((1 2, 3 4))", None, 7):
        assert pdok.parse_point(bad) is None


def test_suggest_reads_the_recorded_answer_and_skips_unsupported_types():
    fetch = Recorded()
    found = pdok.suggest("Stratumseind 32 Eindhoven", base_url=BASE, fetch=fetch)
    assert [(s.type, s.label) for s in found] == [
        ("adres", "Stratumseind 32, 5611ET Eindhoven"), ("adres", "Stratumseind 32A, 5611ET Eindhoven"),
        ("weg", "Stratumseind, Eindhoven"), ("adres", "Stratumseind 30, 5611ET Eindhoven")]
    assert found[0].id == "adr-7e1f3b0c9a2d4e65b8f0c1d2e3f4a5b6" and found[0].score > found[1].score
    assert all(s.place is None for s in found)  # this recording has the default fields: no point
    url = urllib.parse.urlsplit(fetch.urls[0])
    params = urllib.parse.parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{BASE}/suggest"
    assert params["q"] == ["Stratumseind 32 Eindhoven"] and "centroide_ll" in params["fl"][0]


def test_search_looks_up_points_for_suggestions_without_one_but_only_a_few():
    fetch = Recorded()
    found = pdok.search("Stratumseind 32 Eindhoven", base_url=BASE, fetch=fetch)
    address = found[0]
    assert (address.label, address.kind, address.municipality_code) == (
        "Stratumseind 32, 5611ET Eindhoven", "address", "GM0772")
    assert (address.lat, address.lon) == (51.43858, 5.48226)
    assert haversine_m(address.lat, address.lon, *STRATUMSEIND) < 100
    assert [p.label for p in found] == ["Stratumseind 32, 5611ET Eindhoven", "Stratumseind, Eindhoven"]
    lookups = [u for u in fetch.urls if "/lookup?" in u]
    assert len(lookups) == pdok.MAX_LOOKUPS
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(lookups[0]).query)["id"] == [
        "adr-7e1f3b0c9a2d4e65b8f0c1d2e3f4a5b6"]


def test_points_in_the_suggest_answer_save_the_lookups():
    fetch = Recorded(suggest="suggest_eindhoven_with_points.json")
    found = pdok.search("eindhoven", base_url=BASE, fetch=fetch)
    assert [(p.kind, p.municipality_code) for p in found] == [
        ("place", "GM0772"), ("municipality", "GM0772"), ("postcode", "GM0772")]
    assert found[0].label == "Eindhoven, Eindhoven, Noord-Brabant"
    assert found[0].radius_m > found[2].radius_m
    assert len(fetch.urls) == 1


def test_no_match_is_an_empty_list():
    assert pdok.search("qqqzzz", base_url=BASE, fetch=Recorded(suggest="suggest_nothing.json")) == []


@pytest.mark.parametrize("fetch", [
    failing(TimeoutError("timed out")),
    failing(urllib.error.URLError("Name or service not known")),
    failing(urllib.error.HTTPError(BASE, 503, "Service Unavailable", {}, None)),
    answering(b"<html>Bad gateway</html>"),
    answering(b"[]"),
    answering(b'{"response": {"docs": "none"}}'),
    answering(b'{"error": {"msg": "undefined field foo", "code": 400}}'),
])
def test_every_failure_becomes_a_pdok_error(fetch):
    with pytest.raises(pdok.PdokError):
        pdok.search("Eindhoven", base_url=BASE, fetch=fetch)


def test_default_fetch_uses_http_with_the_configured_base_url():
    body = (RECORDINGS / "suggest_eindhoven_with_points.json").read_bytes()
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/bzk/locatieserver/search/v3_1/"
        found = pdok.search("eindhoven", base_url=base)
    finally:
        server.shutdown()
        server.server_close()
    assert [p.kind for p in found] == ["place", "municipality", "postcode"]
    assert asked[0].startswith("/bzk/locatieserver/search/v3_1/suggest?")


# --- service -------------------------------------------------------------------------------------

def test_gazetteer_is_the_default_and_never_fetches():
    found = geocode("5611", seed_dir=SEED, fetch=failing(AssertionError("no network by default")))
    assert found[0].label == "5611 Eindhoven"


def test_pdok_backend_answers_from_the_locatieserver():
    found = geocode("Stratumseind 32 Eindhoven", seed_dir=SEED, backend="pdok", pdok_url=BASE, fetch=Recorded())
    assert found[0].kind == "address"


@pytest.mark.parametrize("fetch", [
    failing(TimeoutError("timed out")),
    failing(urllib.error.URLError("Name or service not known")),
    failing(ConnectionResetError()),
    answering(b"not json"),
])
def test_pdok_falls_back_to_the_gazetteer(fetch, caplog):
    with caplog.at_level(logging.WARNING, logger="register.geocoding"):
        found = geocode("Eindhoven", seed_dir=SEED, backend="pdok", pdok_url=BASE, fetch=fetch)
    assert found[0].label == "Eindhoven" and found[0].kind == "place"
    assert "gazetteer" in caplog.text


def test_pdok_with_no_match_does_not_fall_back():
    found = geocode("Eindhoven", seed_dir=SEED, backend="pdok", pdok_url=BASE,
                    fetch=Recorded(suggest="suggest_nothing.json"))
    assert found == []


@pytest.mark.parametrize("query", ["", "  ", None, "x" * 500])
def test_geocode_ignores_empty_or_overlong_input_without_asking_pdok(query):
    fetch = Recorded()
    assert geocode(query, seed_dir=SEED, backend="pdok", pdok_url=BASE, fetch=fetch) == []
    assert fetch.urls == []


@pytest.mark.parametrize(("text", "point"), [
    ("51.4386,5.4820", (51.4386, 5.482)),
    (" 51.4386, 5.4820 ", (51.4386, 5.482)),
    ("51.4386 5.4820", (51.4386, 5.482)),
    ("52,5", (52.0, 5.0)),
    ("50.6,3.2", (50.6, 3.2)),
    ("53.7,7.3", (53.7, 7.3)),
])
def test_parse_point_accepts_lat_lon_in_the_netherlands(text, point):
    assert parse_point(text) == point


@pytest.mark.parametrize("text", [
    "5.4820,51.4386",  # swapped
    "48.8566,2.3522",  # Paris
    "50.59,5.0", "53.71,5.0", "52.0,3.19", "52.0,7.31",
    "52.0", "Eindhoven", "", None, "nan,nan", "inf,5", "51.4386,5.4820,3", "1e2,5",
])
def test_parse_point_refuses_anything_else(text):
    assert parse_point(text) is None


def test_recordings_are_in_the_locatieserver_format():
    for path in RECORDINGS.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(data["response"]["docs"], list) and "numFound" in data["response"], path.name
