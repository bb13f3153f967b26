"""The worked case's inputs: a price panel made for the example and the repricers' fragment (README.md)."""
