"""Checks one problem of `palindromes`: `python3 check.py PROBLEM`. Prints what it found;
exit status 0 when every case passes, 1 otherwise."""
import os
import sys

sys.path.insert(0, os.getcwd())

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
    try:
        import solution
    except BaseException as err:
        print(f"solution.py could not be imported: {type(err).__name__}: {err}")
        return 1
    function = getattr(solution, problem, None)
    if function is None:
        print(f"solution.py has no function {problem}()")
        return 1
    for args, expected in CASES[problem]:
        try:
            got = function(*args)
        except BaseException as err:
            print(f"{problem}{args!r} raised {type(err).__name__}: {err}")
            return 1
        if got != expected:
            print(f"{problem}{args!r} returned {got!r}, expected {expected!r}")
            return 1
    print(f"{problem}: all {len(CASES[problem])} cases pass")
    return 0


sys.exit(main(sys.argv[1]))
