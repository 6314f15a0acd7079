"""All routers, mounted by `app.main.create_app`."""

from fastapi import APIRouter

from app.api.routes import comments, health, posts, tags, users

api_router = APIRouter()
api_router.include_router(health.router)
api_router.include_router(users.router)
api_router.include_router(posts.router)
api_router.include_router(comments.router)
api_router.include_router(tags.router)
