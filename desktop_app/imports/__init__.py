"""Bringing data in: the data-entry template and the importers.

- :func:`desktop_app.imports.template.write_template`: a commune's period as a workbook;
- :func:`desktop_app.imports.values_import.plan_values_import`: a filled template back,
  through the checks typing makes, applied with :meth:`ValuesPlan.apply`.

Importers never write tables themselves: every write goes through a store repository.
"""
