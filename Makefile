# Set-up and everyday commands. `make run` and `make test` work on a fresh clone.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test index bench clean-index

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	# the CPU build of torch first: without the pin pip pulls several GB of CUDA packages
	$(VENV)/bin/pip install --quiet torch==2.13.0
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

index: setup
	$(VENV)/bin/qa index

run: index
	$(VENV)/bin/qa

test: setup
	$(PY) -m pytest

clean-index:  # every file qa wrote in index/ (the hidden .gitkeep stays)
	rm -rf index/*
