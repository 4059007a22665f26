# Two commands for a fresh machine (Python >= 3.11, git, make): `make html` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUTPUT := output
PORT ?= 8000

.PHONY: html test serve validate check rules verify schema demo demo-history bench-draw bench-verify vectors clean

# The venv is rebuilt only when the dependencies change.
$(BIN)/ssjpub: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

validate: $(BIN)/ssjpub
	$(BIN)/ssjpub validate

# Every rule of the rule catalogue (docs/rules.md); validates first.
check: $(BIN)/ssjpub
	$(BIN)/ssjpub check

# Regenerates docs/rules.md from the code.
rules: $(BIN)/ssjpub
	$(BIN)/ssjpub rules > docs/rules.md

html: check
	$(BIN)/pelican content -s pelicanconf.py -o $(OUTPUT) --fatal errors

verify: $(BIN)/ssjpub
	$(BIN)/ssjpub verify

test: $(BIN)/ssjpub
	$(BIN)/python -m pytest

serve: html
	$(BIN)/pelican --listen -s pelicanconf.py -o $(OUTPUT) -b 127.0.0.1 -p $(PORT)

schema: $(BIN)/ssjpub
	$(BIN)/ssjpub schema --out docs/schema

# Regenerates the committed test vectors for re-implementers (deterministic): the single-function
# ones and the whole-draw cases (tests/vectors/README.md).
vectors: $(BIN)/ssjpub
	$(BIN)/python -m ssjpub.draw.vectors tests/vectors
	$(BIN)/python -m ssjpub.draw.drawvectors tests/vectors/draws

# Regenerates the committed demo data (deterministic).
demo: $(BIN)/ssjpub
	$(BIN)/python -m ssjpub.demo .

# The demo replayed into a new git repository in the order a bureau works (snapshot and plan with
# the declarations, their trusted timestamps, then the public values, the draw, the results:
# ssjpub/demo/replay.py), its history checked with `verify --history`, and the site built from it
# into output/. The demo TSA's clock needs Debian's faketime (apt-get install faketime).
REPLAY := .demo-history
SETTINGS ?= pelicanconf.py
demo-history: $(BIN)/ssjpub
	rm -rf $(REPLAY)
	$(BIN)/python -m ssjpub.demo.replay $(REPLAY)
	$(BIN)/ssjpub verify --history --root $(REPLAY)
	cd $(REPLAY) && $(CURDIR)/$(BIN)/ssjpub check
	cd $(REPLAY) && $(CURDIR)/$(BIN)/pelican content -s $(SETTINGS) -o $(abspath $(OUTPUT)) --fatal errors

# Draw 5% of 1,000,000: ssjpub vs the raw SHA-256 loop vs consistent_sampler (bench/draw.py).
bench-draw: $(BIN)/ssjpub
	$(BIN)/python -m pip install --quiet 'consistent_sampler==1.0.10'
	$(BIN)/python bench/draw.py

# The browser verifier in headless Chromium on a 3,000-, 100,000- and 1,000,000-row draw, beside
# `ssjpub verify` and the Node runner (bench/browser_verify.py; needs chromium and nodejs).
bench-verify: $(BIN)/ssjpub
	$(BIN)/python bench/browser_verify.py

# The county site (210 task pages and the rest, 10 years of synthetic data) vs plain Pelican on the
# same pages as Markdown, with page sizes: the site step of `make bench` alone.
bench-site: $(BIN)/ssjpub
	$(BIN)/python bench/run.py --site-only

# The city site (10 agencies): full build, size, rebuild after one result changes, Pagefind's peak
# memory; up to an hour; writes docs/benchmarks-city.md.
.PHONY: bench-city
bench-city: $(BIN)/ssjpub
	$(BIN)/python bench/run.py --city-site

# County, city and province benchmarks side by side (draw, verify, site build, Pagefind, memory);
# synthetic data in bench/data/ (git-ignored); prints the table and writes docs/benchmarks.md.
.PHONY: bench
bench: $(BIN)/ssjpub
	$(BIN)/python -m pip install --quiet 'consistent_sampler==1.0.10'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(OUTPUT) $(VENV) .pytest_cache $(REPLAY)
