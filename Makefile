# Set-up and everyday commands. `make run` and `make test` work on a fresh clone, also from another
# folder (`make -f ~/qa/Makefile run`, `make -C ~/qa run`): every path is the checkout's own.
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
VENV ?= $(ROOT)/.venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test test-fast index bench clean-index milvus-server

$(STAMP): $(ROOT)/pyproject.toml
	python3 -m venv $(VENV)
	# a pip that normalizes extras (PEP 685): the one venv ships (23.2) warns "lxml ... does not
	# provide the extra 'html_clean'" for justext's lxml[html_clean] (lxml 6 names it html-clean)
	$(VENV)/bin/pip install --quiet --upgrade 'pip>=25'
	# the CPU build of torch first: without the pin pip pulls several GB of CUDA packages
	$(VENV)/bin/pip install --quiet torch==2.13.0
	# PYTHONWARNINGS: setuptools' build backend otherwise prints a boxed advisory about editable installs
	PYTHONWARNINGS=ignore $(VENV)/bin/pip install --quiet -e '$(ROOT)[test]'
	touch $(STAMP)

setup: $(STAMP)

index: setup
	$(VENV)/bin/qa index

run: index
	$(VENV)/bin/qa

# one pytest worker a core (pytest-xdist), at most four: each loads the model once
XDIST := -n auto --maxprocesses 4
test: setup
	cd $(ROOT) && $(PY) -m pytest $(XDIST)

# the tests that do not load the embedding model (the `slow` marker, tests/conftest.py)
test-fast: setup
	cd $(ROOT) && $(PY) -m pytest $(XDIST) -m "not slow"

# a Milvus Lite gRPC server for many qa processes: qa index PATH --engine http://127.0.0.1:$(MILVUS_PORT)
MILVUS_DATA ?= $(ROOT)/index/milvus-lite
MILVUS_PORT ?= 19530
milvus-server: setup
	$(PY) -m qa.engines.milvus.server --data-dir $(MILVUS_DATA) --port $(MILVUS_PORT)

clean-index:  # every file qa wrote in index/ (the hidden .gitkeep stays)
	rm -rf $(ROOT)/index/*
