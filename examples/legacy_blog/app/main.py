from typing import List, Optional

from fastapi import Depends, FastAPI, HTTPException, Response
from sqlalchemy import text
from sqlalchemy.orm import Session

from . import crud, schemas
from .database import Base, SessionLocal, engine

app = FastAPI(title="Legacy blog")


@app.on_event("startup")
async def startup():
    Base.metadata.create_all(bind=engine)


def get_db():
    db = SessionLocal()
    try:
        yield db
        db.commit()
    finally:
        db.close()


def get_user_or_404(db, user_id):
    db_user = crud.get_user(db, user_id)
    if db_user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return db_user


def get_post_or_404(db, post_id):
    db_post = crud.get_post(db, post_id)
    if db_post is None:
        raise HTTPException(status_code=404, detail="Post not found")
    return db_post


@app.get("/health")
async def health(db: Session = Depends(get_db)):
    db.execute(text("SELECT 1"))
    return {"status": "ok"}


# -- users ------------------------------------------------------------------


@app.post("/users", response_model=schemas.User, status_code=201)
async def create_user(user: schemas.UserCreate, db: Session = Depends(get_db)):
    if crud.get_user_by_email(db, email=user.email):
        raise HTTPException(status_code=400, detail="Email already registered")
    return schemas.User.from_orm(crud.create_user(db, user))


@app.get("/users", response_model=List[schemas.User])
async def list_users(skip: int = 0, limit: int = 100, db: Session = Depends(get_db)):
    return crud.get_users(db, skip=skip, limit=limit)


@app.get("/users/{user_id}", response_model=schemas.User)
async def read_user(user_id: int, db: Session = Depends(get_db)):
    return get_user_or_404(db, user_id)


@app.patch("/users/{user_id}", response_model=schemas.User)
async def update_user(
    user_id: int, changes: schemas.UserUpdate, db: Session = Depends(get_db)
):
    db_user = get_user_or_404(db, user_id)
    if changes.email and changes.email != db_user.email:
        if crud.get_user_by_email(db, email=changes.email):
            raise HTTPException(status_code=400, detail="Email already registered")
    return crud.update_user(db, db_user, changes)


@app.delete("/users/{user_id}", status_code=204)
async def delete_user(user_id: int, db: Session = Depends(get_db)):
    crud.delete_user(db, get_user_or_404(db, user_id))
    return Response(status_code=204)


# -- posts ------------------------------------------------------------------


@app.post("/posts", response_model=schemas.PostDetail, status_code=201)
async def create_post(post: schemas.PostCreate, db: Session = Depends(get_db)):
    author = get_user_or_404(db, post.author_id)
    return crud.create_post(db, post, author)


@app.get("/posts", response_model=schemas.PostPage)
async def list_posts(
    skip: int = 0,
    limit: int = 20,
    q: Optional[str] = None,
    tag: Optional[str] = None,
    db: Session = Depends(get_db),
):
    total, items = crud.get_posts(db, skip=skip, limit=limit, q=q, tag=tag)
    return {"total": total, "skip": skip, "limit": limit, "items": items}


@app.get("/posts/{post_id}", response_model=schemas.PostDetail)
async def read_post(post_id: int, db: Session = Depends(get_db)):
    return get_post_or_404(db, post_id)


@app.patch("/posts/{post_id}", response_model=schemas.PostDetail)
async def update_post(
    post_id: int, changes: schemas.PostUpdate, db: Session = Depends(get_db)
):
    return crud.update_post(db, get_post_or_404(db, post_id), changes)


@app.delete("/posts/{post_id}", status_code=204)
async def delete_post(post_id: int, db: Session = Depends(get_db)):
    crud.delete_post(db, get_post_or_404(db, post_id))
    return Response(status_code=204)


@app.post("/posts/{post_id}/comments", response_model=schemas.Comment, status_code=201)
async def add_comment(
    post_id: int, comment: schemas.CommentCreate, db: Session = Depends(get_db)
):
    db_post = get_post_or_404(db, post_id)
    author = get_user_or_404(db, comment.author_id)
    db_comment = crud.create_comment(db, db_post, author, comment.body)
    return schemas.Comment.from_orm(db_comment)


# -- tags -------------------------------------------------------------------


@app.get("/tags")
async def list_tags(db: Session = Depends(get_db)):
    return crud.get_tags(db)
