"""The test kit: a scripted citizen and the Bot API's faults on demand, for the tests and the benchmarks.

It lives with the tests, not in the product package: the sandbox (bot/sandbox) runs without it.
"""
