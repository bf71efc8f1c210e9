"""PostgreSQL full-text backend: the index is one table (``search.SearchEntry``; its PostgreSQL-only columns come
from migration 0002), read and written with raw SQL. The fake's semantics (``backends.fake``) for matching,
trimming, filters, facets, sorting and paging; ranking is PostgreSQL's ``ts_rank``, and beyond ``count_limit``
matches counts, facets and ranking are capped (below).

Schema (``search_searchentry``)
    Portable: ``key`` (unique), the filter columns (``kind``, ``doc_type``, ``issuer``, ``unit_id``, ``year``,
    ``doc_date``, ``secrecy_rank``, ``secrecy_label``, ``status``), ``data`` (``record_to_json``: rebuilds a hit),
    ``body`` (snippets), ``fingerprint``. PostgreSQL only: ``acl text[]`` (GIN), ``facets text[]`` (one element per
    facet in ``FACETS`` order, ``"<facet>:<facet_term>"`` or NULL) and three tsvectors built **in Python** with
    ``vanphong.search.analysis`` and sent in PostgreSQL's binary form — no text-search parser, no ``unaccent``: it
    can neither split “123-NQ/TU” nor miss “đ”. Weights say where a word stands: A title, B số/ký hiệu, C tên
    loại/cơ quan ban hành/người ký, D body; sections are one position apart, so a phrase
    (``'a':AD <-> 'b':AD``) never spans title and body and never matches in the metadata, as in the fake.

    - ``tsv`` (GIN; kept in the row, ~1–2 kB): folded syllables (``nghi``), number tokens (``#57nqtw``,
      ``#nq57``) and the ACL tokens (``@u:12``) with positions — matching, phrases, trimming inside the GIN scan
      and the first ranking stage, with no TOAST read.
    - ``head`` (GIN; in the row): the same for title, số/ký hiệu and metadata only, tên loại at D — suggestions
      (``('last':*ABD | '#last':*B)``: title, tên loại, số/ký hiệu and number tokens, as the fake) and the title
      tier (below).
    - ``xtsv`` (GIN; TOASTed, ~5 kB): the accented syllables where they differ (``nghị``), folded bigrams of
      title and body (``nghi~quyet``; ``~`` is never inside a ``\\w+`` syllable) and the ACL tokens — the second
      ranking stage, read for ``rerank_limit`` rows only, and through its index the first filter of a quoted
      phrase (its bigrams).

Security trimming is in the WHERE of every statement that finds rows: ``acl && viewer.principals AND
secrecy_rank <= clearance`` (omitted only for ``principals is None``), and when the words' GIN index is used the
principals are in its tsquery as well (``… & ('@u:12' | '@u:40')``); counts, facets, candidates, suggestions and
similar documents all come from the trimmed, filtered match set, never from filtering a page afterwards.

Query strategy and trade-offs (STACK.md §2b/§2d: ``ts_rank`` over a broad match set costs seconds at 1M rows;
a GIN bitmap costs ~0.2–0.7 µs per posting it walks, so three common words cost ~85 ms at 1M before any row is
read; a LIMIT that stops early costs what it reads):

1. One statement finds at most ``count_limit`` + 1 (default 1,000 + 1; for a long question, which matches on
   any of its words, ``question_limit``, 20,000: ranking 1,000 arbitrary matches lost most answers) matches
   (unordered, stopping early) and
   returns their count, their facet counts (one GROUPING SETS pass) and the best ``rerank_limit`` of them by a
   first-stage score computed on the row as it is read: ``ts_rank`` of the folded words on ``tsv`` (weights
   D 0.7, C 0.4, B 0.6, A 1.0, length-normalised) + 100 for a number-token match. Up to ``count_limit`` the
   count and facets are exact; beyond it ``total = count_limit``, ``total_exact=False`` and the facets are
   those of the matches found (lower bounds, readable rows only).
2. How the matches are found is chosen per query from ``pg_stats`` (word and principal frequencies) with a
   small cost model (``_access``): read the table in order (broad words, a viewer who reads much); the
   viewer's rows from the ACL index, testing the words on each (very common words, a viewer who reads little:
   the benchmark's offices read ~2 %); or the words' GIN index with the principals in the same tsquery, where
   GIN's fast scan walks the rarer side's postings and skips through the other's (3 common words for such an
   office at 1M rows: 20 ms and 2,300 rows instead of 85 ms and 113,000 rows intersected with the ACL index);
   or, for a quoted phrase, its bigrams and the principals from ``xtsv``'s index (the rows holding a phrase's
   words are many, those holding its bigrams few; the order is then checked on ``tsv``). A condition is kept
   out of an index scan by writing it ``(…) IS TRUE``; ``enable_bitmapscan`` is off for the in-order read.
   The planner alone intersects two bitmaps, or walks the words' postings, and is several times slower on
   common words. Without statistics the planner decides; so ``index()`` runs ANALYZE after a bulk write (and
   merges the GIN pending lists, which every search would otherwise scan whole: autovacuum is often off or
   late).
3. When the match set is capped, up to ``tier_limit`` (200) matches with every word in the title/metadata
   (``head``) join the candidates — unless the statistics say that costs more than ~8 ms — so a broad query
   ranks the found sample plus title matches from anywhere: the best document among 300,000 may be missed, a
   document whose title has the words is much less likely to be.
4. Second stage: the best ``max(rerank_limit, offset + limit)`` candidates get + ``ts_rank`` of the accented
   words typed and the query bigrams on ``xtsv``; the page is cut from that order, then its data and body are
   read (20 rows). Pages end at ``count_limit``.
5. Date sorts and the empty query: ``ORDER BY coalesce(doc_date, '0001-01-01') DESC|ASC, key`` over the whole
   trimmed match set with LIMIT (a btree on that expression): exact order.
6. Each read is one transaction with ``jit``, parallel workers and synchronized seq scans off (start-up costs
   more than these queries; scans start at the same place, so a capped result is stable) and a
   ``statement_timeout`` (``timeout_ms``, 10 s). A timeout, a missing table or another database error raises
   ``SearchUnavailable`` with a Vietnamese message; so does any database other than PostgreSQL.

Writes: ``index()`` analyses every record in Python first, then upserts them (``ON CONFLICT (key)``) in one
transaction on a server-side-binding cursor (the tsvectors go over in binary: the text form cost ~0.4 ms a row
to parse), so a failure leaves nothing half-written. The table's comment records the layout written
(``LAYOUT``): an index of another layout is refused with ``SearchUnavailable`` (“search reindex --recreate”)
rather than answering wrongly. ~2.5 ms a document with four GIN indexes (100k in ~250 s on 2 busy cores).

Known limits: positions are clamped at 16,383 and 256 are kept per lexeme (PostgreSQL's limits): a phrase that
only occurs past the ~16,000th syllable of a body is not found (single words always are); a body over 40,000
characters whose tsvector would pass ~900 kB loses its positions (then phrases in it are not found). Snippets
come from the first ``snippet_chars`` (20,000) characters. ``similar`` ranks up to ``candidate_limit`` (1,000)
documents sharing neighbouring title words, then any title or frequent body word, not every document sharing a
word as the fake does. Disk: ~10 kB a document (body, data and ``xtsv`` dominate; the GIN indexes ~0.7 kB).

Package layout: ``vectors`` (tsvectors built in Python), ``plan`` (tsqueries and the access cost model),
``backend`` (``PostgresBackend``: SQL, writes, reads).
"""

from .backend import PostgresBackend

__all__ = ["PostgresBackend"]
