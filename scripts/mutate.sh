#!/usr/bin/env bash
# Mutation testing of the pure cores with mutmut 3 (docs/testing.md).
#
#   scripts/mutate.sh                     every core; mutants with a stored result are not rerun
#   scripts/mutate.sh procedures          one core: evaluation | procedures | scheduling
#   scripts/mutate.sh evaluation.holds    one module (evaluation.<m>, procedures.<m>, slots)
#   scripts/mutate.sh --report [TARGET]   only print the report of the stored results
#   scripts/mutate.sh --survivors [TARGET]  rerun only the mutants that survived (after new tests)
#
# mutmut keeps its results in mutants/ (git-ignored) between runs. With no target, only
# mutants without a result (new or changed code) run; a named core or module is rerun in full
# (after adding tests, that is what you want). Configuration: [tool.mutmut] in pyproject.toml
# (which tests run; Django is not loaded). MUTATE_CHILDREN sets the worker count (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh test
PY=.venv/bin/python
# Only the plugins the pure tests need (none): loading every installed pytest plugin
# (schemathesis, Faker, anyio, pytest-django...) costs more than most mutants' tests.
export PYTEST_DISABLE_PLUGIN_AUTOLOAD=1
MUTMUT=.venv/bin/mutmut

report_only=0
survivors_only=0
if [[ "${1:-}" == "--report" ]]; then
    report_only=1
    shift
elif [[ "${1:-}" == "--survivors" ]]; then
    survivors_only=1
    shift
fi
target="${1:-}"
case "$target" in
    "") glob="" ;;
    evaluation | procedures) glob="vertebra.${target}.rules.*" ;;
    scheduling | slots | scheduling.slots) glob="vertebra.scheduling.slots.*" ;;
    evaluation.* | procedures.*) glob="vertebra.${target%%.*}.rules.${target#*.}.*" ;;
    *)
        echo "unknown target '$target': evaluation, procedures, scheduling, evaluation.<module>, procedures.<module>" >&2
        exit 2
        ;;
esac

if [[ $report_only == 0 ]]; then
    # mutmut copies each also_copy file without creating its folder: create them first.
    "$PY" - <<'EOF'
import pathlib, tomllib
config = tomllib.loads(pathlib.Path("pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
for name in config["also_copy"]:
    path = pathlib.Path(name)
    if not path.exists():
        raise SystemExit(f"[tool.mutmut] also_copy names a missing file: {name}")
    if path.is_file():
        (pathlib.Path("mutants") / path.parent).mkdir(parents=True, exist_ok=True)
listed = set(config["also_copy"])
# A test file dropped from also_copy must leave mutants/ too, or pytest would still collect it.
for copied in pathlib.Path("mutants/vertebra").glob("*/tests/test_*.py"):
    if str(copied.relative_to("mutants")) not in listed:
        copied.unlink()
        print(f"removed {copied}: not in [tool.mutmut] also_copy")
for test in sorted(pathlib.Path("vertebra").glob("*/tests/test_reference_*.py")):
    if str(test) not in listed:
        print(f"warning: {test} is not in [tool.mutmut] also_copy: mutmut will not run it")
EOF
    children="${MUTATE_CHILDREN:-1}"
    if [[ $survivors_only == 1 ]]; then
        mapfile -t names < <("$PY" - "${glob:-*}" <<'EOF'
import fnmatch, sys
from mutmut.mutation.data import SourceFileMutationData
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files
for path in walk_mutatable_files():
    data = SourceFileMutationData(path=path)
    data.load()
    for name, code in sorted(data.exit_code_by_key.items()):
        if fnmatch.fnmatch(name, sys.argv[1]) and status_by_exit_code[code] == "survived":
            print(name)
EOF
)
        echo "rerunning ${#names[@]} survivors"
        if [[ ${#names[@]} -gt 0 ]]; then
            "$MUTMUT" run --max-children "$children" "${names[@]}"
        fi
    elif [[ -n "$glob" ]]; then
        "$MUTMUT" run --max-children "$children" "$glob"
    else
        "$MUTMUT" run --max-children "$children"
    fi
fi

# Report: per module, mutants by status, then each survivor with its diff (as mutmut show).
"$PY" - "$glob" <<'EOF'
import collections, fnmatch, sys
from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files

glob = sys.argv[1] or "*"
by_module = collections.defaultdict(collections.Counter)
survivors = []
for path in walk_mutatable_files():
    data = SourceFileMutationData(path=path)
    data.load()
    for name, code in sorted(data.exit_code_by_key.items()):
        if not fnmatch.fnmatch(name, glob):
            continue
        status = status_by_exit_code[code]
        by_module[name.split(".x")[0]][status] += 1
        if status not in ("killed", "caught by type check", "not checked"):
            survivors.append((name, status, path))
print(f"{'module':45} {'mutants':>7} {'killed':>7} {'survived':>8} {'no tests':>8} {'not run':>7} {'other':>6}")
for module in sorted(by_module):
    c = by_module[module]
    total = sum(c.values())
    other = total - c["killed"] - c["survived"] - c["no tests"] - c["not checked"]
    print(f"{module:45} {total:7} {c['killed']:7} {c['survived']:8} {c['no tests']:8} {c['not checked']:7} {other:6}")
for name, status, path in survivors:
    print(f"\n=== {status}: {name}")
    diff = get_diff_for_mutant(name, path=path)
    print("\n".join(line for line in diff.splitlines() if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))))
EOF
