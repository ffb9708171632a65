"""The API's request and response models (they make /openapi.json)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

# [origin node, epoch, highest seq held without a gap]
VectorEntry = tuple[str, int, int]


class ErrorBody(BaseModel):
    """Every error answer: a stable code and a sentence."""

    error: str = Field(description="stable code: unauthorized, too_large, rate_limited, ...")
    message: str = Field(description="what went wrong, in words")


class Challenge(BaseModel):
    """A nonce to sign with the office key (valid for two minutes)."""

    nonce: str
    expires_at: str


class TokenRequest(BaseModel):
    """The office's certificate and its Ed25519 signature of the nonce."""

    certificate: dict[str, Any] = Field(description="the certificate issued by the province")
    nonce: str = Field(max_length=200)
    signature: str = Field(max_length=200, description="base64 Ed25519 signature")
    epoch: int | None = Field(
        None, ge=0, le=2**62, description="the office's epoch: the answer then holds its state"
    )
    seq: int | None = Field(None, ge=0, le=2**62, description="its newest own seq of that epoch")


class Token(BaseModel):
    """A short-lived bearer token for the office named in the certificate."""

    token: str
    token_type: str = "bearer"
    expires_at: str
    node_id: str
    office_id: str
    level: int
    state: State | None = Field(None, description="as GET /v1/state, when epoch was given")


class Rejection(BaseModel):
    """A change the server refused, with the reason."""

    origin: str
    epoch: int
    seq: int
    reason: str


class Province(BaseModel):
    """The province installation behind this server."""

    node_id: str
    office_id: str


class State(BaseModel):
    """What the server holds for the calling office."""

    office_id: str
    node_id: str
    mode: str = Field(description="sqlite or postgresql")
    feed_id: str = Field(description="identity of the feed (cursors are kept per feed)")
    feed_head: int = Field(description="highest feed sequence number")
    vector: list[VectorEntry] = Field(
        description="per origin and epoch of the office's scope, the highest seq held"
    )
    epoch_ok: bool = Field(description="false when the office's epoch looks restored")
    epoch_problem: str = ""
    schema_min: int
    schema_max: int
    server_time: str
    province: Province
    batch_changes: int = Field(description="changes per pushed batch the server prefers")
    max_body: int = Field(description="largest request body accepted, in bytes")


class BatchAnswer(BaseModel):
    """The server's answer to a pushed batch (stored: resending the batch returns it again)."""

    batch_id: str
    changes: int = Field(description="changes in the batch")
    accepted: int = Field(
        description="new changes taken into the feed and allowed (quarantined ones are"
        " counted in rejections, not here)"
    )
    skipped: int = Field(description="changes the server already held")
    held: int = Field(description="changes after a gap, not taken; resend from the vector")
    rejections: list[Rejection]
    refused_segments: list[str]
    vector: list[VectorEntry]
    feed_head: int


class FeedEntry(BaseModel):
    """One signed segment of the feed, as its author signed it."""

    fseq: int
    header: str = Field(description="the segment header: canonical JSON, signed")
    body: str = Field(description="base64 of the segment body")


class FeedPage(BaseModel):
    """A page of the feed, oldest first, with the acknowledgements going down."""

    entries: list[FeedEntry]
    next_after: int = Field(description="the cursor to ask for next (commit the page first)")
    more: bool
    vector: list[VectorEntry]
    rejections: list[Rejection] = Field(
        description="changes of the office's scope the province refused, after"
        " rejections_after (each reported on one page only)"
    )
    rejections_next: int = Field(0, description="the rejection cursor to ask for next")
    rejections_more: bool = Field(False, description="more rejections wait after it")
    revocations: dict[str, Any] | None = None
    state: State | None = Field(
        None, description="the office's state, when the request gave epoch (and seq)"
    )


class RevocationList(BaseModel):
    """The province's revocation list, signed with its key (as it travels in bundles)."""

    body: dict[str, Any] = Field(description='{"province": office, "revoked": [[serial, at]]}')
    sig: str = Field(max_length=200, description="base64 Ed25519 signature of the body")


class Installed(BaseModel):
    """How many revocations were new to the server."""

    installed: int


class Health(BaseModel):
    """Liveness (no authentication).

    ``status``, ``server_time`` and ``apply_problem`` are the answering process's own
    (``process`` names it: behind a balancer each process answers for itself); the
    counts are the server's, read from its database, the same from every process.
    """

    status: str = Field(
        description='"ok"; "database_error" when this process cannot read its database'
    )
    mode: str
    server_time: str = Field(description="this process's clock")
    process: str = Field(description="the answering process: host name and process id")
    process_started_at: str = Field(description="when the answering process started")
    pending_apply: int = Field(
        0,
        description="changes received but not yet applied to the province's tables"
        " (SQLite mode; they are held, and applied within seconds). Always 0 in"
        " PostgreSQL mode, where the province office applies the feed when it syncs",
    )
    apply_problem: str | None = Field(
        None,
        description="why applying them failed last (it is tried again), e.g. a full disk",
    )
    dropped_uploads: int | None = Field(
        0,
        description="request bodies dropped because they stalled or came too slowly"
        " (answered 408), by every server process on this database since it was set up;"
        " null when the database cannot be read",
    )
