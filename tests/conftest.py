"""Settings for the whole suite: every test is deterministic.

hypothesis draws its examples from a fixed seed (``derandomize``) and keeps no database of past failures
(which would replay them in one run and not the next), so a property test passes or fails the same way on
every run and every machine; a test that wants more examples says so with ``@settings(max_examples=...)``.
"""

from hypothesis import settings

settings.register_profile("deterministic", derandomize=True, database=None, print_blob=True)
settings.load_profile("deterministic")
