"""A small report document written both as Markdown and as one self-contained HTML file.

The report is a list of blocks (headings, paragraphs, tables, pictures). The Markdown version
links the pictures beside it; the HTML version embeds them (base64), so it can be mailed or
opened anywhere as one file.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

_MIME = {".png": "image/png", ".gif": "image/gif", ".svg": "image/svg+xml"}
_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.7em; text-align: left; }
th { background: #eee; }
figure { margin: 1em 0; }
figure img { max-width: 100%; }
figcaption { color: #555; font-size: 0.9em; }
code { background: #f3f3f3; padding: 0 0.2em; }
"""


def _inline_html(text):
    """Markdown's ``code`` and **bold** in HTML; everything else escaped."""
    text = html.escape(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)


class Report:
    """Blocks of a report, rendered by :meth:`write_markdown` and :meth:`write_html`.

    Parameters
    ----------
    title : str
    folder : path-like
        Where the report and its pictures live; pictures are named relative to it.
    """

    def __init__(self, title, folder):
        self.title = title
        self.folder = Path(folder)
        self.blocks = []

    def heading(self, text, level=2):
        self.blocks.append(("heading", level, text))

    def paragraph(self, text):
        self.blocks.append(("paragraph", text))

    def bullets(self, items):
        self.blocks.append(("bullets", list(items)))

    def table(self, header, rows):
        self.blocks.append(("table", list(header), [list(map(str, row)) for row in rows]))

    def link(self, name, text):
        """A link to a file saved as ``folder / name``, e.g. an interactive page."""
        self.blocks.append(("link", name, text))

    def picture(self, name, caption):
        """A picture already saved as ``folder / name``."""
        self.blocks.append(("picture", name, caption))

    def write_markdown(self, path):
        lines = [f"# {self.title}", ""]
        for kind, *content in self.blocks:
            if kind == "heading":
                level, text = content
                lines += ["#" * level + " " + text, ""]
            elif kind == "paragraph":
                lines += [content[0], ""]
            elif kind == "bullets":
                lines += [f"- {item}" for item in content[0]] + [""]
            elif kind == "table":
                header, rows = content
                lines.append("| " + " | ".join(header) + " |")
                lines.append("|" + "---|" * len(header))
                lines += ["| " + " | ".join(row) + " |" for row in rows]
                lines.append("")
            elif kind == "link":
                name, text = content
                lines += [f"[{text}]({name})", ""]
            else:
                name, caption = content
                lines += [f"![{caption}]({name})", "", f"*{caption}*", ""]
        Path(path).write_text("\n".join(lines), encoding="utf-8")
        return Path(path)

    def write_html(self, path):
        body = [f"<h1>{html.escape(self.title)}</h1>"]
        for kind, *content in self.blocks:
            if kind == "heading":
                level, text = content
                body.append(f"<h{level}>{_inline_html(text)}</h{level}>")
            elif kind == "paragraph":
                body.append(f"<p>{_inline_html(content[0])}</p>")
            elif kind == "bullets":
                items = "".join(f"<li>{_inline_html(item)}</li>" for item in content[0])
                body.append(f"<ul>{items}</ul>")
            elif kind == "table":
                header, rows = content
                cells = "".join(f"<th>{_inline_html(cell)}</th>" for cell in header)
                lines = [f"<tr>{cells}</tr>"]
                for row in rows:
                    lines.append("<tr>" + "".join(f"<td>{_inline_html(c)}</td>" for c in row))
                body.append("<table>" + "".join(lines) + "</table>")
            elif kind == "link":
                name, text = content
                body.append(f'<p><a href="{html.escape(name)}">{_inline_html(text)}</a></p>')
            else:
                name, caption = content
                picture = self.folder / name
                data = base64.b64encode(picture.read_bytes()).decode("ascii")
                mime = _MIME.get(picture.suffix.lower(), "application/octet-stream")
                body.append(
                    f'<figure><img src="data:{mime};base64,{data}" alt="{html.escape(caption)}">'
                    f"<figcaption>{_inline_html(caption)}</figcaption></figure>"
                )
        document = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style></head>\n<body>\n"
            + "\n".join(body)
            + "\n</body></html>\n"
        )
        Path(path).write_text(document, encoding="utf-8")
        return Path(path)
