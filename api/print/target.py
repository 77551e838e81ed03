"""What a sheet shows: the province, one former district (GSO code 899–914) or one 2025 unit of An Giang that
covers former Kiên Giang (GSO commune code, e.g. "30958").

>>> Target.commune("30958").name
'commune-30958'
>>> Target.district(907).name
'district-907'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["province", "district", "commune"]


@dataclass(frozen=True)
class Target:
    kind: Kind
    code: int | str | None = None

    @classmethod
    def province(cls) -> Target:
        return cls("province")

    @classmethod
    def district(cls, gso: int) -> Target:
        return cls("district", int(gso))

    @classmethod
    def commune(cls, code: str) -> Target:
        return cls("commune", str(code))

    @property
    def name(self) -> str:
        """File-name stem and cache-key part: "province", "district-907", "commune-30958"."""
        return self.kind if self.code is None else f"{self.kind}-{self.code}"
