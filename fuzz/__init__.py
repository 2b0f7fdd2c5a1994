"""Coverage-guided fuzzing (atheris) of the parsers; see fuzz/README.md."""
