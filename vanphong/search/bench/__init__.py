"""Search benchmarks, run by ``vanphong bench retrieval`` and ``vanphong bench search``.

Retrieval quality (``run_retrieval``)
    An ALQAC-format corpus (``law.json``: ``[{"id": law name, "articles": [{"id", "text"}]}]``) is indexed through
    the product's real backend, one ``SearchRecord`` per article: title = the article's first line (its heading),
    body = the rest, doc_type "Điều", issuer = the law name, ``acl = {"bench"}``, and queried with
    ``Viewer({"bench"}, 0)`` so security trimming is on. Every question runs twice: as written and with every
    diacritic removed (đ→d). hit@1, hit@10 and mrr@10 count a hit when any relevant article is in the top k.
    The same run scores a plain BM25 baseline in pure Python (k1 1.2, b 0.75, lowercase ``\\w+`` syllables of NFC
    text, no folding, the article text as one field, idf log(1 + (N − df + 0.5) / (df + 0.5))) on both forms.

Latency and size at volume (``run_search``)
    A corpus of N documents recombined from real Vietnamese text (the Bộ pháp điển articles): each document takes
    its title from one article and body paragraphs from two or three others, with an invented number
    (``{n}-{NQ|CT|KL|QĐ|TB|BC|HD}/{TU|VPTU|TW|HU}``), date, unit, độ mật (mostly none) and ``acl`` tokens drawn from
    300 units. Document ``i`` is a pure function of ``i`` (``synthetic_record``), so the corpus is streamed into
    the index in batches — never held in memory; only the source articles are (≈ 62k, a few hundred MB, whatever
    N) — and queries are drawn from documents that exist. Query sets (``make_queries``): 1–3 terms, broad terms,
    quoted phrases, exact numbers, each asked by an office holding three unit principals and no clearance (one
    of them the unit of the document the query was drawn from), with facets and highlighting, limit 20. Each
    backend's index is kept under ``--dir`` and reused when the same size was built before (a manifest
    ``<backend>-<N>.json`` records the generator version and the build figures).

Modules: ``common``, ``retrieval``, ``corpus`` (synthetic documents and queries), ``latency``.
"""

from .common import BenchInputError, postgres_available
from .corpus import load_source, synthetic_record
from .latency import format_search, run_search
from .retrieval import BM25, load_corpus, load_questions, run_retrieval, score_rankings, strip_diacritics

__all__ = [
    "BM25",
    "BenchInputError",
    "format_search",
    "load_corpus",
    "load_questions",
    "load_source",
    "postgres_available",
    "run_retrieval",
    "run_search",
    "score_rankings",
    "strip_diacritics",
    "synthetic_record",
]
