"""The C build cache (autograd.cbuild): bounded, least recently used first, only its own files.

Every test points ``XDG_CACHE_HOME`` at its own temporary folder and sets a tiny bound
in bytes. The order of use is set with file times (no waiting): a build in the past
is a file time in the past. The C is one-line functions (a build takes about 0.05 s),
called through ctypes to see that a kept library is whole. Skipped, with the reason,
where there is no C compiler (the bound's parsing is checked without one).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import autograd.cbuild
from autograd import Value, trace
from autograd.cbuild import CFunction, build, cache_limit, cache_size, clear_cache

needs_cc = pytest.mark.skipif(
    shutil.which(os.environ.get("CC", "").strip() or "cc") is None,
    reason="no C compiler (cc): install gcc or clang to test compiling to C",
)

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = "CHAINRULE_C_CACHE_LIMIT"


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The cache folder of a test's own, empty, with the default bound."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(VARIABLE, raising=False)
    return tmp_path / "xdg" / "chainrule" / "c"


def source(name: str) -> str:
    """A C function ``cr_<name>`` that returns the length of the name."""
    return f"double cr_{name}(void) {{ return {len(name)}.0; }}\n"


def call(library: Path, name: str) -> float:
    function = getattr(ctypes.CDLL(str(library)), f"cr_{name}")
    function.restype = ctypes.c_double
    return float(function())


def files_of(library: Path) -> list[Path]:
    return [library, library.with_suffix(".c")]


def size_of(library: Path) -> int:
    return sum(f.stat().st_size for f in files_of(library))


def used(library: Path, seconds_ago: float) -> None:
    """As if the library was last built or used ``seconds_ago``."""
    then = time.time() - seconds_ago
    for file in files_of(library):
        os.utime(file, (then, then))


def kept(folder: Path) -> set[str]:
    """The names of the cache's libraries: their file name without the suffix."""
    return {p.stem for p in folder.iterdir() if p.suffix == ".so"}


@pytest.mark.parametrize(
    ("given", "limit"),
    [
        ("", 200_000_000),
        ("  ", 200_000_000),
        ("0", 0),
        ("12345", 12_345),
        ("64k", 64_000),
        ("64KB", 64_000),
        (" 200M ", 200_000_000),
        ("200 mb", 200_000_000),
        ("1.5G", 1_500_000_000),
        ("2.", 2),
    ],
)
def test_the_bound_reads_bytes_with_k_m_g(
    monkeypatch: pytest.MonkeyPatch, given: str, limit: int
) -> None:
    monkeypatch.setenv(VARIABLE, given)
    assert cache_limit() == limit


def test_without_the_variable_the_bound_is_200_mb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    assert cache_limit() == 200 * 10**6


@pytest.mark.parametrize("given", ["lots", "-5", "1e9", "10 TB", "5 G B", "M", ".5G", "0x10"])
def test_a_bad_bound_says_what_it_got_and_what_would_do(
    monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.setenv(VARIABLE, given)
    with pytest.raises(ValueError, match=f"^{VARIABLE} must be a size in bytes") as info:
        cache_limit()
    assert "such as 200M, 1.5G or 50000000" in str(info.value)
    assert str(info.value).endswith(f"got {given!r}")


@needs_cc
def test_a_bad_bound_is_raised_before_the_cache_changes(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(VARIABLE, "lots")
    with pytest.raises(ValueError, match="got 'lots'"):
        build(source("first"))
    assert not folder.exists()  # not even the folder was made
    monkeypatch.setenv(VARIABLE, "0")
    library, _, _ = build(source("old"))
    used(library, 100)
    before = {p: p.stat().st_mtime for p in folder.iterdir()}
    monkeypatch.setenv(VARIABLE, "1 byte")
    for name in ("new", "old"):  # a build, then a hit: neither changes anything
        with pytest.raises(ValueError, match="got '1 byte'"):
            build(source(name))
        assert {p: p.stat().st_mtime for p in folder.iterdir()} == before


@needs_cc
def test_the_least_recently_used_go_first_and_a_hit_is_a_use(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, c = (build(source(name))[0] for name in ("aa", "bbb", "cccc"))
    used(a, 300)
    used(b, 200)
    used(c, 100)
    biggest = max(size_of(lib) for lib in (a, b, c))
    monkeypatch.setenv(VARIABLE, str(int(3.5 * biggest)))  # three libraries fit, not four
    again, cached, seconds = build(source("aa"))  # a, the oldest, used again
    assert (again, cached, seconds) == (a, True, 0.0)
    assert a.stat().st_mtime > time.time() - 60
    d = build(source("ddddd"))[0]
    assert kept(folder) == {a.stem, c.stem, d.stem}  # b went: the least recently used
    assert not b.with_suffix(".c").exists()  # with its source
    e = build(source("eeeeee"))[0]
    assert kept(folder) == {a.stem, d.stem, e.stem}  # then c
    assert [call(lib, n) for lib, n in [(a, "aa"), (d, "ddddd"), (e, "eeeeee")]] == [2, 5, 6]
    assert cache_size() == sum(size_of(lib) for lib in (a, d, e)) <= cache_limit()


@needs_cc
def test_the_library_just_built_stays_even_alone_over_the_bound(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(VARIABLE, "0")
    first = build(source("first"))[0]
    assert kept(folder) == {first.stem}
    second = build(source("second"))[0]
    assert kept(folder) == {second.stem}
    assert sorted(p.name for p in folder.iterdir()) == [f"{second.stem}.c", second.name]
    assert call(second, "second") == 6.0
    monkeypatch.setenv(VARIABLE, "1")
    f = CFunction(trace(Value(3.0, "x") * 2.0))
    assert kept(folder) == {f.path.stem}
    assert f(3.0) == (6.0, (2.0,))


@needs_cc
def test_files_that_are_not_the_caches_stay(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hex40 = "0123456789abcdef0123456789abcdef01234567"
    folder.mkdir(parents=True)
    outside = folder.parent / "elsewhere.so"
    outside.write_bytes(b"x" * 1000)
    foreign = {
        "notes.txt": b"mine",
        "mine.so": b"x" * 1000,
        f"{hex40[:39]}.so": b"x" * 1000,  # one digit short
        f"{hex40.upper()}.so": b"x" * 1000,
        f"{hex40}.so.bak": b"x" * 1000,
        f"{hex40}.h": b"x" * 1000,
    }
    for name, content in foreign.items():
        (folder / name).write_bytes(content)
    (folder / f"{hex40}.c").mkdir()  # a folder of the entries' name
    (folder / f"{hex40}.so").symlink_to(outside)  # a link of the entries' name
    working = folder / "build-a1b2c3d4"  # another process's build, being written
    working.mkdir()
    (working / "program.so").write_bytes(b"half a libr")
    dead = folder / "build-zz_99abc"  # a build whose process died two days ago
    dead.mkdir()
    (dead / "program.c").write_text("double f;")
    two_days = time.time() - 2 * 24 * 3600
    os.utime(dead, (two_days, two_days))
    old_outside = folder / "build-old"  # not a name build() makes
    old_outside.mkdir()
    os.utime(old_outside, (two_days, two_days))
    monkeypatch.setenv(VARIABLE, "0")
    for name in ("one", "two"):
        library = build(source(name))[0]
    size = size_of(library)
    assert cache_size() == size > 0
    assert clear_cache() == size
    assert cache_size() == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*foreign, f"{hex40}.c", f"{hex40}.so", working.name, old_outside.name]
    )
    for name, content in foreign.items():
        assert (folder / name).read_bytes() == content
    assert outside.read_bytes() == b"x" * 1000
    assert (working / "program.so").read_bytes() == b"half a libr"
    assert clear_cache() == 0
    assert folder.is_dir()


@needs_cc
def test_size_and_clear_count_the_libraries_and_their_sources(folder: Path) -> None:
    assert cache_size() == 0
    assert clear_cache() == 0  # no folder yet: nothing to clear
    f = CFunction(trace(Value(2.0, "x").exp()))
    g = build(source("g"))[0]
    on_disk = sum(p.stat().st_size for p in folder.iterdir())
    assert cache_size() == on_disk == size_of(f.path) + size_of(g)
    assert len(list(folder.iterdir())) == 4
    assert clear_cache() == on_disk
    assert cache_size() == 0
    assert list(folder.iterdir()) == []
    assert f(0.0) == (1.0, (1.0,))  # loaded before: keeps working
    again = CFunction(trace(Value(2.0, "x").exp()))
    assert not again.cached
    assert again.path == f.path


@needs_cc
def test_a_cache_that_cannot_be_changed_still_serves_and_builds(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = build(source("old"))[0]
    used(old, 100)
    before = old.stat().st_mtime

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "utime", refuse)  # a file of another user, a read-only mount
    monkeypatch.setattr(Path, "unlink", refuse)
    monkeypatch.setenv(VARIABLE, "0")
    assert build(source("old")) == (old, True, 0.0)  # a hit, though not marked as used
    assert old.stat().st_mtime == before
    new = build(source("new"))[0]  # over the bound, and nothing can be removed
    assert kept(folder) == {old.stem, new.stem}
    assert call(new, "new") == 3.0
    assert clear_cache() == 0
    assert cache_size() == size_of(old) + size_of(new)


@needs_cc
def test_a_library_another_process_removed_first_is_no_error(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    libraries = [build(source(name))[0] for name in ("one", "two", "three")]
    for age, library in enumerate(libraries):
        used(library, 300 - age)
    listing = autograd.cbuild._entries

    def then_another_process_prunes(where: Path) -> dict[str, autograd.cbuild._Entry]:
        seen = listing(where)
        for file in files_of(libraries[0]):
            file.unlink(missing_ok=True)  # between the listing and the removal
        return seen

    monkeypatch.setattr(autograd.cbuild, "_entries", then_another_process_prunes)
    monkeypatch.setenv(VARIABLE, str(3 * max(size_of(lib) for lib in libraries)))
    new = build(source("four"))[0]
    assert kept(folder) == {libraries[1].stem, libraries[2].stem, new.stem}  # 2 and 3 stay
    size = sum(size_of(lib) for lib in (*libraries[1:], new))
    assert clear_cache() == size


@needs_cc
def test_a_library_pruned_before_it_loads_is_built_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, built = autograd.cbuild.build, []

    def pruned_by_another_process(text: str) -> tuple[Path, bool, float]:
        path, cached, seconds = real(text)
        built.append(cached)
        if len(built) == 1:
            for file in files_of(path):
                file.unlink()
        return path, cached, seconds

    monkeypatch.setattr(autograd.cbuild, "build", pruned_by_another_process)
    f = CFunction(trace(Value(1.0, "x") * 5.0))
    assert built == [False, False]  # compiled, gone before it loaded, compiled again
    assert f(1.0) == (5.0, (5.0,))
    assert f.path.is_file()


@needs_cc
def test_processes_building_and_pruning_at_once_all_succeed(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import sys
        from autograd import Value, trace
        from autograd.cbuild import CFunction
        me = int(sys.argv[1])
        for k in [0, 1, 2, 10 + me, 20 + me]:  # three programs shared, two of its own
            x = Value(1.0, "x")
            f = CFunction(trace(x * float(k) + x.exp(), [x]))
            assert f(0.0) == (1.0, (k + 1.0,)), (k, f(0.0))
        print("ok")
    """)
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        VARIABLE: "0",  # every build prunes every library but its own
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(n)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in results]
    assert [out for out, _ in results] == ["ok\n"] * 3
    folder = tmp_path / "chainrule" / "c"
    names = sorted(p.name for p in folder.iterdir())
    assert not [n for n in names if n.startswith("build-")]  # no temporary left
    assert {Path(n).stem for n in names} == kept(folder)  # whole libraries, with sources
    assert 1 <= len(kept(folder)) <= 3  # the newest of each process, at most


def test_a_library_that_does_not_load_is_an_error_after_one_build_or_three_gone(
    folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken, calls = tmp_path / "broken.so", []
    broken.write_text("not a library")

    def there_but_broken(text: str) -> tuple[Path, bool, float]:
        calls.append(text)
        return broken, False, 0.1

    monkeypatch.setattr(autograd.cbuild, "build", there_but_broken)
    with pytest.raises(autograd.cbuild.CBuildError, match=r"broken\.so does not load: "):
        CFunction(trace(Value(1.0, "x") * 5.0))
    assert len(calls) == 1  # there, and broken: building again would not help
    calls.clear()
    broken.unlink()  # always gone before it loads
    with pytest.raises(autograd.cbuild.CBuildError, match=r"broken\.so does not load: "):
        CFunction(trace(Value(1.0, "x") * 5.0))
    assert len(calls) == 3
