"""``bench retrieval``: ALQAC retrieval quality through the real backend against a plain BM25 baseline."""

from __future__ import annotations

import json
import math
import shutil
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analysis import WORD_RE, nfc
from ..base import SearchBackend, SearchQuery, SearchRecord, Viewer
from .common import BENCH_ACL, BENCH_KIND, KS, BenchInputError, _batched, _delete_kind, open_backend

# --- input ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    law_id: str
    article_id: str
    text: str

    @property
    def ref(self) -> tuple[str, str]:
        return (self.law_id, self.article_id)

    @property
    def heading(self) -> str:
        return self.text.strip().split("\n", 1)[0].strip()

    @property
    def rest(self) -> str:
        parts = self.text.strip().split("\n", 1)
        return parts[1].strip() if len(parts) > 1 else ""


@dataclass(frozen=True)
class Question:
    question_id: str
    text: str
    relevant: frozenset[tuple[str, str]]


def _read_json(path: Path, what: str) -> Any:
    if not path.is_file():
        raise BenchInputError(f"Không tìm thấy tệp {what} “{path}”.")
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except UnicodeDecodeError as exc:
        raise BenchInputError(f"Tệp {what} “{path}” không phải văn bản UTF-8.") from exc
    except json.JSONDecodeError as exc:
        raise BenchInputError(
            f"Tệp {what} “{path}” không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}: {exc.msg})."
        ) from exc
    except OSError as exc:
        raise BenchInputError(f"Không đọc được tệp {what} “{path}”: {exc.strerror}.") from exc


def _ident(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def load_corpus(path: Path) -> list[Article]:
    """The articles of an ALQAC ``law.json``: ``[{"id": law name, "articles": [{"id": …, "text": …}]}]``."""
    data = _read_json(path, "luật")
    shape = 'danh sách [{"id": tên luật, "articles": [{"id": số điều, "text": nội dung}]}]'
    if not isinstance(data, list) or not data:
        raise BenchInputError(f"Tệp luật “{path}” phải là một {shape}.")
    articles: list[Article] = []
    seen: set[tuple[str, str]] = set()
    for n, law in enumerate(data, 1):
        law_id = _ident(law.get("id")) if isinstance(law, dict) else None
        items = law.get("articles") if isinstance(law, dict) else None
        if law_id is None or not isinstance(items, list):
            raise BenchInputError(f"Tệp luật “{path}”, mục thứ {n}: thiếu “id” hoặc “articles”; cần {shape}.")
        for m, art in enumerate(items, 1):
            art_id = _ident(art.get("id")) if isinstance(art, dict) else None
            text = art.get("text") if isinstance(art, dict) else None
            if art_id is None or not isinstance(text, str):
                raise BenchInputError(
                    f"Tệp luật “{path}”, “{law_id}”, điều thứ {m}: thiếu “id” hoặc “text”; cần {shape}."
                )
            if (law_id, art_id) in seen:
                raise BenchInputError(f"Tệp luật “{path}”: điều “{art_id}” của “{law_id}” xuất hiện hai lần.")
            seen.add((law_id, art_id))
            articles.append(Article(law_id, art_id, nfc(text)))
    if not articles:
        raise BenchInputError(f"Tệp luật “{path}” không có điều nào.")
    return articles


def load_questions(path: Path) -> list[Question]:
    """The labelled questions of an ALQAC ``train.json``."""
    data = _read_json(path, "câu hỏi")
    shape = 'danh sách [{"question_id", "text", "relevant_articles": [{"law_id", "article_id"}]}]'
    if not isinstance(data, list) or not data:
        raise BenchInputError(f"Tệp câu hỏi “{path}” phải là một {shape}.")
    questions = []
    for n, q in enumerate(data, 1):
        if not isinstance(q, dict) or not isinstance(q.get("text"), str) or not q["text"].strip():
            raise BenchInputError(f"Tệp câu hỏi “{path}”, câu thứ {n}: thiếu “text”; cần {shape}.")
        qid = _ident(q.get("question_id")) or str(n)
        rel = q.get("relevant_articles")
        refs: set[tuple[str, str]] = set()
        if isinstance(rel, list):
            for r in rel:
                law, art = (
                    (_ident(r.get("law_id")), _ident(r.get("article_id")))
                    if isinstance(r, dict)
                    else (None, None)
                )
                if law is None or art is None:
                    refs.clear()
                    break
                refs.add((law, art))
        if not refs:
            raise BenchInputError(
                f"Tệp câu hỏi “{path}”, câu “{qid}”: “relevant_articles” phải là danh sách không rỗng "
                '[{"law_id", "article_id"}].'
            )
        questions.append(Question(qid, nfc(q["text"]), frozenset(refs)))
    return questions


# --- metrics and the baseline ---------------------------------------------------------------------------------


def strip_diacritics(text: str) -> str:
    """Every diacritic removed and đ/Đ → d/D, case kept: how a user types without Vietnamese input."""
    base = unicodedata.normalize("NFD", nfc(text).replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in base if not unicodedata.combining(c)))


def score_rankings(rankings: Sequence[Sequence[Any]], relevant: Sequence[frozenset[Any]]) -> dict[str, float]:
    """hit@1, hit@10 (any relevant item in the top k) and mrr@10 (1 / rank of the first relevant item, 0 beyond
    10), averaged over the questions and rounded to 4 places."""
    n = len(rankings)
    hits = dict.fromkeys(KS, 0)
    rr = 0.0
    for ranked, rel in zip(rankings, relevant, strict=True):
        first = next((i for i, item in enumerate(ranked[:10], 1) if item in rel), None)
        for k in KS:
            hits[k] += int(first is not None and first <= k)
        rr += 1.0 / first if first else 0.0
    out = {f"hit@{k}": round(hits[k] / n, 4) if n else 0.0 for k in KS}
    out["mrr@10"] = round(rr / n, 4) if n else 0.0
    return out


def plain_tokens(text: str) -> list[str]:
    return WORD_RE.findall(nfc(text).lower())


class BM25:
    """Plain Okapi BM25 over one field: the reference a product search must beat."""

    def __init__(
        self,
        docs: Iterable[str],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        tokenize: Callable[[str], list[str]] = plain_tokens,
    ):
        self.k1, self.b, self.tokenize = k1, b, tokenize
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        for i, text in enumerate(docs):
            tokens = tokenize(text)
            self.lengths.append(len(tokens))
            for term, tf in Counter(tokens).items():
                self.postings[term].append((i, tf))
        self.n = len(self.lengths)
        self.avgdl = (sum(self.lengths) / self.n) if self.n else 1.0

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> dict[int, float]:
        """Summed over the query's tokens (a repeated token counts again, as in the usual implementations)."""
        out: dict[int, float] = defaultdict(float)
        k1, b, avgdl = self.k1, self.b, self.avgdl
        for term in self.tokenize(query):
            postings = self.postings.get(term)
            if not postings:
                continue
            idf = self.idf(term)
            for doc, tf in postings:
                out[doc] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * self.lengths[doc] / avgdl))
        return out

    def top(self, query: str, k: int = 10) -> list[int]:
        scored = self.scores(query)
        return sorted(scored, key=lambda d: (-scored[d], d))[:k]


# --- retrieval --------------------------------------------------------------------------------------------------


def article_record(n: int, article: Article) -> SearchRecord:
    return SearchRecord(
        key=f"{BENCH_KIND}:{n}", kind=BENCH_KIND, kind_label="Đo kiểm", object_id=n, url="",
        title=article.heading, body=article.rest, doc_type="Điều", issuer=article.law_id,
        extra={"article": article.article_id}, acl=frozenset({BENCH_ACL}),
    )  # fmt: skip


def run_retrieval(
    articles: list[Article],
    questions: list[Question],
    *,
    backend: str = "tantivy",
    search: Callable[[SearchBackend, str], list[str]] | None = None,
) -> dict[str, Any]:
    """The figures of ``bench retrieval`` (see the module docstring). ``search`` replaces the query call (for
    experiments); by default a 10-hit query with trimming on, without facets or highlighting."""
    started = time.perf_counter()
    viewer = Viewer(frozenset({BENCH_ACL}), 0)
    forms = {
        "accented": [q.text for q in questions],
        "unaccented": [strip_diacritics(q.text) for q in questions],
    }
    relevant = [q.relevant for q in questions]
    refs = {f"{BENCH_KIND}:{n}": a.ref for n, a in enumerate(articles, 1)}

    def run_query(b: SearchBackend, text: str) -> list[str]:
        result = b.search(SearchQuery(text=text, limit=10, facets=False, highlight=False), viewer)
        return [h.key for h in result.hits]

    query = search or run_query
    tmp = tempfile.mkdtemp(prefix="vanphong-bench-") if backend == "tantivy" else None
    out: dict[str, Any] = {"questions": len(questions)}
    try:
        b = open_backend(backend, path=tmp) if tmp else open_backend(backend)
        if backend != "tantivy":
            _delete_kind(b, BENCH_KIND)  # leftovers of an interrupted run
        try:
            for batch in _batched((article_record(n, a) for n, a in enumerate(articles, 1)), 2000):
                b.index(batch)
            for form, texts in forms.items():
                rankings = [[refs.get(k) for k in query(b, t)] for t in texts]
                out[form] = score_rankings(rankings, relevant)
        finally:
            if backend != "tantivy":
                _delete_kind(b, BENCH_KIND)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    bm25 = BM25(a.text for a in articles)
    ids = [a.ref for a in articles]
    out["bm25_baseline"] = {
        form: score_rankings([[ids[d] for d in bm25.top(t, 10)] for t in texts], relevant)
        for form, texts in forms.items()
    }
    out["backend"] = backend
    out["articles"] = len(articles)
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out
