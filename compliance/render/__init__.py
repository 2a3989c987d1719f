"""Renderers of the result model. Each takes the parsed JSON document and nothing else (SARIF may also
take where each construct was created in the source, see compliance.sources)."""

from compliance.render.asset_register import render_asset_register
from compliance.render.csv_table import render_csv
from compliance.render.html_page import render_html
from compliance.render.junit import render_junit
from compliance.render.markdown import render_markdown
from compliance.render.sarif import render_sarif
from compliance.render.terminal import render_summary

RENDERERS = {
    ".md": render_markdown,
    ".html": render_html,
    ".csv": render_csv,
}

__all__ = ["RENDERERS", "render_asset_register", "render_csv", "render_html", "render_junit", "render_markdown",
           "render_sarif", "render_summary"]
