"""Two-stage PII column classifier: sample distinct values, run patterns then NER, decide IS / CONTAINS / NONE.

Follows ``reference/pii-scanning.md`` §5–§6:

1. **Sample** (:class:`ColumnSampler`): nulls and blank/``nan``/``none``/``null``/``nat``/``<na>`` dropped,
   datetimes rendered ``YYYY-MM-DD HH:MM:SS``, everything cast to stripped ``str``, truncated to 2,000
   characters, deduplicated; a uniform sample of *distinct* values is kept by bottom-k hashing.
2. **Stage 1, patterns** on every column, with the header words as Presidio ``context``. IS is final.
3. **Stage 2, NER** (PERSON, LOCATION, NRP) only on text columns not already IS in which at least 30 % of the
   sampled values hold a word (two or more letters not glued to digits or dashes: ISO timestamps, UUIDs and
   product codes hold letters but no words); its hits are added to each cell's stage-1 hits and the column is
   classified again.
4. **Rules**, per cell: hits under 0.4 dropped, overlaps resolved (highest score, then longest span). Entity E
   *covers* a cell when its kept spans span ≥ 30 % of the cell's characters. In numeric columns the floor is
   0.5: ten-digit integer ids parse as valid US phone numbers, so a bare 0.4 phone match needs a header
   such as ``phone`` (→ 0.75) there.

   - **IS E** when the Wilson 95 % lower bound of (cells covered by E) / n is ≥ 0.5 (best bound, then mean
     score, wins);
   - else **CONTAINS {E…}** from hits re-resolved at a stricter floor: for free text (prose) the *sensitive*
     rule, ≥ 2 cells with E ≥ 0.6; for other columns the *prevalence* rule, Wilson lower bound of
     (cells with E ≥ 0.5) / n ≥ 0.05. Either way the hits must read as ≥ 2 *distinct* strings: one repeated
     string is a template artefact ("Item" tagged PERSON in every "Ticket 123: Item arrived …") or a
     function mailbox, not people;
   - else **NONE**.

Weak (0.4) phone matches thus count towards IS but never make a CONTAINS on their own: they land on 2–16 % of
ids, amounts and timestamps. n = 200 distinct values (500 for free text) is enough for every column type
measured; a free-text entity present in ~1 % of rows is caught with probability ~0.96 at n = 500.

Pure library code: analyzers come from :mod:`compliance.pii.engine` (built once per process) or are passed in.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from compliance.pii import entities as E
from compliance.pii.masking import mask_value

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine

__all__ = [
    "CONTAINS",
    "FREE_TEXT_SAMPLE_SIZE",
    "IS",
    "MAX_CELL_CHARS",
    "NONE",
    "NULL_TOKENS",
    "SAMPLE_SIZE",
    "ColumnKind",
    "ColumnSample",
    "ColumnSampler",
    "ColumnVerdict",
    "EntityScore",
    "classify_column",
    "classify_columns",
    "header_context",
    "is_free_text",
    "stable_hash",
    "wilson_lower_bound",
]

SAMPLE_SIZE: Final = 200
"""Distinct values classified per column. n = 100 labelled every measured column type right in 200/200 trials
(reference §5); 200 leaves margin. Cost is independent of the row count."""

FREE_TEXT_SAMPLE_SIZE: Final = 500
"""Distinct values classified per free-text (prose) column, where rare PII matters: at 1 % prevalence, P(≥ 2
hits) is 0.96 at n = 500 against 0.60 at n = 200. Also the per-column capacity of :class:`ColumnSampler`."""

MAX_CELL_CHARS: Final = 2_000
"""Each sampled value is truncated to this many characters."""

NULL_TOKENS: Final = frozenset({"", "nan", "none", "null", "nat", "<na>"})
"""Values (compared case-insensitively, after stripping) treated as missing."""

IS: Final = "IS"
CONTAINS: Final = "CONTAINS"
NONE: Final = "NONE"

ColumnKind = Literal["numeric", "bool", "datetime", "text"]

_FLOOR = 0.4  # hits below this are noise (Presidio's bare phone match is exactly 0.4 and counts for IS)
# Pure numbers carry no format evidence: a bare 0.4 phone match on a 10-digit integer id is not a phone.
_NUMERIC_FLOOR = 0.5
_COVER = 0.3  # share of a cell's characters an entity must span to "cover" it
_IS_BOUND = 0.5
_PREVALENCE_FLOOR, _PREVALENCE_BOUND = 0.5, 0.05
_SENSITIVE_FLOOR, _SENSITIVE_CELLS = 0.6, 2
_NER_WORD_SHARE = 0.3
_MAX_EXAMPLES = 3
_LANGUAGE = "en"
_STATE_VERSION = 1


#
# Sampling
#


@dataclass(frozen=True, slots=True)
class ColumnSample:
    """A column's name, dtype kind and a uniform sample of its distinct normalised values (hash order)."""

    name: str
    kind: ColumnKind
    values: Sequence[str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))


def _dtype_kind(dtype: Any) -> ColumnKind:
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        return "numeric"
    return "text"


def _merge_kind(a: ColumnKind | None, b: ColumnKind | None) -> ColumnKind | None:
    """Commutative, associative: equal kinds stay, anything else is text; ``None`` (no values yet) is neutral."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    return "text"


_NULL_TOKENS_ARROW = pa.array(sorted(NULL_TOKENS), type=pa.string())
_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
_PROBE = 10_000


def _ints_as_text(values: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.int64()).cast(pa.string())


def _floats_as_text(values: np.ndarray) -> pa.Array:
    """Render floats as text, integral ones without ``.0`` (ids read as float because of nulls stay ids)."""
    with np.errstate(invalid="ignore"):
        integral = np.isfinite(values) & (values == np.floor(values)) & (np.abs(values) < 2**53)
    if integral.all():
        return _ints_as_text(values.astype(np.int64))
    if not integral.any():
        return pa.array(values, type=pa.float64()).cast(pa.string())
    return pa.concat_arrays(
        [_ints_as_text(values[integral].astype(np.int64)), pa.array(values[~integral]).cast(pa.string())]
    )


def _as_arrow_text(series: pd.Series, kind: ColumnKind) -> pa.Array:
    """Distinct non-null values of ``series`` rendered as text (not yet stripped), as an Arrow string array.

    Deduplicates first, so rendering runs once per distinct value rather than once per row.
    """
    if kind == "datetime":
        rendered = pd.Series(series.unique()).dt.strftime(_TIMESTAMP_FORMAT)
        return pa.array(rendered.to_numpy(dtype=object), type=pa.string())
    if kind == "bool":
        return pa.array(["True" if v else "False" for v in pd.unique(series.to_numpy(dtype=bool))], type=pa.string())
    if kind == "numeric":
        if pd.api.types.is_integer_dtype(series.dtype):
            return _ints_as_text(pd.unique(series.to_numpy(dtype=np.int64)))
        if pd.api.types.is_float_dtype(series.dtype):
            return _floats_as_text(pd.unique(series.to_numpy(dtype=np.float64)))
        return pa.array(pd.unique(series.to_numpy()).astype(str).astype(object), type=pa.string())
    if series.dtype == object:
        distinct = pd.Series(pd.unique(series.to_numpy()), dtype=object)
        if pd.api.types.infer_dtype(distinct, skipna=True) != "string":
            # Mixed objects: timestamps get the datetime rendering, everything else str().
            stamps = distinct.map(lambda v: isinstance(v, pd.Timestamp | np.datetime64 | datetime.datetime))
            if stamps.any():
                distinct = distinct.where(~stamps, pd.to_datetime(distinct[stamps]).dt.strftime(_TIMESTAMP_FORMAT))
            distinct = distinct.astype(str)
        return pa.array(distinct.to_numpy(dtype=object), type=pa.string())
    array = pa.array(series, from_pandas=True)  # Arrow-backed strings: deduplicated once, after normalising
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array if pa.types.is_string(array.type) else array.cast(pa.string())


def _normalised(series: pd.Series, kind: ColumnKind, max_chars: int) -> pa.Array:
    """Return the normalised (reference §6 step 1) non-null values of ``series`` as an Arrow string array.

    Nulls and null tokens dropped, rendered as text, stripped, truncated to ``max_chars`` characters. The string
    work runs in Arrow kernels. Repetitive columns are deduplicated here; the caller deduplicates by hash.
    """
    series = series.dropna()
    if series.empty:
        return pa.array([], type=pa.string())
    text = _as_arrow_text(series, kind)
    text = pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(text), 0, max_chars)
    text = pc.filter(text, pc.invert(pc.is_in(pc.utf8_lower(text), value_set=_NULL_TOKENS_ARROW)))
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    # Repetitive columns (categories, statuses, flags) shrink a lot in Arrow's hash table before any Python
    # string is made; nearly-unique ones are cheaper to deduplicate by hash later.
    probe = text.slice(0, _PROBE)
    if len(text) <= 2 * _PROBE or pc.count_distinct(probe).as_py() < len(probe) // 2:
        text = pc.unique(text)
    return text


def stable_hash(value: str) -> int:
    """Return the sampler's 64-bit hash of one string: SipHash-2-4 of its UTF-8 bytes under pandas' fixed key.

    ``pandas.util.hash_array`` with its default key, so identical in every process, on every worker and across
    runs (unlike Python's salted ``hash()``).
    """
    return int(pd.util.hash_array(np.array([value], dtype=object), categorize=False)[0])


def _stable_hashes(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return (strings as an object array, their :func:`stable_hash`), vectorised."""
    values = text.to_numpy(zero_copy_only=False)
    return values, pd.util.hash_array(values, categorize=False)


class _ColumnState:
    __slots__ = ("empty_kind", "entries", "kind")

    def __init__(self) -> None:
        self.kind: ColumnKind | None = None
        self.empty_kind: ColumnKind | None = None
        self.entries: dict[str, int] = {}  # value -> hash, at most k of them, the smallest (hash, value)

    def offer(self, values: Sequence[str], hashes: Sequence[int], k: int) -> None:
        """Keep the ``k`` smallest (hash, value) pairs among the current entries and the offered ones."""
        entries = self.entries
        candidates = {(h, v) for v, h in zip(values, hashes, strict=True) if v not in entries}
        if len(entries) >= k and candidates:
            worst = max((h, v) for v, h in entries.items())
            candidates = {pair for pair in candidates if pair < worst}
        if not candidates:
            return
        merged = sorted([(h, v) for v, h in entries.items()] + list(candidates))[:k]
        self.entries = {v: h for h, v in merged}


class ColumnSampler:
    """Streaming, bounded-memory, deterministic and mergeable sampler of distinct values per column.

    Keeps, per column, the ``k`` distinct normalised values with the smallest stable 64-bit hash (bottom-k
    sampling): a uniform random sample of the distinct values that depends only on the *set* of values seen,
    so chunk order, chunk sizes and partitioning across workers do not change it. Memory is O(k) per column.

    Feed it pandas chunks with :meth:`update`, combine partial samplers with :meth:`merge`, ship it between
    Celery workers as :meth:`to_state` (JSON-serialisable) / :meth:`from_state`, and read :meth:`samples`.
    """

    def __init__(self, *, k: int = FREE_TEXT_SAMPLE_SIZE, max_chars: int = MAX_CELL_CHARS) -> None:
        if k < 1 or max_chars < 1:
            raise ValueError("k and max_chars must be positive")
        self.k = k
        self.max_chars = max_chars
        self._columns: dict[str, _ColumnState] = {}

    def update(self, df: pd.DataFrame) -> None:
        """Add one chunk of rows: every column is normalised, deduplicated, hashed and offered to its sample."""
        for name, series in df.items():
            state = self._columns.setdefault(str(name), _ColumnState())
            kind = _dtype_kind(series.dtype)
            text = _normalised(series, kind, self.max_chars)
            if len(text) == 0:
                state.empty_kind = _merge_kind(state.empty_kind, kind)
                continue
            state.kind = _merge_kind(state.kind, kind)
            values, hashes = _stable_hashes(text)
            # Cheap pre-cut in numpy: only the k smallest distinct hashes and, once the sample is full, only hashes
            # not above its largest can enter. Equal strings have equal hashes, so this also deduplicates.
            keep = None
            if len(hashes) > self.k:
                distinct = np.unique(hashes)
                keep = hashes <= distinct[min(self.k, len(distinct)) - 1]
            if len(state.entries) >= self.k:
                below = hashes <= np.uint64(max(state.entries.values()))
                keep = below if keep is None else keep & below
            if keep is not None:
                values, hashes = values[keep], hashes[keep]
            state.offer(values.tolist(), hashes.tolist(), self.k)

    def merge(self, other: ColumnSampler) -> ColumnSampler:
        """Fold ``other`` (same ``k`` and ``max_chars``) into this sampler and return ``self``.

        The result equals one sampler fed with both inputs. Raises ``ValueError`` on mismatched parameters.
        """
        if (other.k, other.max_chars) != (self.k, self.max_chars):
            raise ValueError("cannot merge samplers with different k or max_chars")
        for name, theirs in other._columns.items():
            mine = self._columns.setdefault(name, _ColumnState())
            mine.kind = _merge_kind(mine.kind, theirs.kind)
            mine.empty_kind = _merge_kind(mine.empty_kind, theirs.empty_kind)
            if theirs.entries:
                mine.offer(list(theirs.entries), list(theirs.entries.values()), self.k)
        return self

    def to_state(self) -> dict[str, Any]:
        """Return the sampler as plain JSON types (hashes as 16-digit hex strings). Holds sampled values."""
        return {
            "version": _STATE_VERSION,
            "k": self.k,
            "max_chars": self.max_chars,
            "columns": [
                {
                    "name": name,
                    "kind": state.kind,
                    "empty_kind": state.empty_kind,
                    "values": [[v, f"{h:016x}"] for h, v in sorted((h, v) for v, h in state.entries.items())],
                }
                for name, state in self._columns.items()
            ],
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any] | str) -> ColumnSampler:
        """Rebuild a sampler from :meth:`to_state` output (a mapping or its JSON text)."""
        if isinstance(state, str):
            state = json.loads(state)
        if state.get("version") != _STATE_VERSION:
            raise ValueError(f"unsupported sampler state version {state.get('version')!r}")
        sampler = cls(k=int(state["k"]), max_chars=int(state["max_chars"]))
        for column in state["columns"]:
            restored = _ColumnState()
            restored.kind = column["kind"]
            restored.empty_kind = column["empty_kind"]
            restored.entries = {str(v): int(h, 16) for v, h in column["values"]}
            sampler._columns[str(column["name"])] = restored
        return sampler

    def samples(self) -> dict[str, ColumnSample]:
        """Return one :class:`ColumnSample` per column seen, values in hash order (any prefix is uniform)."""
        return {
            name: ColumnSample(
                name=name,
                kind=state.kind or state.empty_kind or "text",
                values=tuple(v for _, v in sorted((h, v) for v, h in state.entries.items())),
            )
            for name, state in self._columns.items()
        }


#
# Verdicts
#


@dataclass(frozen=True, slots=True)
class EntityScore:
    """One entity found in a column: share of sampled cells with a kept hit, and their mean best score."""

    type: str
    hit_rate: float
    score: float

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"type", "hit_rate", "score"}`` (rates and scores rounded to 4 decimals)."""
        return {"type": self.type, "hit_rate": round(self.hit_rate, 4), "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class ColumnVerdict:
    """A column's classification. Holds masked examples only, never a sampled value.

    ``stage`` is 1 when patterns decided (IS at stage 1, or NER not applicable), 2 when NER ran.
    """

    name: str
    verdict: Literal["IS", "CONTAINS", "NONE"]
    entities: list[EntityScore]
    sampled: int
    masked_examples: list[str]
    stage: int

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"name", "verdict", "entities": [{"type", "hit_rate", "score"}], "sampled", "masked_examples"}``."""
        return {
            "name": self.name,
            "verdict": self.verdict,
            "entities": [entity.to_dict() for entity in self.entities],
            "sampled": self.sampled,
            "masked_examples": list(self.masked_examples),
        }


def wilson_lower_bound(k: int, n: int, z: float = 1.96) -> float:
    """Return the Wilson score interval's lower bound for ``k`` successes in ``n`` trials (0 when n = 0)."""
    if n == 0:
        return 0.0
    p, z2 = k / n, z * z
    return (p + z2 / (2 * n) - z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n)


_HEADER_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def header_context(name: str) -> list[str]:
    """Return a column header as context words: split on camelCase, ``_``, ``-``, spaces; lower-cased.

    ``customerSSN_no`` → ``["customer", "ssn", "no", "customer ssn no"]``: the joined phrase lets multi-word
    context ("national insurance", "ni number") match as well as single words.
    """
    words = [w.lower() for w in _HEADER_WORD.findall(name)]
    return [*words, " ".join(words)] if len(words) > 1 else words


_PROSE_WORD = re.compile(r"(?<![\w@.])[a-z]{2,}[,.;:!?]?(?![\w@])")
# A word of two or more letters standing alone: not "T" in an ISO timestamp, "SKU" in SKU-48213-B or hex in a UUID.
_WORDLIKE = re.compile(r"(?<![\w-])[^\W\d_]{2,}(?![\w-])")


def is_free_text(values: Sequence[str]) -> bool:
    """Whether a text sample is prose: at least half its values hold four or more lower-case words.

    Addresses, names, codes and categories are mostly capitalised words or symbols; notes, comments and
    messages are not. Free-text columns get :data:`FREE_TEXT_SAMPLE_SIZE` values and the sensitive rule.
    """
    if not values:
        return False
    prose = sum(1 for v in values if len(_PROSE_WORD.findall(v)) >= 4)
    return prose * 2 >= len(values)


Hit = tuple[str, float, int, int]  # entity type, score, start, end


def _kept_spans(text: str, hits: Iterable[Hit], floor: float) -> list[Hit]:
    """Resolve overlaps among hits ≥ ``floor``: highest score wins, then the longest span."""
    kept: list[Hit] = []
    for hit in sorted((h for h in hits if h[1] >= floor), key=lambda h: (-h[1], h[2] - h[3], h[0])):
        if all(hit[3] <= k[2] or hit[2] >= k[3] for k in kept):
            kept.append(hit)
    return kept


def _per_cell(text: str, kept: list[Hit]) -> dict[str, tuple[float, float]]:
    """Entity → (share of the cell's characters its spans cover, best score)."""
    chars: Counter[str] = Counter()
    best: dict[str, float] = {}
    for entity, score, start, end in kept:
        chars[entity] += end - start
        best[entity] = max(best.get(entity, 0.0), score)
    size = len(text.strip()) or 1
    return {entity: (chars[entity] / size, best[entity]) for entity in chars}


@dataclass(slots=True)
class _Decision:
    verdict: Literal["IS", "CONTAINS", "NONE"]
    entities: list[EntityScore]
    floor: float


def _decide(cells: Sequence[tuple[str, list[Hit]]], *, sensitive: bool, floor: float = _FLOOR) -> _Decision:
    n = len(cells)
    covered: Counter[str] = Counter()
    present: Counter[str] = Counter()
    score_sum: Counter[str] = Counter()
    for text, hits in cells:
        for entity, (share, score) in _per_cell(text, _kept_spans(text, hits, floor)).items():
            present[entity] += 1
            score_sum[entity] += score
            covered[entity] += share >= _COVER

    def score_of(entity: str) -> EntityScore:
        return EntityScore(entity, round(present[entity] / n, 4), round(score_sum[entity] / present[entity], 4))

    rank = sorted(
        present, key=lambda e: (wilson_lower_bound(covered[e], n), score_sum[e] / present[e], e), reverse=True
    )
    if rank and wilson_lower_bound(covered[rank[0]], n) >= _IS_BOUND:
        return _Decision(IS, [score_of(rank[0])], floor)

    floor = max(floor, _SENSITIVE_FLOOR if sensitive else _PREVALENCE_FLOOR)
    strong: Counter[str] = Counter()
    distinct: dict[str, set[str]] = {}
    for text, hits in cells:
        kept = _kept_spans(text, hits, floor)
        strong.update({entity for entity, *_ in kept})
        for entity, _score, start, end in kept:
            distinct.setdefault(entity, set()).add(text[start:end].strip().lower())
    if sensitive:
        found = [e for e, k in strong.items() if k >= _SENSITIVE_CELLS and len(distinct[e]) >= _SENSITIVE_CELLS]
    else:
        found = [
            e for e, k in strong.items() if wilson_lower_bound(k, n) >= _PREVALENCE_BOUND and len(distinct[e]) >= 2
        ]
    if not found:
        return _Decision(NONE, [], floor)
    found.sort(key=lambda e: (-strong[e], e))
    return _Decision(CONTAINS, [score_of(e) for e in found], floor)


def _masked_examples(cells: Sequence[tuple[str, list[Hit]]], decision: _Decision) -> list[str]:
    """Up to three distinct masked spans of the verdict's entities, taking each entity in turn (most found first)."""
    by_entity: dict[str, list[str]] = {entity.type: [] for entity in decision.entities}
    for text, hits in cells:
        for entity, _score, start, end in sorted(_kept_spans(text, hits, decision.floor), key=lambda h: h[2]):
            found = by_entity.get(entity)
            if found is not None and len(found) < _MAX_EXAMPLES:
                masked = mask_value(entity, text[start:end])
                if masked and masked not in found:
                    found.append(masked)
        if all(len(found) == _MAX_EXAMPLES for found in by_entity.values()):
            break
    examples: list[str] = []
    for rank in range(_MAX_EXAMPLES):
        for found in by_entity.values():
            if rank < len(found) and found[rank] not in examples and len(examples) < _MAX_EXAMPLES:
                examples.append(found[rank])
    return examples


def _to_hits(results: Iterable[Any]) -> list[Hit]:
    return [(r.entity_type, float(r.score), int(r.start), int(r.end)) for r in results]


def _analyze_batch(
    analyzer: AnalyzerEngine,
    texts: Sequence[str],
    *,
    entities: Sequence[str],
    context: list[str] | None,
    batch_size: int,
) -> list[list[Hit]]:
    """Run ``analyzer`` over ``texts`` with its NLP engine in batches (``nlp.pipe`` for spaCy)."""
    out: list[list[Hit]] = []
    for text, artifacts in analyzer.nlp_engine.process_batch(texts, _LANGUAGE, batch_size=batch_size):
        out.append(
            _to_hits(
                analyzer.analyze(
                    text=text,
                    language=_LANGUAGE,
                    entities=list(entities),
                    context=context,
                    nlp_artifacts=artifacts,
                )
            )
        )
    return out


@dataclass(slots=True)
class _Work:
    sample: ColumnSample
    values: list[str]
    free_text: bool
    hits: list[list[Hit]]
    decision: _Decision | None = None
    stage: int = 1

    @property
    def floor(self) -> float:
        return _NUMERIC_FLOOR if self.sample.kind in ("numeric", "bool") else _FLOOR


def _needs_ner(work: _Work) -> bool:
    if work.sample.kind != "text" or not work.values:
        return False
    with_words = sum(1 for v in work.values if _WORDLIKE.search(v))
    return with_words >= _NER_WORD_SHARE * len(work.values)


def classify_columns(
    samples: Mapping[str, ColumnSample] | Iterable[ColumnSample],
    *,
    sample_size: int = SAMPLE_SIZE,
    free_text_sample_size: int = FREE_TEXT_SAMPLE_SIZE,
    batch_size: int = 256,
    pattern: AnalyzerEngine | None = None,
    ner: AnalyzerEngine | None = None,
) -> list[ColumnVerdict]:
    """Classify every column sample; return one :class:`ColumnVerdict` per column, in input order.

    Stage 1 runs the pattern analyzer column by column (header words as context); stage 2 sends the values of
    every column that still needs NER through spaCy in one stream of ``batch_size`` (≥ 32) documents. The
    analyzers default to this process's cached :func:`~compliance.pii.engine.pattern_analyzer` and
    :func:`~compliance.pii.engine.ner_analyzer`; building them the first time takes ~1 s. No side effects.
    """
    if batch_size < 32:
        raise ValueError("batch_size must be at least 32")
    columns = list(samples.values()) if isinstance(samples, Mapping) else list(samples)
    if pattern is None or ner is None:
        from compliance.pii import engine

        pattern = pattern or engine.pattern_analyzer()
        ner = ner or engine.ner_analyzer()

    work: list[_Work] = []
    for sample in columns:
        head = list(sample.values[:sample_size])
        free_text = sample.kind == "text" and is_free_text(head)
        values = list(sample.values[:free_text_sample_size]) if free_text else head
        hits = _analyze_batch(
            pattern,
            values,
            entities=E.PATTERN_ENTITIES,
            context=header_context(sample.name) or None,
            batch_size=batch_size,
        )
        item = _Work(sample=sample, values=values, free_text=free_text, hits=hits)
        item.decision = _decide(list(zip(values, hits, strict=True)), sensitive=free_text, floor=item.floor)
        work.append(item)

    pending = [item for item in work if item.decision.verdict != IS and _needs_ner(item)]
    if pending:
        texts = [value for item in pending for value in item.values]
        ner_hits = iter(_analyze_batch(ner, texts, entities=E.NER_ENTITIES, context=None, batch_size=batch_size))
        for item in pending:
            item.hits = [stage1 + next(ner_hits) for stage1 in item.hits]
            item.decision = _decide(
                list(zip(item.values, item.hits, strict=True)), sensitive=item.free_text, floor=item.floor
            )
            item.stage = 2

    verdicts = []
    for item in work:
        cells = list(zip(item.values, item.hits, strict=True))
        verdicts.append(
            ColumnVerdict(
                name=item.sample.name,
                verdict=item.decision.verdict,
                entities=item.decision.entities,
                sampled=len(item.values),
                masked_examples=_masked_examples(cells, item.decision),
                stage=item.stage,
            )
        )
    return verdicts


def classify_column(sample: ColumnSample, **options: Any) -> ColumnVerdict:
    """Classify one column sample; same options as :func:`classify_columns`."""
    return classify_columns([sample], **options)[0]
