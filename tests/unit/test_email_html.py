from connectors.email.html_text import html_to_text


def test_scripts_styles_and_head_are_dropped() -> None:
    html = (
        "<html><head><title>t</title><style>p{}</style></head><body>"
        "<script>alert(1)</script><p>Hello</p><noscript>x</noscript></body></html>"
    )
    assert html_to_text(html) == "Hello"


def test_line_breaks_are_kept() -> None:
    html = "<div>one<br>two<br/>three</div><p>para</p><ul><li>a</li><li>b</li></ul>"
    assert html_to_text(html) == "one\ntwo\nthree\npara\n- a\n- b"


def test_entities_and_whitespace() -> None:
    assert html_to_text("<p>order&nbsp;#A1&amp;B2 \n\n  ok &lt;3</p>") == "order #A1&B2 ok <3"


def test_blockquote_becomes_quoted_lines() -> None:
    html = "<div>new</div><blockquote><p>old one</p><p>old two</p></blockquote>"
    assert html_to_text(html) == "new\n> old one\n> old two"


def test_table_cells_are_separated() -> None:
    assert html_to_text("<table><tr><td>Order</td><td>A-123</td></tr></table>") == "Order A-123"


def test_pre_keeps_its_lines() -> None:
    assert html_to_text("<pre>a\n  b</pre>") == "a\n  b"


def test_malformed_html_does_not_raise() -> None:
    for html in ["<p>unclosed <b>bold", "</div></div>text", "<<<>>>", "<a href='x", "<!--", ""]:
        assert isinstance(html_to_text(html), str)
