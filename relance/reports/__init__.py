"""Client reports: coverage and effort told with figures and charts.

`relance.reports.charts` draws the charts as SVG strings on the server, so
the same markup is inlined in the report page and rendered by WeasyPrint
into the PDF (no JavaScript, nothing fetched).
"""
