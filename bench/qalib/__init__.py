"""Question-reading libraries measured side by side, one per fresh process: `python -m bench.qa_libraries`."""
