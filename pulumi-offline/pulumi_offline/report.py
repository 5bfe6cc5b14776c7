"""A policy check's outcome, which every report format renders (`check`'s text and JSON
events, `sarif`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .analyzer import Diagnostic, PackInfo
from .preview import Preview


def input_problem_level(strict_inputs: bool) -> str:
    """How an input problem counts: an error when `--strict-inputs` makes it fail the run, else a
    warning (the engine's diagnostic severities and SARIF's levels share both names)."""
    return "error" if strict_inputs else "warning"


@dataclass
class CheckReport:
    """Everything a report format needs: the pack, its verdicts and the previewed program."""

    pack: PackInfo
    pack_dir: Path
    diagnostics: list[Diagnostic]
    preview: Preview

    @property
    def mandatory(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.mandatory]

    @property
    def stack_file(self) -> Path:
        """Where stack-level findings point: the stack's config file, else the project file."""
        stack_file = self.preview.program_dir / f"Pulumi.{self.preview.config.stack}.yaml"
        return stack_file if stack_file.is_file() else self.preview.program_dir / "Pulumi.yaml"
