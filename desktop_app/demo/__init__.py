"""The demo office: a realistic, deterministic database to show and benchmark the app.

``build_demo(path, office_id, seed)`` creates it; see :mod:`desktop_app.demo.generator`
for what it holds, the demo accounts and the anomalies it keeps on purpose.
"""

from desktop_app.demo.generator import DEMO_USERS, DemoSummary, build_demo

__all__ = ["DEMO_USERS", "DemoSummary", "build_demo"]
