# Two commands set everything up on a fresh machine with Python 3.10+ and make:
#   make book   build the website into _build/html
#   make test   run every test: the engine's (tests/) and every chapter (nbval)
# Each creates .venv on first use and re-installs when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp-dev
LABSTAMP := $(VENV)/.stamp-lab
export PYTHONPATH := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))
export PYDEVD_DISABLE_FILE_VALIDATION := 1
JB_FLAGS := -W -n --keep-going

.PHONY: all book test lab bench student vendor check-site clean help

help:
	@echo "make book   build the site into _build/html (strict)"
	@echo "make test   run the engine tests and execute every chapter (nbval)"
	@echo "make student  the student edition: _build/student/notebooks and _build/student/html"
	@echo "make lab    open the chapters in JupyterLab"
	@echo "make check-site  open the built site in headless Chromium, offline, and check every page"
	@echo "make bench  run the engine benchmark"
	@echo "make clean  remove builds and the virtual environment"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[book,test,distributed]'
	touch $@

$(LABSTAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[book,test,distributed,lab]'
	touch $@

vendor:
	tools/vendor_assets.sh

book: $(STAMP) vendor
	rm -rf _build/html _build/jupyter_execute _build/.doctrees
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "site: $(CURDIR)/_build/html/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider

student: $(STAMP) vendor
	rm -rf _build/student
	$(BIN)/python tools/make_student.py _build/student/src
	cp -r _vendor _build/student/src/_vendor
	cd _build/student/src && $(CURDIR)/$(BIN)/jupyter-book build . $(JB_FLAGS)
	mv _build/student/src/_build/html _build/student/html
	cp -r _build/student/src/book _build/student/notebooks
	@echo "student notebooks: $(CURDIR)/_build/student/notebooks"
	@echo "student site:      $(CURDIR)/_build/student/html/index.html"

$(VENV)/.stamp-site: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[book,test,distributed,site]'
	touch $@

# The built site in headless Chromium with the network off (Debian's chromium and
# chromium-driver: `sudo apt-get install chromium chromium-driver`). Run after `make book`.
check-site: $(VENV)/.stamp-site
	$(BIN)/python tools/check_site.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py

lab: $(LABSTAMP)
	$(BIN)/jupyter lab --notebook-dir=book

clean:
	rm -rf _build _vendor $(VENV) .pytest_cache .hypothesis *.egg-info
