"""The measuring tools: edit distance, CER and the comparison of numbers against slugs."""

from __future__ import annotations

import random

import pytest

from vanphong.ingest.evaluation import cer, levenshtein, matches, normalise_for_cer, ns_key


def reference_levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def test_levenshtein_agrees_with_the_textbook_table():
    rng = random.Random(7)
    alphabet = "aăâđ êôơư1 "
    for _ in range(400):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert levenshtein(a, b) == reference_levenshtein(a, b), (a, b)
    assert levenshtein("", "abc") == 3 and levenshtein("kitten", "sitting") == 3


def test_levenshtein_is_fast_on_pages():
    rng = random.Random(1)
    page = "".join(rng.choice("abcdeđơư ") for _ in range(3000))
    noisy = "".join(c if rng.random() > 0.02 else "x" for c in page)
    assert 0 < levenshtein(noisy, page) <= 3000 * 0.05


def test_cer_normalises_unicode_and_whitespace():
    nfd = "Nghi\u0323 quyê\u0301t"  # “Nghị quyết” decomposed
    assert normalise_for_cer(f"  {nfd}\n\n  số 57 ") == "Nghị quyết số 57"
    assert cer("Nghị   quyết\nsố 57", "Nghị quyết số 57") == 0.0
    assert cer("Nghi quyet so 57", "Nghị quyết số 57") == pytest.approx(3 / 16)


@pytest.mark.parametrize(
    ("expected", "got", "kind", "ok"),
    [
        ("02-2023-tt-bldtbxh", "02/2023/TT-BLĐTBXH", "ns", True),
        ("7/2026/TT-BNV", "07/2026/TT-BNV", "ns", True),
        ("6619-2026-nq-cp", "66.19/2026/NQ-CP", "ns", True),
        ("02-2023-tt-bldtbxh", "03/2023/TT-BLĐTBXH", "ns", False),
        (2023, "2023-04-12", "year", True),
        ("Bộ Tài chính", "BỘ TÀI  CHÍNH", "exact", True),
        (None, None, "exact", True),
        (None, "Khẩn", "exact", False),
    ],
)
def test_matches(expected, got, kind, ok):
    assert matches(kind, expected, got) is ok


def test_ns_key():
    assert ns_key("57-NQ/TW") == "57nqtw" and ns_key("Số 0012/QĐ-BNV") != ns_key("12/QĐ-BNV")
