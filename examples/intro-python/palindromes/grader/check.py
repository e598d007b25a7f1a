"""Checks one problem of `palindromes`: `python3 check.py PROBLEM`. Prints what it found; exit
status 0 when every case passes, 1 otherwise. The student's code never runs in this process:
`run_student` runs PROBE (which imports solution.py and answers each call as a JSON line) in a
sandbox of its own; only this side knows the expected answers."""
import json
import subprocess
import sys

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


CASES = {
    "is_palindrome": [
        (("",), True),
        (("abba",), True),
        (("abc",), False),
        (("A man, a plan, a canal: Panama",), True),
        (("No 'x' in Nixon",), True),
        (("palindrome",), False),
    ],
    "reverse_words": [
        (("hello world",), "world hello"),
        (("  hello   world ",), "world hello"),
        (("one",), "one"),
        (("",), ""),
    ],
}


def main(problem):
    cases = CASES[problem]
    try:
        done = subprocess.run(
            ["run_student", "--time", "10", "--", "python3", "-c", PROBE],
            input=json.dumps([[problem, list(args)] for args, _ in cases]),
            capture_output=True, text=True, timeout=30,
        )
        lines = done.stdout.splitlines()
    except subprocess.TimeoutExpired:
        lines = []
    for i, (args, expected) in enumerate(cases):
        try:
            answer = json.loads(lines[i])
        except (IndexError, ValueError):
            answer = None
        if isinstance(answer, dict) and "import_error" in answer:
            print(f"solution.py could not be imported: {answer['import_error'].strip().splitlines()[-1]}")
            return 1
        if not isinstance(answer, dict):
            print(f"{problem}{args!r} gave no answer (the program ended early)")
            return 1
        if "error" in answer:
            print(f"{problem}{args!r} raised {answer['error']}")
            return 1
        if answer.get("value") != expected:
            print(f"{problem}{args!r} returned {answer.get('value')!r}, expected {expected!r}")
            return 1
    print(f"{problem}: all {len(cases)} cases pass")
    return 0


sys.exit(main(sys.argv[1]))
