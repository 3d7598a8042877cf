"""The anomaly codes: what each says about a record's ID number, and how codes weigh when two names share one."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """An inconsistency in what was written down (never a judgement of the person)."""

    BAD_LENGTH = "bad_length"
    BAD_CHECKSUM = "bad_checksum"
    UNKNOWN_REGION = "unknown_region"
    REGION_RETIRED = "region_retired"
    IMPOSSIBLE_DATE = "impossible_date"
    GENDER_MISMATCH = "gender_mismatch"
    AGE_MISMATCH = "age_mismatch"
    FLOAT_MANGLED = "float_mangled"
    DUPLICATE_ID = "duplicate_id"

    @property
    def explanation(self) -> str:
        """A plain sentence for a badge or a footnote."""
        return _EXPLANATIONS[self]

    @property
    def disagrees_with_row(self) -> bool:
        """Whether the row's stated facts contradict its ID number: when two names share one ID, the rows
        that disagree less are taken as the ones the number belongs with."""
        return self in (Code.GENDER_MISMATCH, Code.AGE_MISMATCH)


_EXPLANATIONS: dict[Code, str] = {
    Code.BAD_LENGTH: "The ID number does not have 18 characters (or 15 for a first-generation ID), so it cannot "
                     "be a complete resident ID number as written.",
    Code.BAD_CHECKSUM: "The last character of the ID number is not the check digit that the first 17 digits "
                       "give (ISO 7064 MOD 11-2): at least one digit was written or copied wrongly.",
    Code.UNKNOWN_REGION: "The first six digits of the ID number are not a region code that has ever existed "
                         "(GB/T 2260, 1981-2024).",
    Code.REGION_RETIRED: "The ID number's region code existed but had been retired before the birth year it "
                         "states. Old numbers stay valid, so this is informational only.",
    Code.IMPOSSIBLE_DATE: "The birth date in the ID number is not a real date, or lies after the register's "
                          "date.",
    Code.GENDER_MISMATCH: "The register's stated gender disagrees with the ID number's sex digit (17th digit: "
                          "odd for male, even for female).",
    Code.AGE_MISMATCH: "The stated age differs by more than one year from the age the ID number's birth date "
                       "gives on the register's date.",
    Code.FLOAT_MANGLED: "The ID number was stored as a number in the spreadsheet, which keeps only about 15 "
                        "significant digits: the last digits were lost, so the number shown is not the one "
                        "that was typed.",
    Code.DUPLICATE_ID: "The same ID number appears on records that give a different name. Where the other "
                       "records' stated sex and age fit the number and this one's do not, only this one is "
                       "marked.",
}
