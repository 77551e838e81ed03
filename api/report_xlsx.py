"""The provincial progress report as XLSX: one sheet, a title row per plan, then section … note."""

from __future__ import annotations

import io

from layers.reporting_periods import EXPORT_COLUMNS

WIDTHS = (10, 80, 30, 16, 14, 10, 40)


def workbook_bytes(groups: list[tuple[str, list[list]]]) -> bytes:
    from openpyxl import Workbook  # loaded on the first export, not by every server worker
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Tiến độ"
    ws.append(list(EXPORT_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for title, rows in groups:
        ws.append([title])
        ws.cell(ws.max_row, 1).font = Font(bold=True, italic=True)
        for row in rows:
            ws.append(row)
            ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
