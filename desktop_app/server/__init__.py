"""The provincial server (DESIGN §4 "Network", §5): FastAPI under uvicorn.

:func:`desktop_app.server.app.create_app` serves the province office database
(SQLite, :mod:`.sqlite_backend`: its tables :mod:`.sqlite_feed`, the writer
:mod:`.sqlite_writer`, the apply :mod:`.sqlite_apply`, what goes into the feed
besides pushes :mod:`.sqlite_publish`) or a feed kept in PostgreSQL
(:mod:`.pg_backend`, its failures as answered :mod:`.pg_errors`); ``coverage-desk
serve`` or ``python -m desktop_app.server`` runs it.
"""
