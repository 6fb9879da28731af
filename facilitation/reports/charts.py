"""Charts as SVG strings (pygal), readable on screen and in WeasyPrint PDFs.

No JavaScript and no external resources: mines run on intranets and PDFs must be
self-contained, so pygal's tooltips script is switched off.
"""
import re

import pygal
from flask_babel import gettext as _
from pygal.style import Style

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"
STYLE = Style(background="white", plot_background="white", foreground="#333", foreground_strong="#111",
              foreground_subtle="#ddd", colors=("#b91c1c", "#1d4ed8", "#15803d", "#b45309", "#6d28d9", "#0e7490"),
              font_family=FONT, label_font_family=FONT, major_label_font_family=FONT, value_font_family=FONT,
              value_label_font_family=FONT, title_font_family=FONT, legend_font_family=FONT,
              tooltip_font_family=FONT, label_font_size=13, major_label_font_size=13, legend_font_size=13,
              title_font_size=15, value_font_size=12)
COMMON = dict(style=STYLE, js=[], disable_xml_declaration=True, explicit_size=True, print_values=True,
              show_y_guides=True, margin=12, legend_at_bottom=True)


def _options():
    """The shared options, with the empty chart's text in the reader's language (pygal: "No data")."""
    return dict(COMMON, no_data_text=_("暂无数据"))


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _render(chart):
    # pygal always embeds a config <script> (it repeats labels as JSON): drop it, the chart is static.
    # Its hidden tooltip uses a style attribute, which the pages' CSP would refuse: an SVG attribute
    # does the same.
    return _SCRIPT.sub("", chart.render(is_unicode=True)).replace('style="opacity: 0"', 'opacity="0"')


def with_style_nonce(svg, nonce):
    """A chart for a web page: its <style> element carries the response's CSP nonce."""
    return svg.replace("<style", f'<style nonce="{nonce}"')


def _count_axis(values):
    """Whole-number ticks: counts of meetings or slips are never 0.5."""
    top = max([v for v in values if v is not None] + [1])
    step = max(1, -(-top // 5))
    return list(range(0, top + step, step))


def bar_chart(title, labels, series, width=640, height=300):
    """series: [(name, [values…])] aligned with labels."""
    chart = pygal.Bar(width=width, height=height, title=title, x_label_rotation=0,
                      y_labels=_count_axis([v for _name, values in series for v in values]), **_options())
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    if len(series) == 1:
        chart.show_legend = False
    return _render(chart)


def horizontal_bar_chart(title, pairs, width=640, height=300):
    chart = pygal.HorizontalBar(width=width, height=height, title=title, show_legend=False,
                                y_labels=_count_axis([value for _label, value in pairs]), **_options())
    chart.x_labels = [label for label, _value in pairs]
    chart.add("", [value for _label, value in pairs])
    return _render(chart)


def pie_chart(title, pairs, width=420, height=300):
    chart = pygal.Pie(width=width, height=height, title=title, inner_radius=0.45, **_options())
    for label, value in pairs:
        if value:
            chart.add(label, value)
    return _render(chart)
