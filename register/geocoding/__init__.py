"""Geocoding for the citizen portal: an offline gazetteer from seed data and the PDOK Locatieserver."""

from register.geocoding.place import Place
from register.geocoding.service import geocode, parse_point

__all__ = ["Place", "geocode", "parse_point"]
