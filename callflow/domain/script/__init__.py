"""IVR scripts: the call-flow language administrators write, its loader, linter and engine.

Nothing in this package does I/O except `loader.py` (reading script files) and
`library.py` (reading a folder of them); everything else is pure.
"""
