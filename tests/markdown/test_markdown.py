from metrics.markdown import render_markdown, render_markdown_inline


def test_bold_and_lists_render():
    html = render_markdown("Growth in **newcomer empowerment**.\n\n- one\n- two")
    assert "<strong>newcomer empowerment</strong>" in html
    assert "<li>one</li>" in html


def test_scripts_and_event_handlers_are_removed():
    html = render_markdown('<script>alert(1)</script><a href="javascript:x" onclick="y">l</a>')
    assert "<script" not in html
    assert "onclick" not in html
    assert "javascript:" not in html


def test_links_get_safe_rel():
    html = render_markdown("[demo](https://list-building.toolforge.org/)")
    assert 'href="https://list-building.toolforge.org/"' in html
    assert 'rel="noopener noreferrer"' in html


def test_inline_drops_single_paragraph_wrapper():
    assert render_markdown_inline("540 teachers in **3** countries") == (
        "540 teachers in <strong>3</strong> countries"
    )


def test_empty_text_is_empty():
    assert render_markdown(None) == ""


def test_one_text_leaves_nothing_behind_for_the_next():
    # The converter is reused between texts: a reference defined in one must not link the next.
    with_reference = render_markdown("See [the plan][1].\n\n[1]: https://example.org/plan")
    without = render_markdown("See [the plan][1].")

    assert 'href="https://example.org/plan"' in with_reference
    assert "href" not in without
    assert render_markdown("See [the plan][1].") == without
