"""Grader of `greet` (native convention): imports the student's solution.py from the work
directory, runs each test, and writes results.json (Gradescope's format) there."""
import importlib
import json
import os
import sys
import traceback

sys.path.insert(0, os.getcwd())


def expected_fizzbuzz(n):
    return [("Fizz" if i % 3 == 0 else "") + ("Buzz" if i % 5 == 0 else "") or str(i) for i in range(1, n + 1)]


# (test name, points, check) - a check returns None on success or a message on failure.
def check_greet(m):
    for name in ["Ada", "Grace", "", "Émile"]:
        got = m.greet(name)
        if got != f"Hello, {name}!":
            return f"greet({name!r}) returned {got!r}, expected {f'Hello, {name}!'!r}"
    return None


def check_fizzbuzz_small(m):
    for n in [0, 1, 3, 5]:
        got = m.fizzbuzz(n)
        if got != expected_fizzbuzz(n):
            return f"fizzbuzz({n}) returned {got!r}, expected {expected_fizzbuzz(n)!r}"
    return None


def check_fizzbuzz_large(m):
    got = m.fizzbuzz(100)
    if got != expected_fizzbuzz(100):
        return "fizzbuzz(100) is not right (check 15, 30, 45, ...)"
    return None


TESTS = [
    ("greet", 40, check_greet),
    ("fizzbuzz up to 5", 30, check_fizzbuzz_small),
    ("fizzbuzz up to 100", 30, check_fizzbuzz_large),
]


def main():
    results = {"tests": [], "output": ""}
    try:
        module = importlib.import_module("solution")
    except BaseException:  # a syntax error, an exit() at import time, ...
        trace = traceback.format_exc(limit=-1)
        module = None
        results["output"] = "solution.py could not be imported:\n" + trace
    for name, points, check in TESTS:
        if module is None:
            message = "not run: solution.py could not be imported"
        else:
            try:
                message = check(module)
            except BaseException as err:
                message = f"raised {type(err).__name__}: {err}"
        results["tests"].append({
            "name": name,
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
