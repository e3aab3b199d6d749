"""Form payloads shared by the registry view tests."""

from tests.helpers import HOHHOT


def enterprise_form(**overrides) -> dict:
    """A valid enterprise profile form."""
    data = {
        "name": "赛罕精密机械有限公司",
        "uscc": "91350200776049653A",
        "industry": "C",
        "region_code": HOHHOT,
        "address": "赛罕区工业路8号",
        "contact_name": "王经理",
        "contact_phone": "13912345678",
        "size_band": "medium",
        "description": "数控加工",
        "accept_privacy": "y",
    }
    data.update(overrides)
    return data


def school_form(**overrides) -> dict:
    """A valid school profile form."""
    data = {
        "name": "新城技工学校",
        "kind": "technical_school",
        "uscc": "",
        "region_code": HOHHOT,
        "address": "新城区学府路2号",
        "contact_name": "赵老师",
        "contact_phone": "0471-6661234",
        "description": "",
        "accept_privacy": "y",
    }
    data.update(overrides)
    return data


def host_form(kind: str = "workshop", **overrides) -> dict:
    """A valid host form of the given kind."""
    data = {
        "kind": kind,
        "name": "数控车间",
        "occupation_codes": ["6-18-01-01"],
        "capacity": "6",
        "region_code": HOHHOT,
        "description": "",
        "teacher_capacity": "",
        "equipment": "",
        "partner_school_id": "0",
        "master_name": "",
        "honour": "",
        "level": "",
    }
    data.update(overrides)
    return data
