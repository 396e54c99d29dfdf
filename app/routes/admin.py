"""Administration: users, kill switches, the current configuration and the evaluation-candidate queue."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from agent.llm.factory import model_identity
from app.auth import Admin
from app.errors import ApiError, raise_mapped
from app.routes.deps import audit_of, candidates_of, controls_of, users_of
from app.schemas import (
    ChangeList,
    ChangeOrUser,
    ChangeOut,
    ConfigOut,
    ControlsOut,
    EvalCandidateList,
    EvalCandidateOne,
    UnlockOut,
    UserList,
)
from core.controls import set_controls
from core.user_changes import UserChangeStore
from evals.candidates import Expected

router = APIRouter(prefix="/api/admin", tags=["admin"])


class NewUser(BaseModel):
    username: str = Field(min_length=3, max_length=32)
    role: str = Field(min_length=1, max_length=16)
    password: str = Field(min_length=12, max_length=256)
    approval_limit_eur: float | None = Field(default=None, ge=0, le=1e12)


class ControlsBody(BaseModel):
    actions_enabled: bool | None = None
    llm_enabled: bool | None = None


@router.get("/users", response_model=UserList)
def list_users(_user: Admin, request: Request) -> dict:
    """Every user with role, limit and status."""
    return {"users": [u.to_dict() for u in users_of(request).list_users()]}


class RoleBody(BaseModel):
    role: str = Field(min_length=1, max_length=16)
    approval_limit_eur: float | None = Field(default=None, ge=0, le=1e12)


class RejectBody(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


def _changes(request: Request) -> UserChangeStore:
    return UserChangeStore(request.app.state.engine, users_of(request), audit_of(request))


@router.post("/users", status_code=202, response_model=ChangeOut)
def create_user(body: NewUser, admin: Admin, request: Request) -> dict:
    """Request a new user: validated now, created when a second admin confirms (audited)."""
    try:
        change = _changes(request).request_create(admin.username, **body.model_dump())
    except Exception as exc:
        raise_mapped(exc)
    return {"change": change}


@router.post("/users/{username}/role", status_code=202, response_model=ChangeOut)
def change_role(username: str, body: RoleBody, admin: Admin, request: Request) -> dict:
    """Request a new role / approval limit; applied when a second admin confirms."""
    try:
        change = _changes(request).request_role(admin.username, username, **body.model_dump())
    except Exception as exc:
        raise_mapped(exc)
    return {"change": change}


@router.get("/changes", response_model=ChangeList)
def pending_changes(_user: Admin, request: Request) -> dict:
    """User changes waiting for a second admin."""
    return {"changes": _changes(request).pending()}


@router.post("/changes/{change_id}/confirm", response_model=ChangeOut)
def confirm_change(change_id: str, admin: Admin, request: Request) -> dict:
    """Apply a change another admin requested (403 ``four_eyes_violation`` for your own)."""
    try:
        change = _changes(request).confirm(change_id, admin.username)
    except Exception as exc:
        raise_mapped(exc)
    return {"change": change}


@router.post("/changes/{change_id}/reject", response_model=ChangeOut)
def reject_change(change_id: str, body: RejectBody, admin: Admin, request: Request) -> dict:
    """Drop a pending change with a reason."""
    try:
        change = _changes(request).reject(change_id, admin.username, body.reason)
    except Exception as exc:
        raise_mapped(exc)
    return {"change": change}


def _set_active(username: str, active: bool, admin_name: str, request: Request) -> dict:
    if username == admin_name and not active:
        raise ApiError(409, "cannot_disable_self", "an admin cannot disable their own account")
    if active:  # re-enabling gives powers back: four-eyes
        try:
            return {"change": _changes(request).request_enable(admin_name, username)}
        except Exception as exc:
            raise_mapped(exc)
    try:
        user = users_of(request).set_active(username, active)
    except Exception as exc:
        raise_mapped(exc)
    audit_of(request).append(
        "user_enabled" if active else "user_disabled", actor=admin_name, payload={"username": username}
    )
    return {"user": user.to_dict()}


@router.post("/users/{username}/disable", response_model=ChangeOrUser)
def disable_user(username: str, admin: Admin, request: Request) -> dict:
    """Disable a user; their sessions stop working at once."""
    return _set_active(username, False, admin.username, request)


@router.post("/users/{username}/enable", status_code=202, response_model=ChangeOrUser)
def enable_user(username: str, admin: Admin, request: Request) -> dict:
    """Request to re-enable a user; applied when a second admin confirms."""
    return _set_active(username, True, admin.username, request)


@router.post("/users/{username}/unlock", response_model=UnlockOut)
def unlock_user(username: str, admin: Admin, request: Request) -> dict:
    """Lift every client's login lock on this user at once (audited ``user_unlocked``)."""
    from core.login_throttle import LoginThrottle

    try:
        users_of(request).get(username)
    except Exception as exc:
        raise_mapped(exc)
    cleared = LoginThrottle(request.app.state.engine).unlock(username)
    audit_of(request).append(
        "user_unlocked", actor=admin.username, payload={"username": username, "cleared": cleared}
    )
    return {"username": username, "cleared": cleared}


@router.get("/controls", response_model=ControlsOut)
def get_controls(_user: Admin, request: Request) -> dict:
    """The kill switches."""
    return {"controls": controls_of(request).to_dict()}


@router.post("/controls", response_model=ControlsOut)
def change_controls(body: ControlsBody, admin: Admin, request: Request) -> dict:
    """Flip the kill switches; effective for every worker on the next request, audited."""
    if body.actions_enabled is None and body.llm_enabled is None:
        raise ApiError(422, "nothing_to_change", "give actions_enabled and/or llm_enabled")
    controls = set_controls(
        request.app.state.engine,
        actor=admin.username,
        actions_enabled=body.actions_enabled,
        llm_enabled=body.llm_enabled,
        audit=audit_of(request),
    )
    return {"controls": controls.to_dict()}


@router.get("/config", response_model=ConfigOut)
def config(_user: Admin, request: Request) -> dict:
    """Provider, model and prompt versions in use (no secrets)."""
    settings = request.app.state.settings
    _provider, model = model_identity(settings)
    service = getattr(request.app.state, "agent_service", None)
    agent_config = getattr(service, "config", None) if service is not None else None
    prompts = getattr(agent_config, "prompt_versions", None)
    return {
        "config": {
            "llm_provider": settings.llm_provider,
            "llm_model": model,
            "openai_base_url": settings.openai_base_url if settings.llm_provider == "openai" else None,
            "prompt_versions": _jsonable(prompts),
            "agent_config": _jsonable(agent_config),
            "payments_api_url": settings.payments_api_url or "/payments-api (in process)",
            "chroma": settings.chroma_url or "embedded",
            "database": "postgresql" if settings.app_db_url.startswith("postgres") else "sqlite",
            "agent_running": service is not None,
        }
    }


def _jsonable(value: object) -> object:
    from app.routes.deps import jsonable

    return jsonable(value)


class CandidateDismissBody(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


@router.get("/eval-candidates", response_model=EvalCandidateList)
def list_eval_candidates(
    _user: Admin, request: Request, status: Literal["pending", "accepted", "dismissed", "all"] = "pending"
) -> dict:
    """Analysts' thumbs-down and case-type corrections waiting to become evaluation cases (or decided)."""
    store = candidates_of(request)
    return {"candidates": store.list(None if status == "all" else status)}


@router.post("/eval-candidates/{candidate_id}/accept", response_model=EvalCandidateOne)
def accept_eval_candidate(candidate_id: str, body: Expected, admin: Admin, request: Request) -> dict:
    """Accept with the expected outcome: the case is appended to the feedback dataset the next eval runs."""
    try:
        candidate = candidates_of(request).accept(candidate_id, admin.username, body.model_dump(mode="json"))
    except Exception as exc:
        raise_mapped(exc)
    return {"candidate": candidate}


@router.post("/eval-candidates/{candidate_id}/dismiss", response_model=EvalCandidateOne)
def dismiss_eval_candidate(
    candidate_id: str, body: CandidateDismissBody, admin: Admin, request: Request
) -> dict:
    """Dismiss a candidate with a reason (audited)."""
    try:
        candidate = candidates_of(request).dismiss(candidate_id, admin.username, body.reason)
    except Exception as exc:
        raise_mapped(exc)
    return {"candidate": candidate}
