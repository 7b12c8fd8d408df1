"""Finding, resolving and rewriting links the way Obsidian reads them."""

from __future__ import annotations

import pytest

from notefix.links import Link, VaultIndex, encode_like, find_links, rewrite_target

PATHS = [
    "index.md",
    "Café.md",
    "Notes/Café.md",
    "Notes/Über uns.md",
    "Notes/deep/Straße.md",
    "Other/Straße.md",
    "attachments/фото.png",
    "v1.2.md",
]


def only(text: str) -> Link:
    (link,) = find_links(text)
    return link


@pytest.mark.parametrize(
    ("text", "kind", "embed", "target"),
    [
        ("[[Über uns]]", "wiki", False, "Über uns"),
        ("[[Über uns|alias]]", "wiki", False, "Über uns"),
        ("[[Über uns#Kontakt|alias]]", "wiki", False, "Über uns"),
        ("| [[Über uns\\|alias]] |", "wiki", False, "Über uns"),
        ("![[фото.png|200]]", "wiki", True, "фото.png"),
        ("[[Notes/deep/Straße]]", "wiki", False, "Notes/deep/Straße"),
        ("[t](Notes/%C3%9Cber%20uns.md#Kontakt)", "markdown", False, "Notes/Über uns.md"),
        ('![a](<attachments/фото.png> "title")', "markdown", True, "attachments/фото.png"),
    ],
)
def test_every_link_form_names_its_target(text: str, kind: str, embed: bool, target: str) -> None:
    link = only(text)
    assert (link.kind, link.embed, link.target) == (kind, embed, target)
    # The span is the path as written, so an edit there leaves alias and heading alone.
    assert text[link.target_start : link.target_end] == link.raw


def test_urls_anchors_self_links_and_code_are_not_vault_links() -> None:
    text = (
        "[w](https://x.org/Caf%C3%A9) [h](#Heading) [[#Heading]] `[[Café]]`\n```\n[[Café]]\n```\n"
    )
    assert find_links(text) == []


def test_wikilinks_resolve_by_path_then_folder_then_shortest() -> None:
    index = VaultIndex(PATHS)
    assert index.resolve_wiki("Café", "index.md") == "Café.md"
    assert index.resolve_wiki("Café", "Notes/deep/Straße.md") == "Café.md"
    # A path from the root wins even over the note's own folder, as in the checker.
    assert index.resolve_wiki("Café", "Notes/Über uns.md") == "Café.md"
    assert index.resolve_wiki("Straße", "Notes/deep/x.md") == "Notes/deep/Straße.md"
    assert index.resolve_wiki("Straße", "index.md") == "Other/Straße.md"
    assert index.resolve_wiki("Notes/Café", "index.md") == "Notes/Café.md"
    assert index.resolve_wiki("deep/Straße", "index.md") == "Notes/deep/Straße.md"
    assert index.resolve_wiki("cafÉ", "index.md") == "Café.md"
    assert index.resolve_wiki("v1.2", "index.md") == "v1.2.md"
    assert index.resolve_wiki("фото.png", "index.md") == "attachments/фото.png"
    assert index.resolve_wiki("Missing", "index.md") is None


def test_markdown_links_resolve_relative_then_from_the_root_then_by_name() -> None:
    index = VaultIndex(PATHS)
    assert index.resolve_markdown("../Café.md", "Notes/Über uns.md") == ("Café.md", "relative")
    assert index.resolve_markdown("Café.md", "Notes/Über uns.md") == ("Notes/Café.md", "relative")
    assert index.resolve_markdown("Notes/deep/Straße.md", "Notes/x.md") == (
        "Notes/deep/Straße.md",
        "root",
    )
    assert index.resolve_markdown("Straße.md", "Notes/a.md") == ("Other/Straße.md", "name")


def test_rewrites_keep_the_links_style() -> None:
    new = VaultIndex([*PATHS, "Notes/Neu.md"])
    wiki = only("[[Notes/Café|c]]")
    assert rewrite_target(wiki, "index.md", "Notes/Neu.md", new, "name") == "Notes/Neu"
    wiki_md = only("[[Café.md]]")
    assert rewrite_target(wiki_md, "index.md", "Notes/Neu.md", new, "name") == "Neu.md"
    encoded = only("[t](Notes/Caf%C3%A9.md)")
    assert rewrite_target(encoded, "index.md", "Notes/Über uns.md", new, "relative") == (
        "Notes/%C3%9Cber%20uns.md"
    )
    plain = only("[t](Notes/Café.md)")
    assert rewrite_target(plain, "index.md", "Notes/Über uns.md", new, "relative") == (
        "Notes/Über%20uns.md"
    )
    angle = only("[t](<Notes/Café.md>)")
    assert rewrite_target(angle, "index.md", "Notes/Über uns.md", new, "relative") == (
        "Notes/Über uns.md"
    )
    relative = only("[t](../Café.md)")
    assert rewrite_target(relative, "Notes/deep/Straße.md", "Café.md", new, "relative") == (
        "../../Café.md"
    )


def test_a_rewritten_wikilink_names_more_folders_when_the_name_alone_is_ambiguous() -> None:
    new = VaultIndex(PATHS)
    link = only("[[Cafe]]")
    assert rewrite_target(link, "Notes/deep/Straße.md", "Notes/Café.md", new, "name") == (
        "Notes/Café"
    )


def test_encoding_follows_the_destination_as_written() -> None:
    assert encode_like("Über uns.md", "Caf%C3%A9.md") == "%C3%9Cber%20uns.md"
    assert encode_like("Über uns.md", "My%20Note.md") == "Über%20uns.md"
    assert encode_like("Über 100%.md", "My%20Note.md") == "Über%20100%25.md"
    assert encode_like("Über.md", "Plain.md") == "Über.md"


def test_wikilinks_in_frontmatter_properties_are_links_too() -> None:
    text = '---\nrelated: "[[Über uns|ü]]"\ntags: [a]\n---\n[[Café]]\n'
    targets = [link.target for link in find_links(text)]
    assert targets == ["Über uns", "Café"]
