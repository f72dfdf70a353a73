# The workshop's commands. `make lab` to learn, `make test` to check everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
REMOTE := build/remote
REMOTE_DATA := $(REMOTE)/listeners.snappy.parquet
PORT ?= 8000
DATE ?= 2019-02-08

.PHONY: setup lab test serve-data pipeline navigation check-java clean

setup: $(INSTALLED) $(REMOTE_DATA) check-java

# Re-installs only when the pins change.
$(INSTALLED): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m ipykernel install --user --name song-plays --display-name "Python (song plays workshop)" >/dev/null
	touch $@

# The workshop's "remote": generated data that http.server publishes.
$(REMOTE_DATA): spark/generate_fake_data.py $(INSTALLED)
	$(BIN)/python spark/generate_fake_data.py --out $(REMOTE)

# Warns rather than fails: section 1 runs without Java.
check-java: $(INSTALLED)
	@$(BIN)/python spark/check_java.py || echo "WARNING: Spark will not start until Java 17 or 21 is installed (see above)."

# Jupyter refuses root unless told (containers, CI machines).
lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

test: setup
	$(BIN)/python -m pytest

serve-data: setup
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(REMOTE)

# The tutorial's final command, with the data server started and stopped around it.
pipeline: setup
	$(BIN)/python notebooks/workshop.py pipeline --date $(DATE)

# After adding, renaming or reordering a notebook (edit SECTIONS in notebooks/navigation.py first).
navigation: $(INSTALLED)
	$(BIN)/python notebooks/navigation.py

clean:
	rm -rf build data
