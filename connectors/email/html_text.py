"""HTML mail -> readable plain text, with the stdlib parser (no extra dependency).

Scripts, styles and the head are dropped; block elements and <br> become line breaks so the
quote detector still sees "On ... wrote:" on its own line; <blockquote> content is prefixed
with "> " so HTML replies are split like plain-text ones.
"""

import re
from html.parser import HTMLParser

_SKIP = {"script", "style", "head", "title", "noscript", "template", "xml", "o:p"}
_BLOCK = {
    "p", "div", "table", "tr", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr",
    "blockquote", "section", "article", "header", "footer", "center", "address", "dl", "dt",
    "dd", "form", "fieldset", "body", "html",
}  # fmt: skip
_CELL = {"td", "th"}
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
_MAX_HTML = 4_000_000


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._skip = 0
        self._quote = 0
        self._pre = 0

    def _flush(self, keep_empty: bool = False) -> None:
        line = "".join(self._line).strip() if not self._pre else "".join(self._line)
        self._line = []
        if line or keep_empty:
            self.lines.append("> " * self._quote + line if line else ">" * self._quote)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "br":
            self._flush(keep_empty=True)
        elif tag == "li":
            self._flush()
            self._line.append("- ")
        elif tag in _BLOCK:
            self._flush()
            self._quote += tag == "blockquote"
            self._pre += tag == "pre"
        elif tag in _CELL and self._line:
            self._line.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._flush(keep_empty=True)
        elif tag == "hr":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK or tag == "li":
            self._flush()
            if tag == "blockquote":
                self._quote = max(0, self._quote - 1)
            if tag == "pre":
                self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            parts = data.split("\n")
            for part in parts[:-1]:
                self._line.append(part)
                self._flush(keep_empty=True)
            self._line.append(parts[-1])
            return
        text = _SPACE.sub(" ", data)
        if not self._line or "".join(self._line).endswith((" ", "- ")):
            text = text.lstrip(" ")
        self._line.append(text)


def html_to_text(html: str) -> str:
    """Total: malformed HTML yields the best text available, never an exception."""
    html = html[:_MAX_HTML]
    parser = _Extractor()
    try:
        parser.feed(html)
        parser.close()
        parser._flush()
        lines = parser.lines
    except Exception:
        stripped = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>|<[^>]*>", " ", html)
        lines = [_SPACE.sub(" ", line).strip() for line in stripped.splitlines()]
    return _squeeze(lines)


def _squeeze(lines: list[str]) -> str:
    """At most one blank line in a row; no leading/trailing blank lines."""
    out: list[str] = []
    for line in lines:
        blank = not line.strip(" >")
        if blank and (not out or not out[-1].strip(" >")):
            continue
        out.append(line.rstrip())
    while out and not out[-1].strip(" >"):
        out.pop()
    return "\n".join(out)
