"""Benchmarks of the reading and registering of incoming documents and of search; each prints figures
(``--json`` for machines).

``vanphong bench extract --dir DIR [--gold FILE] [--errors N] [--json]``
    Metadata extraction accuracy and speed on a corpus: the Công báo form (``index.json`` + ``text/``) or a folder
    of ``NAME.json`` sidecars beside ``NAME.txt`` / document files. The scoring and skip rules are printed with
    the figures (see ``vanphong.ingest.evaluation``). For the Công báo form the hand-checked gold file of the
    ingest tests is scored as well.
``vanphong bench ocr --dir DIR [--limit N] [--jobs N] [--backend DOTTED] [--json]``
    Real OCR on page images (``*.png``, ``*.jpg``, ``*.tif``) and PDFs, CER against ``NAME.gt.txt`` (Levenshtein on
    NFC text with whitespace collapsed) and pages per minute; ``--jobs`` files in parallel, each OCR process with
    ``OMP_THREAD_LIMIT=1``.
``vanphong bench ingest --count N [--keep] [--jobs N] [--json]``
    Documents per second through the whole pipeline — ``intake_create`` (preflight, store, text, metadata) →
    duplicate check and ``incoming_document_register`` — for N invented born-digital PDFs (rendered once with
    WeasyPrint and cached under ``DATA_DIR/bench``) into a throw-away unit of the current database. Everything
    runs in one transaction that is rolled back (and the stored files removed) unless ``--keep``. ``--jobs N``
    (with ``--keep``, on a scratch database) forks N processes that commit every document on its own.
``vanphong bench retrieval --corpus LAW.json --questions Q.json [--backend tantivy|postgres|fake]``
    Search quality on an ALQAC-format set (``../shared/data/retrieval-dev/alqac2023``): every article indexed
    through the real backend (tantivy in a temporary directory; postgres in the current database under the kind
    ``bench``, removed afterwards) and every question asked as written and without diacritics, trimming on.
    Prints ONE JSON line: ``{"questions", "accented": {"hit@1", "hit@10", "mrr@10"}, "unaccented": {…},
    "bm25_baseline": {"accented": {…}, "unaccented": {…}}, "backend", "articles", "seconds"}``; the baseline is
    plain BM25 in pure Python on the same run (see ``vanphong.search.bench``). Bad input: Vietnamese message on
    stderr, exit code 2.
``vanphong bench search --docs N [--backends tantivy,postgres] [--queries 200] [--dir PATH] [--source FILE] [--json]``
    Latency (p50/p95/max ms), index size, build time and peak memory at volume: N documents recombined from the
    Bộ pháp điển text (``--source``, default ``VANPHONG_REAL_DATA/phapdien/articles.jsonl.gz``), streamed into
    each backend in batches, kept under ``--dir`` (default ``DATA_DIR/bench/search``) and reused next time for the
    same N. Query sets: 1–3 terms, broad terms, quoted phrases, exact numbers; trimming and facets on, limit 20.
    PostgreSQL is measured only when DATABASE_URL is PostgreSQL — best a scratch database: the documents go into
    the product's search table under the kind ``bench_search`` (a previous size replaced, kept for reuse) and the
    size reported is the whole table's; otherwise it is skipped with a notice.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction
from django.utils import timezone

from vanphong.core.exceptions import VanphongError
from vanphong.ingest.evaluation import Case, Report, cer, gold_cases, load_cases, normalise_for_cer, score
from vanphong.ingest.extract import FIELDS

GOLD = Path(__file__).resolve().parents[3] / "ingest" / "tests" / "data" / "congbao_gold.json"
TARGET_FIELDS = ("number_symbol", "issued_date", "doc_type")
TARGET = 0.95
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")

RULES_CONGBAO = """\
Scoring (Công báo corpus, expected values from index.json only — never from the text itself):
  number_symbol/number/symbol  vs so_hieu (or the slug): no diacritics, case, separators or leading zeros;
                               skipped when the text does not contain that number (gazette fragment).
  issued_date                  the metadata has no date: the YEAR is scored against the year in the number
                               (02/2023/TT-…) or a plausible `nam`; skipped otherwise. Full dates: see gold.
  doc_type                     vs `loai` mapped to catalogue names; skipped for “Khác” and contradictions.
  issuer/subject/signer/…      not in index.json: skipped here, scored by the hand-checked gold file.
  every field of a scan (text layer < 100 content chars/page) is skipped: it needs OCR.
Gold: hand-checked expected values (vanphong/ingest/tests/data/congbao_gold.json), all fields compared
exactly (case and spacing folded). 33 of them were read while developing the extractor (a regression
check); 10 more were drawn at random and scored once before any further change (held out: 79/79)."""
RULES_SIDECAR = """\
Scoring (sidecar folder): each NAME.json lists expected fields; values are compared exactly (case and
spacing folded, issued_date as the full ISO date); fields absent from a sidecar are skipped; documents that
need OCR are skipped unless --ocr."""


def _pct(value: float | None) -> str:
    return f"{100 * value:6.2f} %" if value is not None else "     —  "


class Command(BaseCommand):
    help = "Benchmarks: metadata extraction accuracy, OCR error rate, ingest throughput."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ex = sub.add_parser("extract", help="Metadata extraction accuracy on a corpus folder.")
        ex.add_argument("--dir", required=True, dest="directory")
        ex.add_argument(
            "--gold", default=None, help="Hand-checked expectations (default: the ingest tests' file)."
        )
        ex.add_argument("--errors", type=int, default=0, help="List up to N mismatches per field.")
        ex.add_argument("--ocr", action="store_true", help="OCR scanned documents of a sidecar folder.")
        ex.add_argument("--json", action="store_true")
        oc = sub.add_parser(
            "ocr", help="OCR character error rate and speed on page images with ground truth."
        )
        oc.add_argument("--dir", required=True, dest="directory")
        oc.add_argument("--limit", type=int, default=0)
        oc.add_argument("--jobs", type=int, default=1)
        oc.add_argument("--backend", default="vanphong.ingest.ocr.OcrMyPdfBackend")
        oc.add_argument("--json", action="store_true")
        ing = sub.add_parser("ingest", help="Documents per second through intake and registration.")
        ing.add_argument("--count", type=int, default=200)
        ing.add_argument("--keep", action="store_true", help="Commit the run instead of rolling it back.")
        ing.add_argument("--jobs", type=int, default=1,
                         help="Worker processes; needs --keep (one commit per document, as in production).")  # fmt: skip
        ing.add_argument("--json", action="store_true")
        ret = sub.add_parser(
            "retrieval", help="Search quality (hit@k, MRR) on ALQAC-format questions vs BM25."
        )
        ret.add_argument("--corpus", required=True, help="law.json: [{id, articles: [{id, text}]}]")
        ret.add_argument(
            "--questions", required=True, help="train.json: [{question_id, text, relevant_articles}]"
        )
        ret.add_argument("--backend", default="tantivy", choices=("tantivy", "postgres", "fake"))
        se = sub.add_parser("search", help="Search latency, index size and build time at volume.")
        se.add_argument("--docs", type=int, required=True)
        se.add_argument(
            "--backends", default="tantivy,postgres", help="Comma-separated: tantivy, postgres, fake."
        )
        se.add_argument("--queries", type=int, default=200, help="Queries per set (default 200).")
        se.add_argument("--dir", default=None, dest="directory", help="Default: DATA_DIR/bench/search.")
        se.add_argument(
            "--source", default=None, help="Default: VANPHONG_REAL_DATA/phapdien/articles.jsonl.gz."
        )
        se.add_argument("--batch", type=int, default=5000, help="Documents per index call (default 5000).")
        se.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "extract":
            self._extract(options)
        elif action == "ocr":
            self._ocr(options)
        elif action == "retrieval":
            self._retrieval(options)
        elif action == "search":
            self._search(options)
        else:
            self._ingest(options)

    def _emit(self, data: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))

    # --- extract ---------------------------------------------------------------------------------------------

    def _document_reader(self, use_ocr: bool) -> Any:
        from vanphong.ingest.extract import extract_metadata
        from vanphong.ingest.pipeline import read_document
        from vanphong.ingest.preflight import preflight

        def run(case: Case) -> dict[str, Any] | None:
            if case.text is not None:
                return extract_metadata(case.text)
            if case.path is None:
                return None
            data = case.path.read_bytes()
            try:
                checked = preflight(data=data, filename=case.path.name)
                if checked.needs_ocr and not use_ocr:
                    return None
                return read_document(data, filename=case.path.name, checked=checked).metadata
            except VanphongError:
                return None

        return run

    def _extract(self, options: dict[str, Any]) -> None:
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(f"Thư mục “{directory}” không tồn tại.")
        form, cases = load_cases(directory)
        reports: dict[str, Report] = {form: score(form, cases, self._document_reader(options["ocr"]))}
        gold = Path(options["gold"]) if options["gold"] else (GOLD if form == "congbao" else None)
        if gold is not None and gold.exists() and form == "congbao":
            reports["gold"] = score("gold", gold_cases(gold, directory))
        if options["json"]:
            self._emit(
                {
                    "rules": RULES_CONGBAO if form == "congbao" else RULES_SIDECAR,
                    **{name: r.as_dict(errors=options["errors"]) for name, r in reports.items()},
                }
            )
            return
        self.stdout.write(RULES_CONGBAO if form == "congbao" else RULES_SIDECAR)
        for name, report in reports.items():
            self._print_report(name, report, options["errors"])

    def _print_report(self, name: str, report: Report, errors: int) -> None:
        w = self.stdout.write
        w("")
        w(
            f"== {name}: {report.documents} documents in {report.seconds:.2f} s ({report.docs_per_second:.1f} docs/s)"
        )
        w(f"{'field':<15}{'scored':>8}{'correct':>9}{'skipped':>9}{'accuracy':>11}   skip reasons")
        for field, fs in report.fields.items():
            reasons = "; ".join(f"{n}× {r}" for r, n in fs.skip_reasons.most_common(3))
            w(f"{field:<15}{fs.scored:>8}{fs.correct:>9}{fs.skipped:>9}{_pct(fs.accuracy):>11}   {reasons}")
        overall = report.correct / report.scored if report.scored else None
        w(f"{'overall':<15}{report.scored:>8}{report.correct:>9}{'':>9}{_pct(overall):>11}")
        if name != "gold":
            verdicts = []
            for field in TARGET_FIELDS:
                acc = report.fields[field].accuracy
                if acc is not None:
                    verdicts.append(f"{field} {'OK' if acc >= TARGET else 'BELOW'} ({_pct(acc).strip()})")
            if verdicts:
                w(f"target ≥ {TARGET:.0%} where scored: " + ", ".join(verdicts))
        if errors:
            for field, fs in report.fields.items():
                for e in fs.errors[:errors]:
                    w(f"  ✗ {field}: {e['document']}: expected {e['expected']!r}, got {e['got']!r}")

    # --- ocr -------------------------------------------------------------------------------------------------

    def _ocr(self, options: dict[str, Any]) -> None:
        from vanphong.ingest.ocr import get_ocr_backend

        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(f"Thư mục “{directory}” không tồn tại.")
        backend = get_ocr_backend(options["backend"])
        if hasattr(backend, "available") and not backend.available():
            raise CommandError("Chưa cài ocrmypdf/tesseract-ocr-vie: không chạy được đo nhận dạng chữ.")
        files = sorted(p for p in directory.iterdir() if p.suffix.lower() in (*IMAGE_SUFFIXES, ".pdf"))
        if options["limit"]:
            files = files[: options["limit"]]
        if not files:
            raise CommandError(f"Không có ảnh trang hoặc PDF nào trong “{directory}”.")

        def one(path: Path) -> dict[str, Any]:
            gt = path.with_name(path.stem + ".gt.txt")
            kind = "pdf" if path.suffix.lower() == ".pdf" else "image"
            started = time.perf_counter()
            try:
                result = backend.ocr(path.read_bytes(), kind=kind, filename=path.name)
            except VanphongError as exc:
                return {"file": path.name, "error": exc.message, "seconds": time.perf_counter() - started}
            row: dict[str, Any] = {"file": path.name, "seconds": round(time.perf_counter() - started, 2)}
            if gt.exists():
                ref = gt.read_text(encoding="utf-8")
                row["cer"] = round(cer(result.text, ref), 5)
                row["ref_chars"] = len(normalise_for_cer(ref))
            return row

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=max(1, options["jobs"])) as pool:  # each call is its own process
            rows = list(pool.map(one, files))
        wall = time.perf_counter() - started
        scored = [r for r in rows if "cer" in r]
        chars = sum(r["ref_chars"] for r in scored)
        summary = {
            "backend": options["backend"],
            "files": len(rows),
            "failed": sum(1 for r in rows if "error" in r),
            "jobs": options["jobs"],
            "wall_seconds": round(wall, 1),
            "pages_per_minute": round(len(rows) / wall * 60, 2) if wall else None,
            "cer_mean": round(sum(r["cer"] for r in scored) / len(scored), 5) if scored else None,
            "cer_micro": round(sum(r["cer"] * r["ref_chars"] for r in scored) / chars, 5) if chars else None,
            "pages": rows,
        }
        if options["json"]:
            self._emit(summary)
            return
        w = self.stdout.write
        w(
            "CER = Levenshtein distance / reference length, on NFC text with whitespace collapsed to single spaces."
        )
        for r in rows:
            detail = f"CER {100 * r['cer']:.2f} %" if "cer" in r else r.get("error", "no ground truth")
            w(f"  {r['file']:<60} {r['seconds']:>6.1f} s  {detail}")
        w(
            f"{summary['files']} pages, {summary['jobs']} parallel, {summary['wall_seconds']} s: "
            f"{summary['pages_per_minute']} pages/min; CER mean {_pct(summary['cer_mean']).strip()}, "
            f"micro {_pct(summary['cer_micro']).strip()}"
        )

    # --- search ---------------------------------------------------------------------------------------------

    def _retrieval(self, options: dict[str, Any]) -> None:
        from vanphong.search.bench import (
            BenchInputError,
            load_corpus,
            load_questions,
            postgres_available,
            run_retrieval,
        )

        try:
            articles = load_corpus(Path(options["corpus"]))
            questions = load_questions(Path(options["questions"]))
        except BenchInputError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        if options["backend"] == "postgres" and (reason := postgres_available()):
            raise CommandError(reason, returncode=2)
        figures = run_retrieval(articles, questions, backend=options["backend"])
        self.stdout.write(json.dumps(figures, ensure_ascii=False))

    def _search(self, options: dict[str, Any]) -> None:
        from vanphong.search.bench import BenchInputError, format_search, run_search

        names = [n.strip() for n in options["backends"].split(",") if n.strip()]
        unknown = [n for n in names if n not in ("tantivy", "postgres", "fake")]
        if not names or unknown:
            raise CommandError(
                f"--backends: không biết “{', '.join(unknown) or options['backends']}”; dùng tantivy, postgres, fake.",
                returncode=2,
            )
        directory = Path(options["directory"] or Path(settings.DATA_DIR) / "bench" / "search")
        source = Path(
            options["source"] or Path(settings.VANPHONG_REAL_DATA) / "phapdien" / "articles.jsonl.gz"
        )
        progress = (lambda _m: None) if options["json"] else (lambda m: self.stderr.write(m))
        try:
            figures = run_search(
                docs=options["docs"], backends=names, count=options["queries"], directory=directory,
                source=source, batch=max(1, options["batch"]), progress=progress,
            )  # fmt: skip
        except BenchInputError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
        else:
            self.stdout.write(format_search(figures))

    # --- ingest ----------------------------------------------------------------------------------------------

    def _documents(self, count: int) -> tuple[list[Any], list[bytes], float]:
        from vanphong.ingest.samples import render_pdfs, sample_documents

        today = timezone.localdate()
        docs = sample_documents(count, today=today)
        cache = Path(settings.DATA_DIR) / "bench" / f"ingest-{count}-{today.isoformat()}"
        started = time.perf_counter()
        files = sorted(cache.glob("*.pdf")) if cache.is_dir() else []
        if len(files) == count:
            return docs, [f.read_bytes() for f in files], 0.0
        pdfs = render_pdfs(docs)
        cache.mkdir(parents=True, exist_ok=True)
        for i, pdf in enumerate(pdfs):
            (cache / f"{i:05d}.pdf").write_bytes(pdf)
        return docs, pdfs, time.perf_counter() - started

    @staticmethod
    def _warm_up() -> None:
        """Load what the first document would otherwise pay for: the URL configuration (the register links its
        notifications), the extractor's tables."""
        from django.urls import reverse

        from vanphong.ingest.extract import extract_metadata
        from vanphong.ingest.samples import sample_documents

        reverse("registry:incoming_detail", args=[1])
        extract_metadata(sample_documents(1)[0].text())

    def _ingest(self, options: dict[str, Any]) -> None:
        import hashlib
        import multiprocessing

        from django.db import connections

        from vanphong.org.models import UnitLevel
        from vanphong.org.services import central_unit_ensure, unit_create
        from vanphong.storage.backends import get_backend
        from vanphong.storage.models import Blob

        count, jobs, keep = options["count"], max(1, options["jobs"]), options["keep"]
        if count < 1:
            raise CommandError("--count phải lớn hơn 0.")
        try:
            Blob.objects.exists()
        except DatabaseError as exc:
            raise CommandError(
                f"Cơ sở dữ liệu hiện tại chưa sẵn sàng ({exc}). Hãy chạy “vanphong migrate” hoặc chỉ "
                "DATABASE_URL tới một cơ sở dữ liệu đã khởi tạo."
            ) from exc
        if jobs > 1 and not keep:
            raise CommandError(
                "--jobs > 1 cho mỗi văn bản một giao dịch riêng như khi chạy thật, nên không hoàn tác được: "
                "thêm --keep và chạy trên cơ sở dữ liệu thử (DATABASE_URL)."
            )
        docs, pdfs, generated = self._documents(count)
        _JOB_DATA[:] = [docs, pdfs]
        shas = [hashlib.sha256(p).hexdigest() for p in pdfs]
        existed = set(Blob.objects.filter(pk__in=shas).values_list("pk", flat=True))
        self._warm_up()

        def new_unit() -> Any:
            return unit_create(
                actor=None, name=f"Đơn vị đo hiệu năng {int(time.time())}", short_name="BENCH",
                level=UnitLevel.PROVINCE, parent=central_unit_ensure(), stats_code="",
            )  # fmt: skip

        class Rollback(Exception):  # noqa: N818 — control flow, never escapes this method
            pass

        parts: list[dict[str, Any]] = []
        if jobs == 1:
            try:
                with transaction.atomic():
                    unit = new_unit()
                    started = time.perf_counter()
                    parts.append(_ingest_slice(unit.pk, 0, 1))
                    elapsed = time.perf_counter() - started
                    if not keep:
                        raise Rollback
            except Rollback:
                backend = get_backend()
                for sha in set(shas) - existed:
                    if not Blob.objects.filter(pk=sha).exists():
                        backend.delete(sha)
        else:
            unit = new_unit()
            connections.close_all()  # each worker opens its own connection
            started = time.perf_counter()
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                parts = pool.starmap(_ingest_slice, [(unit.pk, k, jobs) for k in range(jobs)])
            elapsed = time.perf_counter() - started
        figures = _summary(parts, count=count, elapsed=elapsed, generated=generated, jobs=jobs, keep=keep)
        if options["json"]:
            self._emit(figures)
            return
        w = self.stdout.write
        render = f"rendered in {generated:.1f} s" if generated else "cached"
        mode = (
            f"{jobs} processes, one commit per document (kept)" if jobs > 1
            else f"one process, one transaction {'kept' if keep else 'rolled back'}"
        )  # fmt: skip
        w(f"{count} invented born-digital PDFs ({render}), database {figures['database']}, {mode}.")
        w(f"{figures['docs_per_second']} docs/s ({elapsed:.2f} s wall) through intake_create → register")
        for stage, ms in figures["ms_per_doc"].items():
            w(f"  {ms:7.2f} ms/doc  {stage}")
        accuracy = ", ".join(f"{f} {100 * a:.1f} %" for f, a in figures["proposal_accuracy"].items())
        w(f"proposal accuracy on these documents: {accuracy}")
        w(f"duplicates flagged: {figures['duplicates_flagged']}; proposals missing subject or issuer: "
          f"{figures['unreadable']}; refused by the register: {figures['refused_count']}")  # fmt: skip
        for line in figures["refused_by_register"][:5]:
            w(f"  ✗ {line}")


# documents of `bench ingest`, set before worker processes are forked so that they inherit them
_JOB_DATA: list[Any] = []


def _ingest_slice(unit_id: int, start: int, step: int) -> dict[str, Any]:
    """Take documents ``start, start + step, …`` through intake_create and registration into unit ``unit_id``."""
    from vanphong.catalogs.models import DocumentType, SecrecyLevel, Urgency
    from vanphong.ingest.models import IntakeSource, IntakeStatus
    from vanphong.ingest.services import intake_create, intake_process
    from vanphong.org.models import Unit
    from vanphong.registry.models import Medium
    from vanphong.registry.services.incoming import DuplicateWarning, incoming_document_register

    docs, pdfs = _JOB_DATA
    unit = Unit.objects.get(pk=unit_id)
    types = {t.name: t for t in DocumentType.objects.all()}
    urgencies = {u.name: u for u in Urgency.objects.all()}
    secrecies = {x.name: x for x in SecrecyLevel.objects.all()}
    out: dict[str, Any] = {"correct": dict.fromkeys(FIELDS, 0), "create": 0.0, "register": 0.0, "duplicates": 0,
                           "unreadable": 0, "refused": []}  # fmt: skip
    for i in range(start, len(docs), step):
        t0 = time.perf_counter()
        intake = intake_create(
            actor=None, unit=unit, source=IntakeSource.UPLOAD, filename=f"van-ban-{i:05d}.pdf", data=pdfs[i]
        )
        if intake.status == IntakeStatus.QUEUED:  # VANPHONG_INGEST_INLINE off: read it here
            intake = intake_process(intake_id=intake.pk) or intake
        t1 = time.perf_counter()
        p = intake.proposed or {}
        expected = docs[i].expected()
        for field in FIELDS:
            out["correct"][field] += int(p.get(field) == expected[field])
        if not p.get("subject") or not p.get("issuer"):
            out["unreadable"] += 1
        try:
            incoming_document_register(
                actor=None, unit=unit, medium=Medium.ELECTRONIC,
                subject=p.get("subject") or "(không đọc được)", issuer_name=p.get("issuer") or "(không rõ)",
                number_symbol=p.get("number_symbol") or "",
                issued_date=date.fromisoformat(p["issued_date"]) if p.get("issued_date") else None,
                document_type=types.get(p.get("doc_type") or ""), signer_name=p.get("signer") or "",
                urgency=urgencies.get(p.get("urgency") or ""), secrecy=secrecies.get(p.get("secrecy") or ""),
                intake=intake,
            )  # fmt: skip
        except DuplicateWarning:
            out["duplicates"] += 1
        except VanphongError as exc:
            out["refused"].append(f"{intake.filename}: {exc.message}")
        out["create"] += t1 - t0
        out["register"] += time.perf_counter() - t1
    return out


def _summary(
    parts: list[dict[str, Any]], *, count: int, elapsed: float, generated: float, jobs: int, keep: bool
) -> dict[str, Any]:
    correct = {f: sum(p["correct"][f] for p in parts) for f in FIELDS}
    refused = [r for p in parts for r in p["refused"]]
    return {
        "documents": count,
        "jobs": jobs,
        "render_seconds": round(generated, 1),
        "seconds": round(elapsed, 2),
        "docs_per_second": round(count / elapsed, 1) if elapsed else None,
        "ms_per_doc": {
            "intake_create (preflight, store, text, metadata)": round(
                1000 * sum(p["create"] for p in parts) / count, 2
            ),
            "duplicate check + register": round(1000 * sum(p["register"] for p in parts) / count, 2),
        },
        "proposal_accuracy": {f: round(n / count, 4) for f, n in correct.items()},
        "duplicates_flagged": sum(p["duplicates"] for p in parts),
        "refused_by_register": refused[:10],
        "refused_count": len(refused),
        "unreadable": sum(p["unreadable"] for p in parts),
        "kept": keep,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "inline": bool(getattr(settings, "VANPHONG_INGEST_INLINE", True)),
    }
