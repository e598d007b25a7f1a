"""Checks one problem of `palindromes`: `python3 check.py PROBLEM`. Prints what it found; exit
status 0 when every case passes, 1 otherwise. The student's code never runs in this process:
`run_student` runs probe.py (which imports solution.py and answers each call as a JSON line) in
a sandbox of its own; only this side knows the expected answers."""
import json
import subprocess
import sys

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
            ["run_student", "--file", "probe.py", "--time", "10", "--", "python3", "probe.py"],
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
