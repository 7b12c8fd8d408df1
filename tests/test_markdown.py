"""Markdown regions: frontmatter, code, links, and the region map built from them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import note_text

from notefix.markdown import (
    REGION_KINDS,
    code_spans,
    frontmatter,
    frontmatter_scalars,
    link_spans,
    regions,
)


def kinds_of(text: str, piece: str) -> set[str]:
    """Kinds of region covering the first occurrence of ``piece``."""
    start = text.index(piece)
    end = start + len(piece)
    return {r.kind for r in regions(text) if r.start < end and r.end > start}


def code_texts(text: str) -> list[str]:
    return [text[s:e] for s, e in code_spans(text)]


# --- frontmatter -------------------------------------------------------------------


def test_yaml_frontmatter_spans_fences_and_body() -> None:
    text = "---\ntitle: x\n---\nbody\n"
    fm = frontmatter(text)
    assert fm is not None and fm.kind == "yaml"
    assert text[fm.start : fm.end] == "---\ntitle: x\n---\n"
    assert text[fm.body_start : fm.body_end] == "title: x\n"


def test_frontmatter_with_crlf_and_dots_closer() -> None:
    text = "---\r\ntitle: x\r\n...\r\nbody"
    fm = frontmatter(text)
    assert fm is not None
    assert text[fm.end :] == "body"


def test_toml_frontmatter() -> None:
    text = '+++\ntitle = "x"\n+++\nbody'
    fm = frontmatter(text)
    assert fm is not None and fm.kind == "toml"
    assert text[fm.body_start : fm.body_end] == 'title = "x"\n'


def test_unclosed_or_late_fence_is_not_frontmatter() -> None:
    assert frontmatter("---\ntitle: x\nno closer\n") is None
    assert frontmatter("\n---\ntitle: x\n---\n") is None
    assert frontmatter("") is None


def test_yaml_scalars_exclude_quotes_keys_and_non_strings() -> None:
    text = "---\ntitle: \"Quoted\"\nalias: 'single'\nplain: word\nn: 3\nflag: true\n---\n"
    fm = frontmatter(text)
    assert fm is not None
    scalars = frontmatter_scalars(text, fm)
    assert scalars is not None
    assert [text[s.start : s.end] for s in scalars] == ["Quoted", "single", "word"]


def test_yaml_block_scalar_content_is_a_scalar_but_its_header_is_not() -> None:
    text = "---\nsummary: |  # why\n  line one\n  line two\n---\n"
    assert kinds_of(text, "line one") == {"frontmatter-scalar"}
    assert kinds_of(text, "|") == {"frontmatter-syntax"}
    assert kinds_of(text, "# why") == {"frontmatter-comment"}


def test_toml_scalars_are_values_not_keys() -> None:
    text = '+++\n"quoted key" = "value"\ntags = ["a", "b"]\n[table]\nx = \'lit\'\n+++\n'
    assert kinds_of(text, "quoted key") == {"frontmatter-syntax"}
    for value in ("value", '"a"'[1:2], "lit"):
        assert "frontmatter-scalar" in kinds_of(text, value)
    assert kinds_of(text, "table") == {"frontmatter-syntax"}


def test_frontmatter_comment_is_its_own_region() -> None:
    text = "---\n# a comment\ntitle: x # trailing\n---\n"
    assert kinds_of(text, "# a comment") == {"frontmatter-comment"}
    assert kinds_of(text, "# trailing") == {"frontmatter-comment"}
    assert kinds_of(text, "title") == {"frontmatter-syntax"}


def test_unparsable_yaml_is_all_syntax() -> None:
    text = "---\ntitle: [unclosed\n---\nbody"
    assert kinds_of(text, "unclosed") == {"frontmatter-syntax"}


def test_yaml_with_c1_controls_still_locates_scalars() -> None:
    # PyYAML refuses C1 controls; mojibake is full of them.
    text = "---\ntitle: caf\u00c3\u0083\u00a9\n---\n"
    assert kinds_of(text, "caf") == {"frontmatter-scalar"}


def test_url_inside_a_frontmatter_value_is_url() -> None:
    text = "---\nsource: see https://example.org/x for more\n---\n"
    assert kinds_of(text, "https://example.org/x") == {"url"}
    assert kinds_of(text, "for more") == {"frontmatter-scalar"}


# --- code --------------------------------------------------------------------------


def test_backtick_and_tilde_fences_are_code_with_their_fence_lines() -> None:
    text = "a\n```py\nx = 1\n```\nb\n~~~~\ny\n~~~~\nc\n"
    assert code_texts(text) == ["```py\nx = 1\n```\n", "~~~~\ny\n~~~~\n"]


def test_closing_fence_must_be_as_long_and_same_char() -> None:
    text = "````\n```\n~~~~\nstill code\n````\nprose"
    assert code_texts(text) == ["````\n```\n~~~~\nstill code\n````\n"]


def test_unclosed_fence_runs_to_the_end() -> None:
    text = "prose\n```\ncode\nmore"
    assert code_texts(text) == ["```\ncode\nmore"]


def test_backtick_fence_info_may_not_contain_backticks() -> None:
    text = "``` a`b\nprose\n"
    assert all("prose" not in c for c in code_texts(text))


def test_indented_code_needs_a_blank_line_before_it() -> None:
    assert code_texts("para\n    continuation\n") == []
    assert code_texts("para\n\n    code\n") == ["    code\n"]
    assert code_texts("\tcode with tab\n") == ["\tcode with tab\n"]


def test_indented_list_continuation_is_not_code() -> None:
    text = "- item\n\n    more of the item\n"
    assert code_texts(text) == []
    text = "1. item\n\n       code in the item\n"
    assert code_texts(text) == ["       code in the item\n"]


def test_fence_inside_list_item_and_block_quote() -> None:
    assert code_texts("- item\n  ```\n  code\n  ```\nafter\n") == ["  ```\n  code\n  ```\n"]
    assert code_texts("> ```\n> code\n> ```\nafter") == ["> ```\n> code\n> ```\n"]


def test_crlf_fences() -> None:
    text = "a\r\n```\r\ncode\r\n```\r\nb"
    assert code_texts(text) == ["```\r\ncode\r\n```\r\n"]


def test_inline_code_spans_match_run_lengths() -> None:
    text = "use `x` and ``a ` b`` but ` alone"
    assert code_texts(text) == ["`x`", "``a ` b``"]


def test_escaped_backtick_does_not_open_code() -> None:
    assert code_texts(r"a \`not code` here") == []


def test_inline_code_does_not_cross_a_blank_line() -> None:
    assert code_texts("a `b\n\nc` d") == []
    assert code_texts("a `b\nc` d") == ["`b\nc`"]


def test_frontmatter_is_never_code() -> None:
    text = "---\ntitle: `x`\n---\n    not code after frontmatter? no: it is\n"
    spans = code_spans(text)
    fm = frontmatter(text)
    assert fm is not None
    assert all(s >= fm.end for s, _ in spans)


# --- links -------------------------------------------------------------------------


def targets(text: str) -> list[tuple[str, str]]:
    return [(link.kind, link.target(text)) for link in link_spans(text)]


def test_wikilink_target_stops_at_the_bar() -> None:
    assert targets("see [[Note name#Head|shown]] and ![[img.png]]") == [
        ("wikilink", "Note name#Head"),
        ("embed", "img.png"),
    ]


def test_markdown_links_images_and_angle_destinations() -> None:
    text = '[a](b.md) ![i](p/i.png "t") [c](<with space.md>) [d](https://x.org/a_(b))'
    assert targets(text) == [
        ("link", "b.md"),
        ("image", "p/i.png"),
        ("link", "with space.md"),
        ("link", "https://x.org/a_(b)"),
    ]


def test_autolinks_bare_urls_and_reference_definitions() -> None:
    text = "<https://a.org/x> see https://b.org/y. and www.c.org,\n[ref]: https://d.org/z\n"
    assert targets(text) == [
        ("autolink", "https://a.org/x"),
        ("url", "https://b.org/y"),
        ("url", "www.c.org"),
        ("reference", "https://d.org/z"),
    ]


def test_links_in_code_are_not_links() -> None:
    assert targets("`[[x]]` and\n```\nhttps://a.org\n```\n") == []


def test_nested_image_in_link_keeps_both_targets() -> None:
    text = "[![alt](img.png)](https://x.org)"
    assert sorted(t for _, t in targets(text)) == ["https://x.org", "img.png"]


# --- regions -----------------------------------------------------------------------


def test_regions_of_a_small_note() -> None:
    text = "---\ntitle: T\n---\nprose [[Wiki|alias]] [l](rel/p.md) [u](https://x.org) `code`\n"
    assert kinds_of(text, "T") == {"frontmatter-scalar"}
    assert kinds_of(text, "Wiki") == {"link-target"}
    assert kinds_of(text, "alias") == {"prose"}
    assert kinds_of(text, "rel/p.md") == {"link-target"}
    assert kinds_of(text, "https://x.org") == {"url"}
    assert kinds_of(text, "`code`") == {"code"}
    assert kinds_of(text, "prose") == {"prose"}


@given(st.text())
def test_regions_cover_any_text_contiguously(text: str) -> None:
    spans = regions(text)
    assert [r.start for r in spans[1:]] == [r.end for r in spans[:-1]]
    assert (spans[0].start if spans else 0) == 0
    assert (spans[-1].end if spans else 0) == len(text)
    assert all(r.kind in REGION_KINDS and r.end > r.start for r in spans)


@st.composite
def markdown_notes(draw: st.DrawFn) -> str:
    pieces = draw(
        st.lists(
            st.one_of(
                note_text(),
                st.sampled_from(
                    [
                        "\n```\n",
                        "\n~~~\n",
                        "`",
                        "``",
                        "\n    ",
                        "\n\n",
                        "\r\n",
                        "[[",
                        "]]",
                        "](",
                        ")",
                        "[",
                        "https://",
                        "- ",
                        "> ",
                        "<",
                        ">",
                    ]
                ),
            ),
            max_size=30,
        )
    )
    return "".join(pieces)


@given(markdown_notes())
def test_code_spans_are_code_regions(text: str) -> None:
    spans = regions(text)
    for start, end in code_spans(text):
        assert {r.kind for r in spans if r.start < end and r.end > start} == {"code"}


@given(markdown_notes())
def test_link_targets_lie_inside_their_links(text: str) -> None:
    for link in link_spans(text):
        assert link.start <= link.target_start <= link.target_end <= link.end
