# Two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_DB ?= demo/demo-office.db
# The system packages to check for (build/check_system.sh): `run` also needs Qt's X11
# libraries; as a target-specific variable it holds while `run` builds the venv too.
SYSTEM_NEEDS := test
run: SYSTEM_NEEDS := run

.PHONY: run test lint typecheck pytest bench clean dist

$(STAMP): pyproject.toml
	@sh build/check_system.sh $(SYSTEM_NEEDS)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The first time, build the demo district office (Huyện Mai Sơn); then open the window on it.
run: $(STAMP)
	@sh build/check_system.sh run
	@mkdir -p $(dir $(DEMO_DB))
	@test -f $(DEMO_DB) || $(PY) -m desktop_app demo --db $(DEMO_DB)
	$(PY) -m desktop_app gui --db $(DEMO_DB)

lint: $(STAMP)
	$(PY) -m ruff check desktop_app tests bench build
	$(PY) -m ruff format --check desktop_app tests bench build

typecheck: $(STAMP)
	$(PY) -m mypy

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

test: lint typecheck pytest

bench: $(STAMP)
	$(PY) -m bench

# The one-folder frozen build (dist/coverage-desk); see README "The Windows folder".
dist: $(STAMP)
	$(PY) -m PyInstaller --version >/dev/null 2>&1 || $(PY) -m pip install --quiet 'pyinstaller>=6.22,<7'
	$(PY) build/build.py

clean:
	rm -rf $(VENV) demo dist build/work .pytest_cache .mypy_cache .ruff_cache
