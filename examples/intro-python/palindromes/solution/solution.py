def is_palindrome(text):
    """Whether text reads the same backwards (ignoring case and non-alphanumerics)."""
    kept = [c.lower() for c in text if c.isalnum()]
    return kept == kept[::-1]


def reverse_words(sentence):
    """The words of sentence in reverse order, separated by single spaces."""
    return " ".join(reversed(sentence.split()))
