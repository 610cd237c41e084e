"""Value types that several contracts share."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=5000)]
SkillId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._:-]{0,119}$")]
Proficiency = Annotated[int, Field(ge=1, le=5)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class ValueObject(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SkillLevel(ValueObject):
    """A canonical skill and how well the person knows it, 1 to 5."""

    skill_id: SkillId
    proficiency: Proficiency
