"""Offline tooling: run a Pulumi Python program in-process against a recording mock engine.

`pulumi_offline.program` runs a program for a stack and returns the registered resource graph;
`pulumi_offline.mocks` gives the computed outputs AWS would return. The tests and the
`pulumi-offline` command share both, so what a reviewer sees is what the tests assert.
"""
