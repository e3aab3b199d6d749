"""Match rounds: build a matching.Problem from rows, solve, store, preview, publish."""
