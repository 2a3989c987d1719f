"""Renderers of the result model. Each takes the parsed JSON document and nothing else."""

from compliance.render.csv_table import render_csv
from compliance.render.html_page import render_html
from compliance.render.markdown import render_markdown
from compliance.render.terminal import render_summary

RENDERERS = {
    ".md": render_markdown,
    ".html": render_html,
    ".csv": render_csv,
}

__all__ = ["RENDERERS", "render_csv", "render_html", "render_markdown", "render_summary"]
