def is_palindrome(text):
    """Whether text reads the same backwards (ignoring case and non-alphanumerics)."""
    return text == text[::-1]


def reverse_words(sentence):
    """The words of sentence in reverse order, separated by single spaces."""
    return sentence
