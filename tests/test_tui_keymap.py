"""Keymaps name bindings by id; a renamed id still works under its old name, with a note."""

import pytest

from plumbing.errors import InputError
from tui.keymap import RENAMED, binding_ids, load_keymap


def test_the_old_export_id_rebinds_the_export_key_with_a_deprecation_note(tmp_path, capsys):
    keys = tmp_path / "keys.toml"
    keys.write_text('"hub.export" = "x"\n"run.start" = "f6"\n', encoding="utf-8")
    assert load_keymap(keys) == {"hub.serving.export": "x", "run.start": "f6"}
    note = capsys.readouterr().err
    assert f"{keys}: hub.export: deprecated binding id, now hub.serving.export" in note


def test_every_alias_leads_to_a_binding_and_old_and_new_together_are_refused(tmp_path):
    known = binding_ids()
    assert all(new in known and old not in known for old, new in RENAMED.items())
    keys = tmp_path / "keys.toml"
    keys.write_text('"hub.export" = "x"\n"hub.serving.export" = "y"\n', encoding="utf-8")
    with pytest.raises(InputError, match="hub.export: the old name of hub.serving.export"):
        load_keymap(keys)
