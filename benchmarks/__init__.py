"""Benchmarks: the Reuters-21578 converter and the harness comparing newsearch with peers."""
