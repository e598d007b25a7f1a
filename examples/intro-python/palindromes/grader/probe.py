"""Runs in the student's own sandbox (run_student), next to solution.py: reads a JSON list of calls
[[function, [args...]], ...] on stdin and answers one JSON line per call on stdout, {"value": ...}
or {"error": "..."}. What the student's code prints goes to stderr. This file is not secret and
decides nothing: the harness compares the answers with the expected ones."""
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
