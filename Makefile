# Each target creates .venv itself if missing.
.PHONY: run test lint format mutate bench-pages bench-evaluate bench-booking fuzz clean

run:            ## set up and start Vertebra on SQLite with the demo clinic
	@scripts/run.sh

test:           ## set up and run every check and test, on SQLite and on PostgreSQL
	@scripts/test.sh

lint:
	@scripts/venv.sh test
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy vertebra config && .venv/bin/lint-imports --no-cache

format:
	@scripts/venv.sh test
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

mutate:         ## mutation testing of the pure cores (mutmut; not part of make test): make mutate [ONLY=procedures|evaluation.holds|...]
	@scripts/mutate.sh $(ONLY)

bench-pages:    ## worklist and chart latency vs /healthz, PostgreSQL, gunicorn
	@scripts/venv.sh test
	.venv/bin/python bench/pages.py

bench-evaluate:
	@scripts/venv.sh test
	.venv/bin/python bench/evaluate.py

bench-booking:  ## booking race and slot search, PostgreSQL
	@scripts/venv.sh test
	.venv/bin/python bench/booking.py

fuzz:           ## schemathesis over /api/openapi.json against gunicorn, SQLite, ~5 minutes
	@scripts/fuzz.sh

clean:
	rm -rf .venv var build tests/browser/node_modules
