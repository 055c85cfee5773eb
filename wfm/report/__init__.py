"""The planning report: one self-contained HTML page with inline SVG charts."""

from wfm.report.build import SECTIONS, build_report, headline_figures

__all__ = ["SECTIONS", "build_report", "headline_figures"]
