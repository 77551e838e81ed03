"""Words printed on a sheet, Vietnamese first. Kept here (not in web/i18n) so a sheet renders without the web;
layer, kind, state and status names come from the web catalogue (see ``symbology.word``)."""

from __future__ import annotations

LANGS = ("vi", "en")

STRINGS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Bản đồ kế hoạch công nghiệp hóa {unit}",
        "title_province": "Bản đồ kế hoạch công nghiệp hóa tỉnh Kiên Giang",
        "plan_ref": "{titles}",
        "subtitle": "Căn cứ: {numbers}",
        "documents": "kế hoạch năm {years} của {issuer}",
        "blank": "số hiệu để trống trong văn bản",
        "number": "số",
        "former": "Ranh giới huyện cũ (trước 01/7/2025).",
        "scale": "Tỉ lệ 1:{n}",
        "crs": "Lưới tọa độ VN-2000 / TM-3 104°30' (EPSG:9207), đơn vị m",
        "scalebar_note": "Thước tỉ lệ tính trong EPSG:9207",
        "north": "B",
        "legend": "Chú giải",
        "locator": "Vị trí trong tỉnh",
        "data_date": "Dữ liệu ngày {date} (phiên bản {version}); in ngày {today}.",
        "source": "Nguồn: ranh giới {boundaries}; dự án, nhiệm vụ theo các kế hoạch nêu trên.",
        "precision": "Vị trí mang tính chỉ dẫn (indicative); điểm sơ đồ (schematic) đặt tại điểm đại diện "
        "của huyện khi chưa biết vị trí; tuyến là sơ đồ qua các địa danh đã biết.",
        "subject": "Huyện đang xét",
        "subject_province": "Tỉnh Kiên Giang",
        "other_district": "Huyện khác (trước 01/7/2025)",
        "neighbour": "Tỉnh lân cận",
        "raw_material": "Vùng nguyên liệu",
        "town": "Thị trấn, trung tâm",
        "schematic": "Vị trí sơ đồ (chưa rõ)",
        "area": "vùng",
        "progress": "Tiến độ",
        "line": "tuyến",
        "point": "điểm",
        "stats_title": "Số liệu {unit}",
        "tasks_title": "Nhiệm vụ liên quan ({count})",
        "task_counts": "Nhiệm vụ: {direct} giao trực tiếp cho huyện, {via} qua dự án trên địa bàn; {linked} liên quan",
        "tasks_more": "Nhiệm vụ liên quan (tiếp)",
        "col_layer": "Lớp",
        "col_count": "Số đối tượng",
        "col_ha": "Diện tích trong ranh giới (ha, EPSG:9207)",
        "col_name": "Tên",
        "col_area": "Diện tích quy hoạch (ha)",
        "col_occ": "Lấp đầy (%)",
        "col_status": "Tình trạng",
        "col_task": "Mã",
        "col_text": "Nội dung",
        "col_lead": "Cơ quan chủ trì",
        "col_deadline": "Thời hạn",
        "col_progress": "Trạng thái",
        "col_pct": "%",
        "district_area": "Diện tích tự nhiên: {ha} ha (EPSG:9207)",
        "raw_yes": "Vùng nguyên liệu: có ({source})",
        "raw_no": "Vùng nguyên liệu: không",
        "parks": "Khu, cụm công nghiệp",
        "none": "Không có",
        "page": "Trang {n}/{total}",
        "not_reported": "chưa báo cáo",
        "not_started": "chưa bắt đầu",
        "in_progress": "đang thực hiện",
        "done": "hoàn thành",
        "cancelled": "hủy",
        "overdue": "quá hạn",
        "planned": "quy hoạch",
        "under_construction": "đang xây dựng",
        "operating": "đang hoạt động",
        "proposed": "đề xuất",
        "unknown": "chưa rõ",
    },
    "en": {
        "title": "Industrialisation plan map — {unit}",
        "title_province": "Industrialisation plan map — Kiên Giang province",
        "plan_ref": "{titles}",
        "subtitle": "Plan documents: {numbers}",
        "documents": "plans of {years} by {issuer}",
        "blank": "numbers left blank in the documents",
        "number": "no.",
        "former": "Former district boundaries (before 1/7/2025).",
        "scale": "Scale 1:{n}",
        "crs": "Grid: VN-2000 / TM-3 104°30' (EPSG:9207), metres",
        "scalebar_note": "Scale bar computed in EPSG:9207",
        "north": "N",
        "legend": "Legend",
        "locator": "Location in the province",
        "data_date": "Data of {date} (version {version}); printed {today}.",
        "source": "Sources: boundaries {boundaries}; projects and tasks from the plans above.",
        "precision": "Locations are indicative; schematic points sit at the district's representative point "
        "where the location is not known; routes are schematic through known places.",
        "subject": "This district",
        "subject_province": "Kiên Giang province",
        "other_district": "Other former districts",
        "neighbour": "Neighbouring provinces",
        "raw_material": "Raw-material area",
        "town": "Town, centre",
        "schematic": "Schematic location (not known)",
        "area": "area",
        "progress": "Progress",
        "line": "route",
        "point": "point",
        "stats_title": "Statistics — {unit}",
        "tasks_title": "Linked tasks ({count})",
        "task_counts": "Tasks: {direct} naming the district, {via} through projects in it; {linked} linked",
        "tasks_more": "Linked tasks (continued)",
        "col_layer": "Layer",
        "col_count": "Features",
        "col_ha": "Area inside the boundary (ha, EPSG:9207)",
        "col_name": "Name",
        "col_area": "Planned area (ha)",
        "col_occ": "Occupancy (%)",
        "col_status": "Status",
        "col_task": "Id",
        "col_text": "Task",
        "col_lead": "Lead agency",
        "col_deadline": "Deadline",
        "col_progress": "Status",
        "col_pct": "%",
        "district_area": "Land area: {ha} ha (EPSG:9207)",
        "raw_yes": "Raw-material area: yes ({source})",
        "raw_no": "Raw-material area: no",
        "parks": "Industrial parks and clusters",
        "none": "None",
        "page": "Page {n}/{total}",
        "not_reported": "not reported",
        "not_started": "not started",
        "in_progress": "in progress",
        "done": "done",
        "cancelled": "cancelled",
        "overdue": "overdue",
        "planned": "planned",
        "under_construction": "under construction",
        "operating": "operating",
        "proposed": "proposed",
        "unknown": "unknown",
    },
}
UNIT_TYPES_EN = {"Huyện": "District", "Thành phố": "City", "Thị xã": "Town"}


def t(lang: str, key: str, **values) -> str:
    """The ``lang`` text of ``key`` with ``values`` filled in."""
    return STRINGS[lang][key].format(**values)


def unit_name(lang: str, name: str, short: str, type_: str) -> str:
    """ "Huyện Gò Quao" -> "huyện Gò Quao" (vi) or "Gò Quao District (former)" (en)."""
    if lang == "vi":
        return f"{type_.lower()} {short}" if name.startswith(type_) else name
    return f"{short} {UNIT_TYPES_EN.get(type_, type_)} (former)"


def number(lang: str, value: float, digits: int = 0) -> str:
    """Thousands grouped the way each language writes them: 100.000 (vi), 100,000 (en)."""
    text = f"{value:,.{digits}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "vi" else text
