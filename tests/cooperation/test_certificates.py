"""Practice certificates: an unguessable number, a QR code of the public check, and the public
check itself (genuine with its facts, nothing for a wrong number, rate-limited)."""

import re

import segno

from app.cooperation.certificates import qr_drawing
from app.cooperation.models import CERTIFICATE_ALPHABET, Practice
from app.extensions import db
from tests.cooperation import factories as f
from tests.helpers import login_en

NUMBER = re.compile(r"^GX-[%s]{4}-[%s]{4}-[%s]{4}$" % ((CERTIFICATE_ALPHABET,) * 3))


def _completed(world, days: int = 3) -> Practice:
    teacher = f.make_teacher(world.school, user=world.users["teacher"], name="王晓梅")
    return f.make_practice(
        teacher, f.make_placement(world.host), days=days, confirmed=True, status="completed"
    )


def test_numbers_have_a_random_part_and_differ(app, world):
    teacher = f.make_teacher(world.school)
    placement = f.make_placement(world.host, seats=10)
    numbers = [f.make_practice(teacher, placement).certificate_no for _ in range(5)]
    assert all(NUMBER.match(n) for n in numbers), numbers
    assert len(set(numbers)) == 5
    # nothing of the row id shows in the number
    ids = {str(p.id) for p in db.session.query(Practice)}
    assert not any(n.endswith(i.zfill(4)) for n in numbers for i in ids)


def test_public_check_shows_the_facts_without_login(client, world):
    practice = _completed(world)
    response = client.get(f"/verify/{practice.certificate_no}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="certificate-genuine"' in html
    assert "王晓梅" in html and world.school.name in html
    assert world.host.enterprise.name in html
    assert practice.started_on.isoformat() in html and practice.ended_on.isoformat() in html
    facts = html[html.index('id="certificate-facts"') :]
    assert re.search(r"<dd[^>]*>3</dd>", facts)
    # the lower-case spelling of the number is accepted too
    assert client.get(f"/verify/{practice.certificate_no.lower()}").status_code == 200


def test_wrong_or_unfinished_numbers_show_nothing(client, world):
    practice = _completed(world)
    ongoing = f.make_practice(f.make_teacher(world.school), f.make_placement(world.host), days=2)
    wrong = practice.certificate_no[:-1] + ("A" if practice.certificate_no[-1] != "A" else "B")
    old_style = f"GX-P{practice.id:06d}"
    for number in (wrong, old_style, ongoing.certificate_no, "x" * 500, "%00"):
        response = client.get(f"/verify/{number}")
        assert response.status_code == 404, number
        html = response.get_data(as_text=True)
        assert 'id="certificate-unknown"' in html
        assert "王晓梅" not in html and world.school.name not in html


def test_public_check_is_rate_limited(client, world, app):
    practice = _completed(world)
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [client.get(f"/verify/{practice.certificate_no}").status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        assert client.get("/verify/GX-AAAA-AAAA-AAAA").status_code == 429
    finally:
        app.config["VERIFY_RATE_LIMIT"] = "30 per minute"


def test_certificate_carries_number_and_qr_code_of_the_check(client, world):
    practice = _completed(world)
    login_en(client, world.users["teacher"])
    html = client.get(f"/cooperation/practices/{practice.id}/certificate").get_data(as_text=True)
    url = f"http://localhost/verify/{practice.certificate_no}"
    assert practice.certificate_no in html and url in html
    drawing = qr_drawing(url)
    assert f'd="{drawing.path}"' in html
    # the drawing holds exactly the dark modules of the QR code of that address
    code = segno.make(url, error="m", micro=False, boost_error=False)
    dark = sum(sum(1 for v in row if v) for row in code.matrix)
    assert drawing.path.count("h1v1h-1z") == dark > 0
    assert f"GX-P{practice.id:06d}" not in html  # the old sequential number is gone
