"""A country typed by a person: an ISO code (alpha-2 or alpha-3, CORDIS's EL and UK), its
English name, or its name in the languages of Europe ("Turkey", "Türkiye", "TR", "TUR",
"Deutschland", "Ελλάδα" all work).

Names and their translations come from pycountry (ISO 3166-1 and the iso-codes project's
translations); a few English names in common use that ISO does not give are listed here.
Case, accents and punctuation are ignored. A name two countries share in some language is
left out rather than guessed.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pycountry

from models.countries import COUNTRY_NAMES, normalise_country

# English names people still use that ISO 3166-1 no longer (or never) gave.
ENGLISH_ALIASES = {
    "turkey": "TR",
    "czech republic": "CZ",
    "great britain": "GB",
    "britain": "GB",
    "uk": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "holland": "NL",
    "macedonia": "MK",
    "russia": "RU",
    "swaziland": "SZ",
    "ivory coast": "CI",
    "cape verde": "CV",
    "burma": "MM",
    "east timor": "TL",
    "vatican": "VA",
    "usa": "US",
    "united states of america": "US",
}
# The languages of the EU, of the countries associated to Horizon Europe and of their
# neighbours: the local forms of the names people type.
LANGUAGES = (
    "bg", "cs", "da", "de", "el", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv",
    "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv", "tr", "nb_NO", "nn", "is", "fo", "sq",
    "sr", "sr@latin", "mk", "bs", "uk", "he", "ka", "hy", "ar", "ko", "ru", "ca", "eu", "gl",
)  # fmt: skip


def _key(text: str) -> str:
    """Case, accents and punctuation ignored: 'Türkiye' and 'turkiye' are one key."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def _translators() -> list[gettext.GNUTranslations]:
    """The catalogues read straight from their files (gettext.translation's search of
    locale variants costs seconds for these 43)."""
    out = []
    for language in LANGUAGES:
        path = Path(pycountry.LOCALES_DIR) / language / "LC_MESSAGES" / "iso3166-1.mo"
        if path.is_file():  # a language pycountry does not ship is skipped
            with path.open("rb") as fh:
                out.append(gettext.GNUTranslations(fh))
    return out


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Name key -> ISO alpha-2 code: English names win, then the unambiguous local ones."""
    english = {_key(name): code for code, name in COUNTRY_NAMES.items()}
    local: dict[str, set[str]] = {}
    translators = _translators()
    for country in pycountry.countries:
        code = country.alpha_2
        if code not in COUNTRY_NAMES:
            continue
        sources = [getattr(country, a, None) for a in ("name", "official_name", "common_name")]
        for source in filter(None, sources):
            english.setdefault(_key(source), code)
            for words in translators:
                local.setdefault(_key(words.gettext(source)), set()).add(code)
    unique = {k: next(iter(v)) for k, v in local.items() if len(v) == 1}
    return {**unique, **ENGLISH_ALIASES, **english}


def resolve_country(text: str) -> str | None:
    """The ISO alpha-2 code of a typed country (code or name), None if it names none."""
    raw = text.strip()
    if not raw:
        return None
    code = normalise_country(raw) if len(raw) == 2 else None
    if code is None and len(raw) == 3 and raw.isascii() and raw.isalpha():
        found = pycountry.countries.get(alpha_3=raw.upper())
        code = normalise_country(found.alpha_2) if found is not None else None
    return code or _names().get(_key(raw)) or None
