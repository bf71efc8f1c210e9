# vanphong — `make demo` runs the demo office, `make test` runs every check CI runs.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/vanphong
# OCR (tesseract `vie` through ocrmypdf) and PDF rendering need system packages; make installs missing ones.
APT_PACKAGES_RUN := tesseract-ocr tesseract-ocr-vie ocrmypdf fonts-liberation2
APT_PACKAGES_TEST := chromium $(APT_PACKAGES_RUN)

.PHONY: audit bench demo test lint typecheck contracts test-sqlite test-postgres test-e2e env system-test-deps system-run-deps clean worker

$(UV):
	python3 -m venv .tools && .tools/bin/pip install --quiet uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

env: $(VENV)/.synced

demo: env system-run-deps
	$(PY) -m vanphong.cli demo

worker: env
	$(PY) -m vanphong.cli worker

system-run-deps:
	@$(MAKE) --no-print-directory system-test-deps APT_PACKAGES_TEST="$(APT_PACKAGES_RUN)"

system-test-deps:
	@missing=""; for p in $(APT_PACKAGES_TEST); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing system packages:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	  || { echo "Could not install$$missing (run as root or install them)"; exit 1; }; fi

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: env
	$(VENV)/bin/mypy vanphong config

contracts: env
	$(VENV)/bin/lint-imports

test-sqlite: env
	DATABASE_URL= $(VENV)/bin/pytest -q --ds=config.settings.test vanphong

test-postgres: env
	@if $(PY) -c "import psycopg,sys; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q --ds=config.settings.test vanphong; \
	elif [ "$$CI" = "true" ]; then echo "FAIL: PostgreSQL is not reachable on 127.0.0.1:5432 (required when CI=true)"; exit 1; \
	else echo "NOTICE: PostgreSQL not reachable on 127.0.0.1:5432 — PostgreSQL leg skipped."; fi

# Known vulnerabilities in the locked dependencies (all groups), looked up by pip-audit in AUDIT_SERVICE (pypi|osv).
# A known vulnerability always fails. When the service cannot be reached or audits nothing (offline, a mirror
# without the JSON API, as on the CI machine today) it prints a NOTICE and passes, unless AUDIT_REQUIRED=1.
AUDIT_SERVICE ?= pypi
AUDIT_SUMMARY := import json,sys; deps=json.load(open(sys.argv[1]))["dependencies"]; \
  bad=[d for d in deps if d.get("vulns")]; skipped=[d for d in deps if "skip_reason" in d]; \
  [print("VULNERABLE:", d["name"], d["version"], ", ".join(v["id"] + (" (fixed in " + "/".join(v["fix_versions"]) + ")" if v["fix_versions"] else "") for v in d["vulns"])) for d in bad]; \
  print(len(deps) - len(skipped), len(skipped), len(bad))
audit: env
	@req=$$(mktemp); out=$$(mktemp); trap 'rm -f $$req $$out' EXIT; \
	$(UV) export --frozen --no-hashes --no-emit-project --all-groups --format requirements.txt --quiet -o $$req; \
	$(VENV)/bin/pip-audit -r $$req --no-deps --disable-pip --vulnerability-service $(AUDIT_SERVICE) \
	  --progress-spinner off --format json --output $$out 2>/dev/null; \
	if ! summary=$$($(PY) -c '$(AUDIT_SUMMARY)' $$out 2>/dev/null); then audited=0; skipped=?; vulnerable=0; \
	else printf '%s\n' "$$summary" | sed '$$d'; read -r audited skipped vulnerable <<< "$$(printf '%s\n' "$$summary" | tail -n1)"; fi; \
	if [ "$$vulnerable" != 0 ]; then echo "FAIL: $$vulnerable locked dependencies have known vulnerabilities (pip-audit, $(AUDIT_SERVICE))."; exit 1; \
	elif [ "$$audited" = 0 ]; then \
	  if [ "$(AUDIT_REQUIRED)" = "1" ]; then echo "FAIL: pip-audit could not audit any dependency ($(AUDIT_SERVICE) unreachable?; required by AUDIT_REQUIRED=1)"; exit 1; \
	  else echo "NOTICE: pip-audit could not audit the dependencies ($(AUDIT_SERVICE) unreachable or offline) — audit skipped."; fi; \
	else echo "pip-audit: no known vulnerabilities in $$audited locked dependencies ($$skipped not found in $(AUDIT_SERVICE))."; fi

test-e2e: env system-test-deps
	DATABASE_URL= $(VENV)/bin/pytest -q --ds=config.settings.test e2e

test: system-test-deps lint typecheck contracts audit test-sqlite test-postgres test-e2e

clean:
	rm -rf $(VENV) .tools var test-artifacts

bench: env
	$(PY) benchmarks/foundation.py
