"""Statistical text classification for routing: language detection and the department model.

Public API: `detect_language`, `TextModel` / `Prediction`, `DEPARTMENTS`; the `train` and
`eval` subcommands come from `commands.register`.
"""

from .language import detect_language
from .model import Prediction, TextModel
from .taxonomy import DEPARTMENTS

__all__ = ["DEPARTMENTS", "Prediction", "TextModel", "detect_language"]
