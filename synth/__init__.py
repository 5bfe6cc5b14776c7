"""Offline tooling: run a Pulumi Python program in-process against a recording mock engine.

`synth.program` runs a program for a stack and returns the registered resource graph;
`synth.mocks` gives the computed outputs AWS would return. The tests and the
`python -m synth` command share both, so what a reviewer sees is what the tests assert.
"""
