# payinvest: `make run` sets up and serves the app on the embedded defaults; `make test` sets up and runs the tests.
BIN := .venv/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export RAGAS_DO_NOT_TRACK := true
export ANONYMIZED_TELEMETRY := False
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup run langgraph-dev test screenshots lint format typecheck model data index classifier eval-gate eval-full eval-degradations bench ci clean

setup:  ## create .venv and install the pinned dependencies (idempotent)
	@./scripts/bootstrap.sh

model: setup  ## download, assemble and verify the embedded LLM weights (1.1 GB, once)
	@$(BIN)/payinvest model install

data: setup  ## seed the payments sandbox (20k payments + the scenario catalogue)
	@$(BIN)/payinvest seed

index: setup  ## build the SOP index (incremental)
	@$(BIN)/payinvest index build

classifier: setup  ## train the case-type classifier on the committed corpus (seconds; skipped when current)
	@$(BIN)/payinvest classifier train --if-stale

run: setup model data index classifier  ## serve the web app, payments API and embedded LLM on 127.0.0.1
	@$(BIN)/payinvest serve

langgraph-dev: setup model data index classifier  ## LangGraph's dev server on 127.0.0.1:2024 for Studio and langgraph-sdk (docs/agent.md)
	"$$(./scripts/langgraph-venv.sh)/python" scripts/langgraph_dev.py

test:  ## set up (venv, Chromium, PostgreSQL) and run the whole test suite
	@./scripts/run-tests.sh

screenshots: setup  ## retake the README's screens (analyst desktop + phone, supervisor, compliance) into docs/screenshots/
	@./scripts/test-tools.sh
	@PAYINVEST_UPDATE_SCREENSHOTS=1 $(BIN)/pytest tests/browser/test_screenshots.py -q

lint: setup
	@$(BIN)/ruff check core sandbox agent tools retrieval evals app bench prompts tests
	@$(BIN)/ruff format --check core sandbox agent tools retrieval evals app bench prompts tests

format: setup
	@$(BIN)/ruff format core sandbox agent tools retrieval evals app bench prompts tests
	@$(BIN)/ruff check --fix core sandbox agent tools retrieval evals app bench prompts tests

typecheck: setup
	@$(BIN)/mypy core sandbox agent tools retrieval evals app bench

EVAL_DATA := --dataset evals/datasets/scenarios.jsonl --dataset evals/datasets/robustness.jsonl
DEGRADED := $(wildcard evals/configs/degraded-*.yaml)

eval-gate: setup model data index classifier  ## the release gate: every case of the dataset + the robustness set (docs/evals.md)
	@$(BIN)/payinvest eval --gate --no-judge --lanes 3 $(EVAL_DATA) --report artifacts/eval

eval-full: setup model data index classifier  ## the same cases with the LLM judge (advisory metrics, bounded by judge.budget_s)
	@$(BIN)/payinvest eval --gate $(EVAL_DATA) --report artifacts/eval-full

eval-degradations: setup model data index classifier  ## each degraded configuration vs one champion run: caught / NOT caught
	@$(BIN)/payinvest eval --no-judge --lanes 3 $(EVAL_DATA) --report artifacts/degradations/champion
	@for cfg in $(DEGRADED); do name=$$(basename $$cfg .yaml); \
	  $(BIN)/payinvest eval compare --gate --no-judge --lanes 3 $(EVAL_DATA) --challenger $$cfg \
	    --champion-report artifacts/degradations/champion/report.json --report artifacts/degradations/$$name; rc=$$?; \
	  case $$rc in 0) echo "$$name: NOT caught (gate passed)";; 1) echo "$$name: caught";; \
	    *) echo "$$name: not runnable on this build (see above)";; esac; \
	done

bench: setup
	@$(BIN)/payinvest bench retrieval
	@$(BIN)/payinvest bench api
	@$(BIN)/payinvest bench agent

ci:  ## what CI runs
	@bash .ci/run

clean:
	rm -rf artifacts .pytest_cache .ruff_cache .mypy_cache
