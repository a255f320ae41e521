"""Name normalisation for search and duplicate detection (pure functions, no database).

`normalise` folds case, accents and punctuation: "Université Paris-Saclay" and
"UNIVERSITE PARIS SACLAY" both become "universite paris saclay". `name_key` also drops
legal forms and word order, so "ACME GmbH" and "Acme" share a key.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
# Legal forms and filler words that do not tell two organisations apart.
_FORMS = """ab ag as asbl aps bv bvba cic co corp corporation cv eg ev ek ekfr eurl fzc gbr gie
ggmbh gmbh inc kft kg kgaa limited llc llp lp ltd mbh nv oy oyj plc sa sac sae sal sarl sas
sasu scarl scrl se sl sll slu snc spa sp spolka sro srl zoo doo dd ad ood eood the of and for
de der des di du la le les del van von fur und et y e"""
LEGAL_FORMS = frozenset(_FORMS.split())


def fold(text: str) -> str:
    """Lower-case ASCII: accents removed (ß -> ss, æ -> ae, œ -> oe), other marks dropped."""
    text = text.replace("ß", "ss").replace("æ", "ae").replace("Æ", "ae")
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("đ", "d").replace("Đ", "d")
    text = text.replace("ø", "o").replace("Ø", "o").replace("ł", "l").replace("Ł", "l")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def normalise(*parts: str | None) -> str:
    """Words of the parts, folded and separated by single spaces."""
    text = " ".join(p for p in parts if p)
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def words(*parts: str | None) -> list[str]:
    """The distinct words of ``normalise(*parts)``, in order."""
    return list(dict.fromkeys(normalise(*parts).split()))


def name_key(name: str | None) -> str:
    """A key shared by names that differ only in case, accents, legal form or word order."""
    kept = sorted(w for w in words(name) if w not in LEGAL_FORMS)
    return " ".join(kept)[:300] or normalise(name)[:300]
