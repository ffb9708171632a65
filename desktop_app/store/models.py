"""Peewee models of every table, left unbound so one process can hold many databases.

Bind each query to its database explicitly (``Model.select().bind(db)`` or
``query.execute(db)``): the province, district and commune databases of a sync
test live side by side. The schema itself is created by the migration steps;
``tests/store/test_schema.py`` checks these models against it.
"""

from __future__ import annotations

from peewee import (
    BlobField,
    CompositeKey,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


class BaseModel(Model):
    class Meta:
        database = None
        legacy_table_names = False


class Meta(BaseModel):
    key = TextField(primary_key=True)
    value = TextField()


class Unit(BaseModel):
    id = TextField(primary_key=True)
    structure = TextField()
    code = TextField()
    name = TextField()
    kind = TextField()
    level = IntegerField()
    parent = ForeignKeyField("self", null=True, column_name="parent_id", backref="children")
    valid_from = TextField(null=True)
    valid_to = TextField(null=True)
    border = IntegerField(default=0)
    remote = IntegerField(default=0)
    version = TextField(null=True)


class UnitSource(BaseModel):
    unit = ForeignKeyField(Unit, column_name="unit_id")
    source_id = TextField()

    class Meta:
        primary_key = CompositeKey("unit", "source_id")


class Indicator(BaseModel):
    code = TextField(primary_key=True)
    position = IntegerField()
    section = TextField()
    level = TextField()
    type = TextField()
    disaggregation = TextField(default="")
    frequency = TextField()
    unit_vi = TextField(default="")
    unit_en = TextField(default="")
    name_vi = TextField()
    name_en = TextField()
    rules = TextField(default="")
    note = TextField(default="")
    retired = TextField(null=True, default="")


class DimensionMember(BaseModel):
    dimension = TextField()
    code = TextField()
    position = IntegerField()
    name_vi = TextField()
    name_en = TextField()
    aggregation = TextField(null=True, default="sum")

    class Meta:
        primary_key = CompositeKey("dimension", "code")


class DerivedIndicator(BaseModel):
    code = TextField(primary_key=True)
    position = IntegerField()
    level = TextField()
    unit = TextField(default="")
    name_vi = TextField()
    name_en = TextField()
    formula = TextField()
    note = TextField(default="")


class Period(BaseModel):
    code = TextField(primary_key=True)
    kind = TextField()
    year = IntegerField()
    quarter = IntegerField(null=True)
    start_date = TextField()
    end_date = TextField()


class Village(BaseModel):
    id = TextField(primary_key=True)
    commune = ForeignKeyField(Unit, column_name="commune_id")
    name = TextField()
    sort_order = IntegerField()
    active = IntegerField(default=1)
    demo = IntegerField(default=0)
    version = TextField()
    hlc = IntegerField()


class VillageMapping(BaseModel):
    """The province's village → 2025 commune mapping (reference data, m0004)."""

    village_id = TextField(primary_key=True)
    commune_id = TextField()


class VillageOrigin(BaseModel):
    """The pre-2025 commune of a village moved into its 2025 commune (m0004)."""

    village_id = TextField(primary_key=True)
    commune_id = TextField()


class DataValue(BaseModel):
    id = IntegerField(primary_key=True)
    org_id = TextField()
    commune = ForeignKeyField(Unit, column_name="commune_id")
    village = ForeignKeyField(Village, null=True, column_name="village_id")
    period = ForeignKeyField(Period, column_name="period")
    indicator = ForeignKeyField(Indicator, column_name="indicator")
    disagg = TextField(default="")
    value = TextField(null=True)
    comment = TextField(default="")
    version = TextField()
    hlc = IntegerField()
    updated_by = TextField()


class Site(BaseModel):
    id = TextField(primary_key=True)
    site_type = TextField()
    commune = ForeignKeyField(Unit, column_name="commune_id")
    village = ForeignKeyField(Village, null=True, column_name="village_id")
    name = TextField(default="")
    operator = TextField(default="")
    technologies = TextField(default="")
    shared = IntegerField(default=0)
    lat = FloatField(null=True)
    lon = FloatField(null=True)
    status = TextField()
    start_date = TextField(null=True)
    end_date = TextField(null=True)
    notes = TextField(default="")
    deleted = IntegerField(default=0)
    version = TextField()
    site_code = TextField(default="")
    hlc = IntegerField()


class Target(BaseModel):
    id = IntegerField(primary_key=True)
    unit = ForeignKeyField(Unit, column_name="unit_id")
    year = IntegerField()
    indicator = TextField()
    value = FloatField()
    version = TextField()
    hlc = IntegerField()


class Submission(BaseModel):
    id = IntegerField(primary_key=True)
    commune = ForeignKeyField(Unit, column_name="commune_id")
    period = ForeignKeyField(Period, column_name="period")
    state = TextField()
    reason = TextField(default="")
    updated_by = TextField()
    version = TextField()
    hlc = IntegerField()
    catalogue_version = TextField(null=True)


class AppUser(BaseModel):
    username = TextField(primary_key=True)
    full_name = TextField()
    role = TextField()
    password_hash = TextField()
    active = IntegerField(default=1)
    created_at = TextField()


class Node(BaseModel):
    id = IntegerField(primary_key=True)
    node_id = TextField()
    epoch = IntegerField()
    office = ForeignKeyField(Unit, column_name="office_id")
    hlc_wall = IntegerField(default=0)
    hlc_counter = IntegerField(default=0)
    private_key = BlobField(null=True)
    public_key = BlobField(null=True)
    certificate = TextField(null=True)
    province_key = BlobField(null=True)
    created_at = TextField()


class Change(BaseModel):
    id = IntegerField(primary_key=True)
    origin = TextField()
    epoch = IntegerField()
    seq = IntegerField()
    entity = TextField()
    entity_key = TextField()
    scope_unit = TextField()
    period = TextField(null=True)
    state = TextField(null=True)
    base_version = TextField(null=True)
    hlc = IntegerField()
    schema_version = IntegerField()
    user = TextField()


class PeerCursor(BaseModel):
    origin = TextField()
    epoch = IntegerField()
    seq = IntegerField()

    class Meta:
        primary_key = CompositeKey("origin", "epoch")


class Conflict(BaseModel):
    id = IntegerField(primary_key=True)
    entity = TextField()
    entity_key = TextField()
    local_version = TextField(null=True)
    remote_version = TextField()
    local_state = TextField(null=True)
    remote_state = TextField(null=True)
    winner = TextField()
    status = TextField(default="open")
    created_at = TextField()
    resolved_by = TextField(null=True)
    resolution_version = TextField(null=True)


class Audit(BaseModel):
    id = IntegerField(primary_key=True)
    at = TextField()
    user = TextField()
    action = TextField()
    entity = TextField()
    entity_key = TextField()
    old = TextField(null=True)
    new = TextField(null=True)
    change = ForeignKeyField(Change, null=True, column_name="change_id")


class Setting(BaseModel):
    key = TextField(primary_key=True)
    value = TextField()


class EpochHistory(BaseModel):
    epoch = IntegerField(primary_key=True)
    started_at = TextField()
    reason = TextField()


class SyncNode(BaseModel):
    node_id = TextField(primary_key=True)
    office_id = TextField()
    level = IntegerField()
    public_key = BlobField()
    serial = IntegerField()
    certificate = TextField()
    first_seen = TextField()


class SyncSegment(BaseModel):
    origin = TextField()
    epoch = IntegerField()
    seq_from = IntegerField()
    seq_to = IntegerField()
    header = TextField()
    body = BlobField()
    received_at = TextField()

    class Meta:
        primary_key = CompositeKey("origin", "epoch", "seq_from", "seq_to")


class SyncBacklog(BaseModel):
    origin = TextField()
    epoch = IntegerField()
    seq = IntegerField()
    change = TextField()
    signer = TextField()
    received_at = TextField()

    class Meta:
        primary_key = CompositeKey("origin", "epoch", "seq")


class SyncQuarantine(BaseModel):
    id = IntegerField(primary_key=True)
    origin = TextField()
    epoch = IntegerField()
    seq = IntegerField()
    entity = TextField()
    entity_key = TextField()
    scope_unit = TextField()
    period = TextField(null=True)
    reason = TextField()
    signer = TextField()
    received_from = TextField()
    received_at = TextField()
    reported = IntegerField(default=0)


class SyncRejection(BaseModel):
    origin = TextField()
    epoch = IntegerField()
    seq = IntegerField()
    reason = TextField()
    reported_by = TextField()
    received_at = TextField()

    class Meta:
        primary_key = CompositeKey("origin", "epoch", "seq")


class SyncPeer(BaseModel):
    node_id = TextField(primary_key=True)
    office_id = TextField()
    level = IntegerField()
    vector = TextField()
    bundle_id = TextField()
    received_at = TextField()


class SyncBundle(BaseModel):
    bundle_id = TextField()
    direction = TextField()
    peer = TextField(null=True)
    at = TextField()
    summary = TextField()

    class Meta:
        primary_key = CompositeKey("bundle_id", "direction")


class SyncEvent(BaseModel):
    id = IntegerField(primary_key=True)
    at = TextField()
    kind = TextField()
    node_id = TextField()
    detail = TextField()
    seen = IntegerField(default=0)


class IssuedCertificate(BaseModel):
    serial = IntegerField(primary_key=True)
    node_id = TextField()
    office_id = TextField()
    certificate = TextField()
    issued_at = TextField()
    revoked_at = TextField(null=True)


class CatalogueArchive(BaseModel):
    """Local: a snapshot of every catalogue version this database has held (m0010)."""

    version = TextField(primary_key=True)
    indicators = TextField()
    dimensions = TextField()
    derived = TextField()
    archived_at = TextField()
    source = TextField()


class Revocation(BaseModel):
    serial = IntegerField(primary_key=True)
    revoked_at = TextField()
    reason = TextField(default="")
    # the province's position at revoking, [[epoch, seq], ...]; NULL: none (position 0)
    held = TextField(null=True)


class AreaDecision(BaseModel):
    id = TextField(primary_key=True)
    title = TextField(default="")
    signed = TextField(default="")
    valid_from = IntegerField()
    valid_to = IntegerField(null=True)
    removed = IntegerField(default=0)

    class Meta:
        table_name = "area_decision"


class AreaMember(BaseModel):
    decision_id = TextField()
    kind = TextField()
    place_id = TextField()
    removed = IntegerField(default=0)

    class Meta:
        table_name = "area_member"
        primary_key = CompositeKey("decision_id", "kind", "place_id")


class CoverageHole(BaseModel):
    id = TextField(primary_key=True)
    commune_id = TextField()
    village_id = TextField()
    lack = TextField()
    since = TextField()
    site_id = TextField(null=True)
    operator = TextField(default="")
    target_year = IntegerField(null=True)
    funding = TextField(default="")
    status = TextField()
    closed_period = TextField(null=True)
    notes = TextField(default="")
    removed = IntegerField(default=0)

    class Meta:
        table_name = "coverage_hole"


class UnitBoundary(BaseModel):
    unit_id = TextField(primary_key=True)
    geometry = TextField()
    removed = IntegerField(default=0)

    class Meta:
        table_name = "unit_boundary"


ALL_MODELS: tuple[type[BaseModel], ...] = (
    Meta,
    Unit,
    UnitSource,
    VillageMapping,
    VillageOrigin,
    Indicator,
    DimensionMember,
    DerivedIndicator,
    Period,
    Village,
    DataValue,
    Site,
    Target,
    Submission,
    CatalogueArchive,
    AppUser,
    Node,
    Change,
    PeerCursor,
    Conflict,
    Audit,
    Setting,
    EpochHistory,
    SyncNode,
    SyncSegment,
    SyncBacklog,
    SyncQuarantine,
    SyncRejection,
    SyncPeer,
    SyncBundle,
    SyncEvent,
    IssuedCertificate,
    Revocation,
    AreaDecision,
    AreaMember,
    CoverageHole,
    UnitBoundary,
)
