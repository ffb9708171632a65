"""The provincial server (DESIGN §4 "Network", §5): FastAPI under uvicorn.

:func:`desktop_app.server.app.create_app` serves the province office database
(SQLite, :mod:`.sqlite_backend`) or a feed kept in PostgreSQL
(:mod:`.pg_backend`); ``coverage-desk serve`` or ``python -m desktop_app.server``
runs it.
"""
