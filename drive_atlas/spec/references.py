"""The bibliography (``data/references.yaml``): every evidence key resolves here."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .common import RefKey, StrictModel


class Reference(StrictModel):
    """A paper. ``doi`` is left empty unless it was read from a reliable source."""

    key: RefKey
    authors: str
    year: Annotated[int, Field(ge=1800, le=2100)]
    title: str
    journal: str
    volume_pages: str | None = None
    doi: Annotated[str, Field(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    pmid: str | None = None
    note: str | None = None

    @property
    def url(self) -> str | None:
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return None

    def short(self) -> str:
        first = self.authors.split(",")[0].split()[0]
        return f"{first} et al. {self.year}" if "," in self.authors else f"{first} {self.year}"


class Bibliography(StrictModel):
    references: list[Reference]
