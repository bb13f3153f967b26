"""The assets folder: what is missing, and nothing fetched when all is there."""

import json

from dashboard import assets


def test_an_empty_folder_misses_every_package(tmp_path):
    assert assets.missing(tmp_path) == list(assets.PACKAGES)


def test_a_full_folder_fetches_nothing(tmp_path, monkeypatch):
    for spec in assets.PACKAGES:
        (tmp_path / spec).mkdir(parents=True)
        (tmp_path / spec / "package.json").write_text(json.dumps({"name": spec}))
    monkeypatch.setenv("PATH", "")  # no npm: it must not be needed
    assert assets.ensure(tmp_path) == []
    assert assets.main([str(tmp_path)]) == 0


def test_the_folder_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(assets.ENV_VAR, str(tmp_path))
    assert assets.cache_dir() == tmp_path


def test_missing_packages_without_npm_are_one_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", "")
    assert assets.main([str(tmp_path)]) == 1
    assert "npm not found" in capsys.readouterr().err
