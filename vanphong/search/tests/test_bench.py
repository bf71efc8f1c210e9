"""``bench retrieval`` and ``bench search`` (``vanphong.search.bench``) on tiny invented corpora written here:
metrics and the BM25 baseline computed as stated, the one-line JSON shape, the unaccented query form, errors
(Vietnamese, exit code 2) and the latency table."""

from __future__ import annotations

import gzip
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from vanphong.search import bench
from vanphong.search.analysis import is_number_lookup
from vanphong.search.bench import (
    BM25,
    load_corpus,
    load_questions,
    run_retrieval,
    score_rankings,
    strip_diacritics,
)

LAWS = [
    {
        "id": "Luật Phòng, chống ma túy",
        "articles": [
            {"id": "1", "text": "Phạm vi điều chỉnh\n\nLuật này quy định về phòng, chống ma túy và cai nghiện ma túy."},
            {"id": "2", "text": "Cai nghiện ma túy tự nguyện\n\nNgười nghiện ma túy được cai nghiện tự nguyện tại gia đình, cộng đồng."},
            {"id": "3", "text": "Trách nhiệm của đoàn thể\n\nĐoàn thanh niên tham gia tuyên truyền phòng, chống ma túy."},
        ],
    },
    {
        "id": "Luật Cư trú",
        "articles": [
            {"id": "1", "text": "Đăng ký thường trú\n\nCông dân đăng ký thường trú tại chỗ ở hợp pháp."},
            {"id": "2", "text": "Đăng ký tạm trú\n\nCông dân đến sinh sống ngoài nơi thường trú thì đăng ký tạm trú."},
            {"id": "3", "text": "Sổ hộ khẩu\n\nSổ hộ khẩu được sử dụng đến hết ngày 31 tháng 12 năm 2022."},
        ],
    },
]  # fmt: skip
QUESTIONS = [
    {"question_id": "Q1", "text": "Đoàn thanh niên có trách nhiệm gì trong phòng, chống ma túy?",
     "relevant_articles": [{"law_id": "Luật Phòng, chống ma túy", "article_id": "3"}]},
    {"question_id": "Q2", "text": "Công dân đăng ký tạm trú khi nào?",
     "relevant_articles": [{"law_id": "Luật Cư trú", "article_id": "2"}]},
    {"question_id": "Q3", "text": "Sổ hộ khẩu được sử dụng đến ngày nào?",
     "relevant_articles": [{"law_id": "Luật Cư trú", "article_id": "3"}]},
    {"question_id": "Q4", "text": "Người nghiện được cai nghiện tự nguyện ở đâu?",
     "relevant_articles": [{"law_id": "Luật Phòng, chống ma túy", "article_id": "2"}]},
]  # fmt: skip


@pytest.fixture
def alqac(tmp_path):
    law, questions = tmp_path / "law.json", tmp_path / "train.json"
    law.write_text(json.dumps(LAWS, ensure_ascii=False), encoding="utf-8")
    questions.write_text(json.dumps(QUESTIONS, ensure_ascii=False), encoding="utf-8")
    return law, questions


def _retrieval(law: Path, questions: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "bench", "retrieval", "--corpus", str(law), "--questions", str(questions), *extra, stdout=out
    )
    return out.getvalue()


# --- metrics and the baseline -----------------------------------------------------------------------------------


def test_metrics_hit_at_k_and_mrr():
    rel = [frozenset({"a"}), frozenset({"a", "z"}), frozenset({"a"}), frozenset({"a"})]
    rankings = [["a", "b"], ["c", "z", "a"], [*"bcdefghijk", "a"], []]
    # ranks 1, 2, 11 (beyond 10), none
    assert score_rankings(rankings, rel) == {
        "hit@1": 0.25,
        "hit@10": 0.5,
        "mrr@10": round((1 + 1 / 2) / 4, 4),
    }


def test_bm25_is_plain_okapi_on_nfc_syllables():
    docs = ["nghị quyết đại hội", "nghị quyết", "đại hội đại biểu"]
    bm = BM25(docs)
    avgdl = (4 + 2 + 4) / 3
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))  # "đại" is in 2 of 3 documents
    expected = idf * 2 * 2.2 / (2 + 1.2 * (1 - 0.75 + 0.75 * 4 / avgdl))
    assert bm.scores("đại")[2] == pytest.approx(expected)
    assert bm.top("đại hội") == [2, 0]
    assert bm.top("dai hoi") == []  # no folding: the unaccented form finds nothing
    decomposed = "nghi\u0323 quyê\u0301t"  # NFD input is the same syllables
    assert bm.top(decomposed) == bm.top("nghị quyết")


def test_unaccented_form_removes_every_diacritic_and_d_stroke():
    assert strip_diacritics("Đoàn thanh niên Đảng đề nghị") == "Doan thanh nien Dang de nghi"
    assert strip_diacritics("ĐỒNG ĐẲNG") == "DONG DANG"


def test_the_unaccented_questions_reach_the_backend_without_diacritics(alqac):
    asked: list[str] = []

    def spy(backend, text):
        asked.append(text)
        return []

    articles, questions = load_corpus(alqac[0]), load_questions(alqac[1])
    figures = run_retrieval(articles, questions, backend="fake", search=spy)
    assert asked[:4] == [q["text"] for q in QUESTIONS]
    unaccented = asked[4:]
    assert len(unaccented) == 4 and unaccented[0].startswith("Doan thanh nien co trach nhiem")
    assert all("đ" not in t.lower() and t.isascii() for t in unaccented)
    assert figures["accented"] == {"hit@1": 0.0, "hit@10": 0.0, "mrr@10": 0.0}


# --- bench retrieval ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["fake", "tantivy"])
def test_retrieval_prints_one_json_line(alqac, backend):
    out = _retrieval(*alqac, "--backend", backend)
    assert out.count("\n") == 1 and out.endswith("\n")
    figures = json.loads(out)
    assert list(figures)[:4] == ["questions", "accented", "unaccented", "bm25_baseline"]
    assert figures["questions"] == 4 and figures["articles"] == 6 and figures["backend"] == backend
    metrics = ["hit@1", "hit@10", "mrr@10"]
    for part in (figures["accented"], figures["unaccented"], *figures["bm25_baseline"].values()):
        assert list(part) == metrics and all(0 <= v <= 1 and round(v, 4) == v for v in part.values())
    assert list(figures["bm25_baseline"]) == ["accented", "unaccented"]
    # folded matching finds the articles either way; the plain baseline only with diacritics
    assert figures["accented"]["hit@10"] == 1.0 and figures["unaccented"]["hit@10"] == 1.0
    assert figures["bm25_baseline"]["accented"]["hit@10"] == 1.0
    assert figures["bm25_baseline"]["unaccented"]["hit@10"] < 1.0


def test_retrieval_leaves_nothing_in_the_shared_fake_index(alqac):
    from vanphong.search.backends.fake import FakeBackend

    _retrieval(*alqac, "--backend", "fake")
    assert not [k for k, _ in FakeBackend().fingerprints("bench")]


@pytest.mark.parametrize(
    ("which", "content", "message"),
    [
        ("law", None, "Không tìm thấy tệp luật"),
        ("law", "{not json", "không phải JSON hợp lệ"),
        ("law", json.dumps({"id": "x"}), "phải là một danh sách"),
        ("law", json.dumps([{"id": "Luật A", "articles": [{"id": "1"}]}]), "thiếu “id” hoặc “text”"),
        ("questions", None, "Không tìm thấy tệp câu hỏi"),
        ("questions", json.dumps([{"question_id": "Q1", "text": "Hỏi?"}]), "relevant_articles"),
        ("questions", json.dumps([{"question_id": "Q1"}]), "thiếu “text”"),
    ],
)
def test_retrieval_bad_input_exits_2(alqac, which, content, message):
    law, questions = alqac
    target = law if which == "law" else questions
    if content is None:
        target.unlink()
    else:
        target.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message) as exc:
        _retrieval(law, questions, "--backend", "fake")
    assert exc.value.returncode == 2


def test_retrieval_from_the_shell_error_on_stderr_exit_2(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    missing = str(tmp_path / "khong-co.json")
    proc = subprocess.run([sys.executable, manage, "bench", "retrieval", "--corpus", missing, "--questions", missing],
                          capture_output=True, env=env, check=False, text=True)  # fmt: skip
    assert proc.returncode == 2
    assert "Không tìm thấy tệp luật" in proc.stderr and proc.stdout == ""


# --- bench search ------------------------------------------------------------------------------------------------

SOURCE_ARTICLES = [
    ("Điều 1.1.LQ.1. Phạm vi điều chỉnh", "Nghị quyết này quy định về công tác văn thư của cơ quan Đảng.\n"
     "Văn phòng Tỉnh ủy hướng dẫn các đơn vị thực hiện chuyển đổi số."),
    ("Điều 1.1.LQ.2. Đối tượng áp dụng", "Các cơ quan, tổ chức đảng ở tỉnh, huyện và cơ sở áp dụng quy định này."),
    ("Điều 1.1.LQ.3. Giải thích từ ngữ", "Văn bản đến là văn bản do cơ quan khác gửi tới.\n"
     "Văn bản đi là văn bản do cơ quan ban hành và gửi ra ngoài."),
    ("Điều 1.1.LQ.4. Đăng ký văn bản", "Văn bản đến được đăng ký vào sổ trong ngày làm việc.\n"
     "Văn thư cơ quan ghi số đến, ngày đến và trích yếu nội dung."),
    ("Điều 1.1.LQ.5. Trình, chuyển giao", "Người đứng đầu cơ quan cho ý kiến phân phối văn bản đến kịp thời."),
    ("Điều 1.2.NĐ.1. Giải quyết văn bản", "Đơn vị, cá nhân được giao giải quyết văn bản đúng thời hạn quy định."),
    ("Điều 1.2.NĐ.2. Lập hồ sơ", "Mỗi hồ sơ công việc được lập khi bắt đầu giải quyết công việc."),
    ("Điều 1.2.NĐ.3. Bảo vệ bí mật", "Văn bản mật được đăng ký vào sổ riêng và bảo quản trong tủ có khóa."),
    ("Điều 1.2.NĐ.4. Chữ ký số", "Văn bản điện tử được ký số bằng chứng thư số của Ban Cơ yếu Chính phủ."),
    ("Điều 1.2.NĐ.5. Lưu trữ", "Hồ sơ, tài liệu được nộp lưu vào lưu trữ cơ quan theo thời hạn quy định."),
    ("Điều 1.3.TT.1. Thống kê", "Hằng năm văn phòng thống kê số lượng văn bản đến và văn bản đi."),
    ("Điều 1.3.TT.2. Hiệu lực thi hành", "Quy định này có hiệu lực kể từ ngày ký ban hành."),
]  # fmt: skip


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "articles.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for title, text in SOURCE_ARTICLES:
            f.write(json.dumps({"title": title, "text": text}, ensure_ascii=False) + "\n")
    return path


def test_synthetic_documents_are_reproducible_and_realistic(source):
    src = bench.load_source(source)
    assert src.headings[0] == "Phạm vi điều chỉnh"
    a, b = bench.synthetic_record(42, src), bench.synthetic_record(42, src)
    assert a == b and a.key == "bench_search:42" and a.body
    numbers = [bench.synthetic_record(i, src).number_symbol for i in range(200)]
    assert all(is_number_lookup(n) for n in numbers)
    records = [bench.synthetic_record(i, src) for i in range(500)]
    assert 400 < sum(r.secrecy_rank == 0 for r in records) < 500
    assert all(f"u:{r.unit_id}" in r.acl for r in records)


@pytest.mark.django_db
def test_bench_search_prints_figures_and_reuses_the_index(tmp_path, source):
    args = ["bench", "search", "--docs", "300", "--backends", "fake,tantivy,postgres", "--queries", "12",
            "--dir", str(tmp_path / "bench"), "--source", str(source)]  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    table = out.getvalue()
    for label in ("1–3 terms", "broad", "phrase", "number lookup", "p50 ms", "p95 ms", "peak memory"):
        assert label in table
    assert "tantivy   index" in table and "built in" in table
    if connection.vendor != "postgresql":
        assert "PostgreSQL bỏ qua" in table
    again = io.StringIO()
    call_command(*args, "--json", stdout=again)
    assert again.getvalue().count("\n") == 1
    figures = json.loads(again.getvalue())
    assert figures["docs"] == 300 and figures["queries_per_set"] == 12
    tantivy = figures["backends"]["tantivy"]
    assert tantivy["reused"] is True and tantivy["index_bytes"] > 0
    assert set(tantivy["latency_ms"]) == {"terms", "broad", "phrase", "number"}
    for row in tantivy["latency_ms"].values():
        assert 0 < row["p50"] <= row["p95"] <= row["max"]
    assert tantivy["latency_ms"]["number"]["median_hits"] >= 1  # the number exists and its viewer may read it
    assert figures["peak_rss_mb"] > 0


def test_bench_search_bad_input_exits_2(tmp_path):
    with pytest.raises(CommandError, match="Không tìm thấy tệp văn bản nguồn") as exc:
        call_command("bench", "search", "--docs", "300", "--backends", "fake", "--dir", str(tmp_path),
                     "--source", str(tmp_path / "none.jsonl.gz"))  # fmt: skip
    assert exc.value.returncode == 2
    with pytest.raises(CommandError, match="không biết") as exc:
        call_command("bench", "search", "--docs", "300", "--backends", "solr", "--dir", str(tmp_path))
    assert exc.value.returncode == 2
