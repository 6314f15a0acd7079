from sqlalchemy import or_
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import NoResultFound

from . import models, schemas

# -- users ------------------------------------------------------------------


def get_user(db: Session, user_id: int):
    return db.query(models.User).get(user_id)


def get_user_by_email(db: Session, email: str):
    return db.query(models.User).filter_by(email=email).first()


def get_users(db: Session, skip: int = 0, limit: int = 100):
    return (
        db.query(models.User).order_by(models.User.id).offset(skip).limit(limit).all()
    )


def create_user(db: Session, user: schemas.UserCreate):
    db_user = models.User(**user.dict())
    db.add(db_user)
    db.commit()
    db.refresh(db_user)
    return db_user


def update_user(db: Session, db_user: models.User, changes: schemas.UserUpdate):
    for field, value in changes.dict(exclude_unset=True).items():
        setattr(db_user, field, value)
    db.commit()
    db.refresh(db_user)
    return db_user


def delete_user(db: Session, db_user: models.User):
    db.delete(db_user)
    db.commit()


# -- tags -------------------------------------------------------------------


def get_tags(db: Session):
    return db.query(models.Tag).order_by(models.Tag.name).all()


def get_or_create_tags(db: Session, names):
    tags = []
    for name in sorted(set(n.strip().lower() for n in names if n.strip())):
        tag = db.query(models.Tag).filter(models.Tag.name == name).first()
        if tag is None:
            tag = models.Tag(name=name)
            db.add(tag)
        tags.append(tag)
    return tags


# -- posts ------------------------------------------------------------------


def get_post(db: Session, post_id: int):
    try:
        return (
            db.query(models.Post)
            .options(
                joinedload(models.Post.author),
                joinedload(models.Post.tags),
                joinedload(models.Post.comments).joinedload(models.Comment.author),
            )
            .filter(models.Post.id == post_id)
            .one()
        )
    except NoResultFound:
        return None


def get_posts(db: Session, skip: int = 0, limit: int = 20, q=None, tag=None):
    query = db.query(models.Post)
    if tag:
        query = query.join(models.Post.tags).filter(models.Tag.name == tag.lower())
    if q:
        pattern = "%" + q + "%"
        query = query.filter(
            or_(models.Post.title.ilike(pattern), models.Post.body.ilike(pattern))
        )
    total = query.count()
    items = (
        query.options(joinedload(models.Post.author), joinedload(models.Post.tags))
        .order_by(models.Post.id.desc())
        .offset(skip)
        .limit(limit)
        .all()
    )
    return total, items


def create_post(db: Session, post: schemas.PostCreate, author: models.User):
    db_post = models.Post(title=post.title, body=post.body, author=author)
    db_post.tags = get_or_create_tags(db, post.tags)
    db.add(db_post)
    db.commit()
    db.refresh(db_post)
    return db_post


def update_post(db: Session, db_post: models.Post, changes: schemas.PostUpdate):
    data = changes.dict(exclude_unset=True)
    tags = data.pop("tags", None)
    if tags is not None:
        db_post.tags = get_or_create_tags(db, tags)
    for field, value in data.items():
        if value is not None:
            setattr(db_post, field, value)
    db.commit()
    db.refresh(db_post)
    return db_post


def delete_post(db: Session, db_post: models.Post):
    db.delete(db_post)
    db.commit()


# -- comments ---------------------------------------------------------------


def create_comment(db: Session, post: models.Post, author: models.User, body: str):
    db_comment = models.Comment(body=body, post=post, author=author)
    db.add(db_comment)
    db.commit()
    db.refresh(db_comment)
    return db_comment
