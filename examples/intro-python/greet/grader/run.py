"""Grader of `greet` (native convention). The student's code never runs in this process:
`run_student` runs PROBE (which imports solution.py and answers each call as a JSON line) in a
sandbox of its own that sees only the submission. This harness alone knows the
expected answers, compares, and writes results.json (Gradescope's format), which the student's
code cannot reach."""
import json
import subprocess


# What runs in the student's own sandbox (run_student), next to solution.py: reads a JSON list of
# calls [[function, [args...]], ...] on stdin and answers one JSON line per call on stdout,
# {"value": ...} or {"error": "..."}; the student's own prints go to stderr. It is not secret and
# decides nothing: this harness compares the answers with the expected ones.
PROBE = r"""
import json
import os
import sys
import traceback

calls = json.load(sys.stdin)
answers = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)  # the student's own prints (and those of anything it starts) go to stderr
sys.stdout = sys.stderr
try:
    import solution
except BaseException:  # a syntax error, an exit() at import time, ...
    answers.write(json.dumps({"import_error": traceback.format_exc(limit=-1)}) + "\n")
    answers.flush()
    os._exit(0)
for name, args in calls:
    try:
        line = json.dumps({"value": getattr(solution, name)(*args)})
    except BaseException as err:
        line = json.dumps({"error": f"{type(err).__name__}: {err}"})
    answers.write(line + "\n")
    answers.flush()
"""


def expected_fizzbuzz(n):
    return [("Fizz" if i % 3 == 0 else "") + ("Buzz" if i % 5 == 0 else "") or str(i) for i in range(1, n + 1)]


# (test name, points, calls): each call is (function, args, expected value). Each test is named
# after one of the exercise's problems (exercise.yaml `problems:`, declared in `grader.tests`) and
# its points are that problem's max_score: a test's score is its problem's score.
TESTS = [
    ("greet", 40, [("greet", [name], f"Hello, {name}!") for name in ["Ada", "Grace", "", "Émile"]]),
    ("fizzbuzz", 60, [("fizzbuzz", [n], expected_fizzbuzz(n)) for n in [0, 1, 3, 5, 15, 100]]),
]


def ask_student(calls):
    """The student's answers, one per call (None where it gave none), and what it printed."""
    try:
        done = subprocess.run(
            ["run_student", "--time", "10", "--", "python3", "-c", PROBE],
            input=json.dumps([[name, args] for name, args in calls]),
            capture_output=True, text=True, timeout=30,
        )
        stdout, stderr = done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        stdout, stderr = "", "the program ran out of time"
    answers = []
    for line in stdout.splitlines():
        try:
            answers.append(json.loads(line))
        except ValueError:
            answers.append(None)
    return answers + [None] * (len(calls) - len(answers)), stderr


def main():
    calls = [(name, args) for _, _, checks in TESTS for name, args, _ in checks]
    answers, printed = ask_student(calls)
    results = {"tests": [], "output": ""}
    broken = next((a["import_error"] for a in answers if isinstance(a, dict) and "import_error" in a), None)
    if broken:
        results["output"] = "solution.py could not be imported:\n" + broken
    position = 0
    for test, points, checks in TESTS:
        message = None
        for name, args, expected in checks:
            answer = answers[position]
            position += 1
            if message is not None:
                continue
            call = f"{name}({', '.join(repr(a) for a in args)})"
            if broken:
                message = "not run: solution.py could not be imported"
            elif not isinstance(answer, dict):
                message = f"{call} gave no answer (the program ended early)" + (f":\n{printed[-2000:]}" if printed else "")
            elif "error" in answer:
                message = f"{call} raised {answer['error']}"
            elif answer.get("value") != expected:
                message = f"{call} returned {answer.get('value')!r}, expected {expected!r}"
        results["tests"].append({
            "name": test,
            "score": points if message is None else 0,
            "max_score": points,
            "status": "passed" if message is None else "failed",
            "output": message or "ok",
            "visibility": "visible",
        })
    results["score"] = sum(t["score"] for t in results["tests"])
    with open("results.json", "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)


main()
