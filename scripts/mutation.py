"""Mutation testing of the core rules with mutmut: `make mutation [MODULE=path]`.

Each module listed under [tool.gongxue.mutation.modules] in pyproject.toml is mutated in its
own copy of the tree (build/mutation/<module>/) and every mutant runs against that module's own
test folders only, with one child process unless MUTATION_CHILDREN says otherwise. Prints each
module's score and writes the survivors (with their diffs) to build/mutation/report.md.

Mutation runs use SQLite and a quarter of the matcher's property-test examples
(MATCHING_EXAMPLES_PERCENT=25 unless set). Scores: killed (timeouts count as killed) over all
checked mutants; "program logic" leaves out survivors that only change a message's wording;
"without equivalents" also leaves out those listed in tests/mutation_equivalents.txt.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "mutation"
REPORT = BUILD / "report.md"
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.txt"
COPY = ("app", "matching", "tests", "migrations", "scripts", "config.py", "wsgi.py", "babel.cfg")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "instance", "uploads", ".hypothesis")
KILLED = {1, 3, 36, 24, -24, 152, 255, 37}
SURVIVED = {0}
NO_TESTS = {5, 33}


def settings() -> tuple[dict, dict[str, list[str]]]:
    """The base [tool.mutmut] settings and the module → test folders map."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return data["tool"]["mutmut"], data["tool"]["gongxue"]["mutation"]["modules"]


def equivalents() -> dict[str, str]:
    """Mutant name → why it is equivalent, from tests/mutation_equivalents.txt."""
    found = {}
    if EQUIVALENTS.exists():
        for line in EQUIVALENTS.read_text("utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, why = line.partition(" ")
                found[name] = why.strip(" #-—")
    return found


def _toml_value(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def prepare(module: str, tests: list[str], base: dict) -> Path:
    """A fresh copy of the tree whose pyproject.toml mutates only `module` with its tests."""
    work = BUILD / re.sub(r"[^A-Za-z0-9]+", "_", module).strip("_")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in COPY:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=IGNORE)
        elif source.exists():
            shutil.copy2(source, work / name)
    original = (ROOT / "pyproject.toml").read_text("utf-8")
    kept = re.split(r"^\[tool\.(?:mutmut|gongxue)", original, flags=re.M)[0]
    options = {
        **{k: v for k, v in base.items() if k not in ("only_mutate", "do_not_mutate")},
        "only_mutate": [module],
        "pytest_add_cli_args_test_selection": tests,
    }
    lines = ["[tool.mutmut]"] + [f"{k} = {_toml_value(v)}" for k, v in options.items()]
    (work / "pyproject.toml").write_text(kept.rstrip() + "\n\n" + "\n".join(lines) + "\n")
    return work


def run_mutmut(work: Path, children: int, only: list[str]) -> int:
    """Run the mutants of the copy (those matching `only`, or all); mutmut's exit status."""
    env = {
        "MATCHING_EXAMPLES_PERCENT": "25",  # property tests: a quarter of their examples
        **os.environ,
        "TEST_DATABASE_URL": "sqlite://",
    }
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(children), *only]
    return subprocess.call(command, cwd=work, env=env)  # noqa: S603


def collect(work: Path) -> dict[str, int | None]:
    """Mutant name → mutmut exit code, from the .meta files mutmut leaves."""
    results: dict[str, int | None] = {}
    for meta in sorted((work / "mutants").rglob("*.meta")):
        results.update(json.loads(meta.read_text("utf-8")).get("exit_code_by_key", {}))
    return results


def diffs(work: Path, names: list[str]) -> dict[str, str]:
    """The diff of each named mutant (read with mutmut's own helper inside the copy)."""
    if not names:
        return {}
    code = (
        "import json, sys\n"
        "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
        "out = {}\n"
        "for n in json.load(sys.stdin):\n"
        "    try:\n"
        "        out[n] = get_diff_for_mutant(n)\n"
        "    except Exception as exc:\n"
        "        out[n] = f'(no diff: {exc})'\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=work,
        input=json.dumps(names),
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {n: "(no diff)" for n in names}


LITERAL = r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\''


def _message_text_changed(original: str, mutant: str) -> bool:
    """Only string literals differ, each one a message: inside `_l(` or a continuation line."""
    if re.sub(LITERAL, '""', original) != re.sub(LITERAL, '""', mutant):
        return False
    continuation = re.fullmatch(rf"\s*(?:{LITERAL})\s*,?\s*", original) is not None
    pairs = zip(re.findall(LITERAL, original), re.findall(LITERAL, mutant), strict=True)
    return all(
        a == b or continuation or re.search(r"_l\(\s*" + re.escape(a), original) is not None
        for a, b in pairs
    )


def wording_only(diff: str) -> bool:
    """True when the mutant only changes the text of a user-facing message (`_l(...)`): its
    wording, or the message replaced by None. Such mutants are not program logic."""
    lines = diff.splitlines()
    removed = [i for i, t in enumerate(lines) if t.startswith("-") and not t.startswith("---")]
    added = [t[1:] for t in lines if t.startswith("+") and not t.startswith("+++")]
    if len(removed) != 1 or len(added) != 1:
        return False
    original, mutant = lines[removed[0]][1:], added[0]
    context = "\n".join(t[1:] for t in lines[max(0, removed[0] - 3) : removed[0] + 1])
    if "_l(" not in context:
        return False
    if _message_text_changed(original, mutant):
        return True
    if re.sub(r"\(message\b", "(None", original) == mutant:
        return True  # the message variable built with _l() just above, replaced by None
    message = re.compile(rf"str\(_l\(({LITERAL})\)\)|_l\(({LITERAL})\)")
    nothing = re.compile(r"str\(_l\(None\)\)|str\(None\)|_l\(None\)|_l\(\)|None")
    return message.sub("MSG", original) == nothing.sub("MSG", mutant)


def score(results: dict[str, int | None], equivalent: dict[str, str], texts: dict) -> dict:
    """Counts and scores of one module's results (`texts`: the survivors' diffs)."""
    killed = sum(1 for c in results.values() if c in KILLED)
    survivors = sorted(n for n, c in results.items() if c in SURVIVED or c in NO_TESTS)
    unchecked = sum(1 for c in results.values() if c is None)
    checked = len(results) - unchecked
    wording = [n for n in survivors if wording_only(texts.get(n, ""))]
    judged = [n for n in survivors if n in equivalent and n not in wording]
    logic = checked - len(wording)
    other = checked - killed - len(survivors)
    return {
        "mutants": len(results),
        "killed": killed,
        "survived": len(survivors),
        "wording": set(wording),
        "equivalent": len(judged),
        "other": other,
        "unchecked": unchecked,
        "score": 100.0 * killed / checked if checked else 0.0,
        "logic": 100.0 * killed / logic if logic else 0.0,
        "adjusted": 100.0 * killed / (logic - len(judged)) if logic > len(judged) else 0.0,
        "survivors": survivors,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the selected modules, print their scores, write the survivors' report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", nargs="*", help="source file(s); all listed modules if none")
    parser.add_argument("--children", type=int, default=int(os.environ.get("MUTATION_CHILDREN", 1)))
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="mutant name glob, e.g. 'app.programme.services.x_save_phase*' (repeatable); "
        "the others stay unchecked and out of the score",
    )
    parser.add_argument(
        "--no-run", action="store_true", help="score the last run again without running mutmut"
    )
    args = parser.parse_args(argv)
    base, modules = settings()
    chosen = args.module or list(modules)
    unknown = [m for m in chosen if m not in modules]
    if unknown:
        print(f"not listed in [tool.gongxue.mutation.modules]: {', '.join(unknown)}")
        return 2
    equivalent = equivalents()
    rows, sections = [], []
    for module in chosen:
        work = BUILD / re.sub(r"[^A-Za-z0-9]+", "_", module).strip("_")
        status = 0
        if not args.no_run:
            work = prepare(module, modules[module], base)
            status = run_mutmut(work, args.children, args.only)
        results = collect(work)
        if status != 0 and not results:
            print(f"{module}: mutmut failed (exit {status}); see {work}")
            return status or 1
        survivors = sorted(n for n, c in results.items() if c in SURVIVED or c in NO_TESTS)
        texts = diffs(work, survivors)
        s = score(results, equivalent, texts)
        rows.append((module, s))
        section = [f"## {module}", "", _line(module, s), ""]
        for name in s["survivors"]:
            why = equivalent.get(name)
            if name in s["wording"]:
                label = "message wording only"
            else:
                label = f"equivalent: {why}" if why else "SURVIVED"
            section += [f"### {name} ({label})", "", "```diff", texts.get(name, ""), "```", ""]
        sections.append("\n".join(section))
    print()
    for module, s in rows:
        print(_line(module, s))
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text("# Mutation survivors\n\n" + "\n".join(sections), "utf-8")
    print(f"survivors written to {args.report}")
    return 0


def _line(module: str, s: dict) -> str:
    return (
        f"{module}: {s['killed']}/{s['mutants'] - s['unchecked']} killed "
        f"({s['unchecked']} unchecked), {s['survived']} survived: {len(s['wording'])} message "
        f"wording, {s['equivalent']} judged equivalent; {s['other']} other; "
        f"score {s['score']:.1f} %, program logic {s['logic']:.1f} %, "
        f"logic without equivalents {s['adjusted']:.1f} %"
    )


if __name__ == "__main__":
    sys.exit(main())
