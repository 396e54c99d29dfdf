"""Versioned prompt files loaded by name (``prompts/<name>@<version>.md``) that fail loudly on a missing variable.

A file has front matter (``name``, ``version``, ``description``) and two parts separated by a line
``=== user ===``: the static system part first (so llama.cpp's prompt cache reuses it) and the dynamic part
last. Variables are written ``{{name}}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent
_VARIABLE = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")
_SEPARATOR = "=== user ==="


class PromptNotFound(LookupError):
    """No prompt file for this name and version."""


class PromptVariableMissing(KeyError):
    """A variable used by the prompt was not supplied."""


@dataclass(frozen=True)
class Prompt:
    """One prompt version: a static system part and a dynamic user template."""

    name: str
    version: str
    system: str
    user_template: str
    description: str = ""

    @property
    def variables(self) -> set[str]:
        return set(_VARIABLE.findall(self.system)) | set(_VARIABLE.findall(self.user_template))

    def render(self, **values: object) -> tuple[str, str]:
        """Return (system, user) with every ``{{variable}}`` replaced; raises on a missing one."""
        missing = sorted(self.variables - values.keys())
        if missing:
            raise PromptVariableMissing(f"prompt {self.name}@{self.version} needs {', '.join(missing)}")

        def fill(text: str) -> str:
            return _VARIABLE.sub(lambda m: str(values[m.group(1)]), text)

        return fill(self.system), fill(self.user_template)


def _parse(path: Path) -> Prompt:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    if text.startswith("---\n"):
        header, _, text = text[4:].partition("\n---\n")
        for line in header.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip()] = value.strip()
    if _SEPARATOR not in text:
        raise PromptNotFound(f"{path.name}: missing the '{_SEPARATOR}' separator")
    system, _, user = text.partition(_SEPARATOR)
    stem_name, _, stem_version = path.stem.partition("@")
    return Prompt(
        name=meta.get("name", stem_name),
        version=meta.get("version", stem_version),
        system=system.strip(),
        user_template=user.strip(),
        description=meta.get("description", ""),
    )


@lru_cache(maxsize=64)
def load_prompt(name: str, version: str = "v1") -> Prompt:
    """Load ``prompts/<name>@<version>.md``; raises PromptNotFound when it does not exist."""
    path = PROMPTS_DIR / f"{name}@{version}.md"
    if not path.is_file():
        available = sorted(p.stem for p in PROMPTS_DIR.glob(f"{name}@*.md"))
        raise PromptNotFound(f"no prompt {name}@{version} (available: {', '.join(available) or 'none'})")
    prompt = _parse(path)
    if (prompt.name, prompt.version) != (name, version):
        raise PromptNotFound(f"{path.name} declares {prompt.name}@{prompt.version}")
    return prompt


def available_prompts() -> list[str]:
    """Every ``name@version`` shipped in this directory."""
    return sorted(p.stem for p in PROMPTS_DIR.glob("*@*.md"))
