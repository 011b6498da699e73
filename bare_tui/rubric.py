"""The session's rubric: Markdown that says how to judge each field, kept in the session so that every reviewer
and auditor reads the same words. A `## syntax` (any field's name) heading starts that field's section; what
comes before the first such heading applies to every field. An extra stage (`## tests`) has a section too, once
the session has that stage's verdicts (as a judgement of it may)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .model import is_stage_name, stage_order
from .store import SessionError, Store

RUBRIC_SETTING = "rubric"
_HEADING = re.compile(r"^##\s+(?P<name>[^#].*?)\s*#*\s*$")


@dataclass(frozen=True)
class Rubric:
    """The rubric's text and its sections: the general part and one per field that has a heading."""

    text: str
    general: str = ""
    sections: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Rubric:
        general: list[str] = []
        sections: dict[str, list[str]] = {}
        current = general
        for line in text.splitlines():
            heading = _HEADING.match(line)
            name = heading.group("name").strip().lower() if heading else None
            if name is not None and is_stage_name(name):
                current = sections.setdefault(name, [])
                continue
            current.append(line)
        return cls(text, "\n".join(general).strip(), {k: "\n".join(v).strip() for k, v in sections.items()})

    def for_field(self, name: str) -> str:
        """Markdown to show while `name` is the field in question: its section first, then what applies to all,
        then the other fields' sections (so nothing of the rubric is out of reach)."""
        parts: list[str] = []
        if name in self.sections:
            parts.append(f"## {name}\n\n{self.sections[name]}")
        else:
            parts.append(f"## {name}\n\n*The rubric has no section for {name}.*")
        if self.general:
            parts.append(f"## every field\n\n{self.general}")
        parts.extend(
            f"## {other}\n\n{self.sections[other]}" for other in sorted(self.sections, key=stage_order) if other != name
        )
        return "\n\n".join(parts)


def load_rubric(store: Store) -> Rubric | None:
    """The session's rubric, or None when it has none."""
    text = store.get_setting(RUBRIC_SETTING)
    return Rubric.parse(text) if isinstance(text, str) and text.strip() else None


def set_rubric(store: Store, path: Path) -> Rubric:
    """Read a Markdown rubric from a file into the session (replacing any before it); returns it parsed.

    A level-2 heading that names no field is refused (a misspelt '## sintax' would hide its section).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionError(f"{path}: no such rubric file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"{path}: cannot read the rubric: {exc}") from None
    rubric = Rubric.parse(text)
    if not rubric.sections and not rubric.general:
        raise SessionError(f"{path}: the rubric is empty")
    known = store.fields()
    unknown = [
        f"{number}: '{line.strip()}'"
        for number, line in enumerate(text.splitlines(), start=1)
        if (heading := _HEADING.match(line)) and heading.group("name").strip().lower() not in known
    ]
    if unknown:
        raise SessionError(
            f"{path}:{unknown[0]} names no field; a '## ' heading starts a field's section "
            f"(one of {', '.join(known)}); use ### for headings inside a section"
        )
    store.set_setting(RUBRIC_SETTING, text)
    return rubric
