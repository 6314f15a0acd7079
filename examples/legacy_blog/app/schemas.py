from datetime import datetime
from typing import List, Optional

from pydantic import BaseModel, validator


def _clean_email(value):
    value = value.strip().lower()
    if "@" not in value or value.startswith("@") or value.endswith("@"):
        raise ValueError("not a valid email address")
    return value


class Tag(BaseModel):
    id: int
    name: str

    class Config:
        orm_mode = True


class UserBase(BaseModel):
    email: str
    name: str
    bio: Optional[str] = None


class UserCreate(UserBase):
    @validator("email")
    def check_email(cls, value):
        return _clean_email(value)


class UserUpdate(BaseModel):
    email: Optional[str] = None
    name: Optional[str] = None
    bio: Optional[str] = None

    @validator("email")
    def check_email(cls, value):
        return None if value is None else _clean_email(value)


class User(UserBase):
    id: int
    created_at: datetime

    class Config:
        # orm_mode is ignored by Pydantic 2 (warning only); from_orm() needs this
        from_attributes = True


class Author(BaseModel):
    id: int
    name: str

    class Config:
        from_attributes = True


class CommentCreate(BaseModel):
    body: str
    author_id: int


class Comment(BaseModel):
    id: int
    body: str
    author: Author
    created_at: datetime

    class Config:
        from_attributes = True


class PostCreate(BaseModel):
    title: str
    body: str
    author_id: int
    tags: List[str] = []


class PostUpdate(BaseModel):
    title: Optional[str] = None
    body: Optional[str] = None
    tags: Optional[List[str]] = None


class Post(BaseModel):
    id: int
    title: str
    body: str
    author: Author
    tags: List[Tag] = []
    created_at: datetime
    updated_at: Optional[datetime] = None

    class Config:
        orm_mode = True


class PostDetail(Post):
    comments: List[Comment] = []


class PostPage(BaseModel):
    total: int
    skip: int
    limit: int
    items: List[Post]
