"""nn-playground's performance suite: ``python -m bench`` prints one table of measured rows.

See docs/performance.md for the rows, targets and results, and bench/common.py for adding a row.
"""
