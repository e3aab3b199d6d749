"""The app compiles its translation catalogues when they are missing or stale."""

import shutil

from app.i18n import compile_catalogues


def test_missing_catalogue_is_compiled_and_fresh_one_left_alone(tmp_path):
    source = "app/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
    folder = tmp_path / "zh_Hans_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(source, folder / "messages.po")
    done = compile_catalogues(str(tmp_path))
    assert done == [str(folder / "messages.mo")]
    from babel.support import Translations

    translations = Translations.load(str(tmp_path), ["zh_Hans_CN"])
    assert translations.gettext("Password") == "密码"
    assert compile_catalogues(str(tmp_path)) == []
