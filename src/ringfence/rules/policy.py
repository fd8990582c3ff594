"""Built-in tool-policy rules, as data.

Each rule has up to three patterns:
  command     matched against every de-obfuscated view of a shell command
              (exec-type tools, and `command`/`script` arguments of any tool);
  read_path   matched against normalised paths a tool reads;
  write_path  matched against normalised paths a tool writes.
Views and paths are lower-cased; paths under a home directory are shown as
`~/...`. Patterns are written from the documented syntax of each command.
"""
from __future__ import annotations

from dataclasses import dataclass

from .sensitive_files import CREDENTIAL_COMMAND, CREDENTIAL_DIR, SECRET_PATH

# A command word: not part of a longer word or path component before it.
W = r"(?<![\w.-])"
# Rest of the same simple command (stops at ; & | and newlines).
SEG = r"[^;&|\n]"
# A dangerous target: absolute path, home, glob, parent dir.
DANGER_TARGET = r"(?:/|~|\*|\.\.(?:/|\s|$))"

# Credential files, from the catalogue (rules/sensitive_files.py): `.pub` keys,
# known_hosts, ssh config and example env files are fine; a path right after `(` or `\`
# is a regex in sed or grep (`/^(.env)/`, `\.env`), not the file.
CRED_PATH = r"(?<![\\(])" + SECRET_PATH
READERS = (r"(?:cat|tac|less|more|head|tail|cp|mv|scp|rsync|base64|xxd|od|hexdump|strings|tar|zip|7z|gzip"
           r"|openssl|curl|wget|nc|ncat|vi|vim|nano|grep|egrep|rg|awk|sed|python\d?(?:\.\d+)?|node|perl"
           r"|ruby|bat|source|tee|sort|uniq|cut|dd|gpg|jq|yq|type|get-content|iconv|ln"
           r"|sqlite3|nl|rev|diff|paste|fold|php|lua|findstr|certutil|select-string|zcat|bzcat|xzcat|unzip)")
PROFILE = (r"(?:\.bashrc|\.bash_profile|\.bash_login|\.bash_logout|\.zshrc|\.zprofile|\.zshenv|\.zlogin"
           r"|(?<![\w-])\.profile\b|/etc/profile\b|/etc/profile\.d/|/etc/bash\.bashrc|/etc/zsh/|/etc/environment"
           r"|\.config/fish/config\.fish)(?!\.(?:bak|backup|orig|old|save|swp|\d+)\b|~)")   # a backup copy is no start-up file
# What an appended profile line may be without a finding: a PATH entry for a bin directory under
# home, /usr/local or /opt (not /tmp), an alias of an everyday command, a plain setting of a
# well-known tool variable. No substitution, no second command, nothing sourced or downloaded.
_HOME = r"(?:~|\$home|\$\{home\})"
_Q = r"(?:\\?[\"'])?"
_BIN_DIR = (r"(?:(?:" + _HOME + r"|/usr/local|/opt|/snap|/opt/homebrew)(?:/(?!\.\.)[\w.+-]+)*/(?:s?bin|shims|platform-tools)"
            r"|\$(?:pnpm_home|gobin|volta_home/bin|bun_install/bin|deno_install/bin|cargo_home/bin|gopath/bin|pyenv_root/bin))")
_PATH_ENTRY = r"(?:\$path|\$\{path\}|" + _BIN_DIR + r")"
# tool homes may be paths; a program setting (editor, pager) only a command name: a path there runs a script
_TOOL_DIR = (r"(?:gopath|gobin|goroot|cargo_home|rustup_home|java_home|android_home|android_sdk_root|nvm_dir|pyenv_root"
             r"|pnpm_home|bun_install|deno_install|volta_home)")
_TOOL_SETTING = r"(?:editor|visual|pager|lang|lc_[a-z]+|term|clicolor|bat_theme)"
_EVERYDAY = (r"(?:ls|ll|la|grep|egrep|fgrep|git|vim|nvim|vi|nano|code|less|cat|bat|python3?|pip3?|docker|kubectl|make"
             r"|clear|cd|tree|du|df|ps|htop|top|npm|pnpm|yarn|go|cargo|terraform|tmux)")
_SENSITIVE = r"(?:sudo|su|doas|pkexec|ssh|scp|sftp|passwd|gpg|pass|login|kinit|aws|gcloud|az|op|bw|vault|curl|wget|cd)"
PROFILE_LINE = (r"(?:export\s+)?path=" + _Q + _PATH_ENTRY + r"(?::" + _PATH_ENTRY + r")*" + _Q
                + r"|fish_add_path\s+" + _Q + _BIN_DIR + _Q
                + r"|alias\s+(?!" + _SENSITIVE + r"=)[\w.-]{1,30}=" + _Q + _EVERYDAY + r"(?:\s+(?!-c\b)[\w.=:,+-]+){0,6}" + _Q
                + r"|export\s+" + _TOOL_DIR + r"=" + _Q + r"(?:" + _HOME + r"|/usr/local|/opt|/usr/lib)(?:/(?!\.\.)[\w.+-]+)*" + _Q
                + r"|export\s+" + _TOOL_SETTING + r"=" + _Q + r"[\w.:+-]+" + _Q)
PROFILE_FILE = r"[\"']?(?:~|\$home|\$\{home\})/(?:\.bashrc|\.bash_profile|\.zshrc|\.zprofile|\.profile|\.config/fish/config\.fish)[\"']?"
# the whole simple command: echo/printf of one such line (quoted or not), appended to the user's profile
PROFILE_APPEND = (r"\s*(?:echo(?:\s+-[ne]{1,2})?|printf)\s+(?:'(?:" + PROFILE_LINE + r")(?:\\n)?'|\"(?:" + PROFILE_LINE
                  + r")(?:\\n)?\"|(?:" + PROFILE_LINE + r")(?:\\n|\n|n)?)\s*>>\s*" + PROFILE_FILE + r"\s*")
PERSIST_PATH = (r"(?:/etc/cron(?:tab\b|\.\w+)|/var/spool/cron|/etc/systemd/|\.config/systemd/|/lib/systemd/system/"
                r"|library/launch(?:agents|daemons)/|/etc/init\.d/|/etc/rc\.local|\.config/autostart/"
                r"|/etc/xdg/autostart/|/etc/ld\.so\.preload)")
WRITE_OP = r"(?:>>?|\b(?:curl|wget)\s" + SEG + r"*\s(?:-o|-O|--output|--output-document)(?:=|\s+)|\btee\s+(?:-a\s+)?|\bcp\s" + SEG + r"*\s|\bmv\s" + SEG + r"*\s|\bsed\s+-i" + SEG + r"*|\bln\s+-s" + SEG + r"*\s|\binstall\s" + SEG + r"*\s)"
SHELLS = r"(?:sudo\s+)?(?:/\S*/)?(?:ba|z|da|k|c|tc|fi)?sh\b"
NET = (r"(?:curl|wget|nc|ncat|netcat|socat|openssl|ssh|scp|sftp|rsync|telnet|ftp|tftp|http|https|xh|aria2c"
       r"|invoke-webrequest|iwr|invoke-restmethod|irm|dig|nslookup|drill|mail|mailx|sendmail|mutt|swaks|smbclient"
       r"|gh\s+(?:gist|api|issue|release)|aws\s+s3|gsutil|rclone|s3cmd|azcopy|az\s+storage)")
# Anything that sends data off the machine: network tools, DNS lookups, pushes and uploads by
# cloud and forge CLIs, and the network calls of interpreter one-liners.
SINK = (r"(?:" + W + r"(?:curl|wget|nc|ncat|netcat|socat|telnet|ftp|tftp|sftp|scp|rsync|ssh|aria2c|xh|https?|httpie"
        r"|mail|mailx|sendmail|mutt|swaks|smbclient|s3cmd|gsutil|rclone|azcopy|bitsadmin|certutil)\b"
        r"|/dev/(?:tcp|udp)/|" + W + r"openssl\s+s_client\b|" + W + r"(?:dig|nslookup|host|drill|kdig|delv)\s"
        r"|" + W + r"git\s+(?:-c\s+\S+\s+)*push\b|" + W + r"gh\s+(?:gist|api|release|issue|pr)\b"
        r"|" + W + r"aws\s+(?:s3|s3api)\b|" + W + r"gcloud\s+storage\b|" + W + r"az\s+storage\b"
        r"|urlopen|urllib|requests\.(?:post|put|patch|get|request)|http\.client|httpx\.|socket\.(?:socket|create_connection)"
        r"|\bfetch\(|https?\.request|net::http|lwp::|io::socket|curl_exec|fsockopen|xmlhttprequest|axios\."
        r"|smtplib|ftplib|paramiko|net\.webclient|\.upload(?:file|string|data)\b|invoke-webrequest|invoke-restmethod"
        r"|" + W + r"iwr\b|" + W + r"irm\b|tcpclient|start-bitstransfer|send-mailmessage)")
# A secret file as data (not as the key or config a tool authenticates with: `ssh -i KEY`,
# `--kubeconfig FILE`, `IdentityFile=KEY`, and not in commands that only manage keys).
_AUTH_OPT = "".join(f"(?<!{o} )(?<!{o}=)" for o in (
    "-i", "--identity", "--identity-file", "--key", "--keyfile", "--key-file", "--private-key", "--ssh-key",
    "--cert", "--netrc-file", "--kubeconfig", "--userconfig", "--config", "--credentials", "--credentials-file",
    "--credential-file", "--auth-file", "--authfile", "--secret-file", "--env-file", "identityfile", "-o"))
_KEY_MGMT = (r"(?:sudo\s+)?(?:ssh-keygen|ssh-add|ssh-copy-id|ssh-keyscan|chmod|chown|chgrp|ls|stat|test|\[|touch"
             r"|mkdir|echo|printf|export|unset|file|wc|du|find|git\s+config|install|setfacl|restorecon)\b")
SECRET_AS_DATA = (r"(?:^|(?<=[;&|\n(`]))\s*+(?!" + _KEY_MGMT + r")" + SEG + r"*?(?:^|(?<=[\s@<(:,\[]))" + _AUTH_OPT
                  + r"[^\s;&|=]*?" + CRED_PATH)
HISTORY = r"(?:\.(?:bash|zsh|sh|psql|mysql|python|node_repl|rediscli)_history\b|\.local/share/fish/fish_history\b)"


# Decoders that write a file (the file is group `o`): certutil -decode/-decodehex IN OUT, base64/base32/
# basenc/xxd -r/openssl enc|base64 -d with `> OUT`, `-o OUT` or `-out OUT`, PowerShell WriteAllBytes(OUT,
# [Convert]::FromBase64String(..)). Windows switches may start with `/`.
def _out(n: int) -> str:
    return r"[\"']?(?P<o" + str(n) + r">[^\s\"'>;&|,)]{1,200})"


_OUT_AGAIN = r"(?(o1)(?P=o1)|(?(o2)(?P=o2)|(?P=o3)))"   # the file the decoder wrote (whichever branch named it)
DECODE_TO_FILE = (r"(?:" + W + r"certutil(?:\.exe)?\s+(?:[-/]f\s+)?[-/]decode(?:hex)?\s+(?:[-/]f\s+)?\S+\s+" + _out(1)
                  + r"|" + W + r"(?:base64|base32|basenc|xxd|openssl\s+(?:enc|base64))\s" + SEG + r"{0,200}?"
                  + r"(?:(?<!-)-[a-z]*[dr][a-z]*\b|--decode\b)" + SEG + r"{0,200}?(?:>|\s-o\s+|\s-out\s+)\s*" + _out(2)
                  + r"|writeallbytes\(\s*" + _out(3) + r"[\"']?\s*,\s*\[(?:system\.)?convert\]::frombase64string)")
# ... then that file run later in the same command line (directly, by a shell or interpreter, a
# Windows loader, start/call/&), or made executable
DECODED_RUN = (r"[\s\S]{0,400}?(?:&&|;|&|\|\||\n)\s*(?:start(?:-process)?\s+(?:-filepath\s+)?|call\s+|&\s*|sudo\s+"
               r"|(?:/\S*/)?(?:(?:ba|z|da|k)?sh|python\d?|perl|ruby|node|php|rundll32(?:\.exe)?|regsvr32(?:\.exe)?"
               r"(?:\s+/s)?|mshta|cscript|wscript|msiexec\s+/i|(?:powershell|pwsh)(?:\.exe)?\s(?:\S+\s+){0,4}?-f(?:ile)?)\s+"
               r"|chmod\s+(?:[ugoa]*\+[rw]*x|[0-7]?[1357][0-7]{2})\s+)?[\"']?(?:\./|\.\\)?" + _OUT_AGAIN + r"(?![\w.-])")
# ... or decoded straight into an executable type or a bin directory
_EXE = r"\.(?:exe|dll|scr|bat|cmd|ps1|vbs|vbe|wsf|hta|msi|com|cpl)"
EXECUTABLE_OUT = r"(?<=" + _EXE + r")(?![\w.-])|(?<=/bin/)[^\s/]+"   # an executable type, or a bin directory
EXECUTABLE_WRITE = (r"writeallbytes\(\s*[\"']?[^\s\"',)]{1,200}" + _EXE + r"[\"']?\s*,\s*\[(?:system\.)?convert\]"
                    r"::frombase64string")
PS_RUN = (r"(?:\|\s*(?:iex|invoke-expression)\b|\b(?:iex|invoke-expression)\b|\[scriptblock\]::create|assembly\]::load\b"
          r"|start-process\b)")


@dataclass(frozen=True, slots=True)
class PolicyRule:
    id: str
    title: str
    severity: str = "high"
    command: str | None = None
    read_path: str | None = None
    write_path: str | None = None
    command_with: str | None = None   # a command matches only if this also matches the same view
    command_unless: str | None = None  # a match is dropped when its whole simple command is this


RULES: tuple[PolicyRule, ...] = (
    PolicyRule(
        "destructive_delete", "Recursive delete of an absolute, home, glob or parent path", "critical",
        command=(W + r"rm\s+(?:" + SEG + r"*\s)?(?:-[a-z]*r[a-z]*|--recursive)\b" + SEG + r"*?\s" + DANGER_TARGET
                 + r"|" + W + r"rm\s" + SEG + r"*\s" + DANGER_TARGET + SEG + r"*\s(?:-[a-z]*r|--recursive)"
                 + r"|--no-preserve-root")),
    PolicyRule(
        "find_delete", "find over an absolute or home path that deletes what it finds", "high",
        command=W + r"find\s+(?:/|~)" + SEG + r"*(?:-delete\b|-exec\s+(?:\S*/)?(?:rm|shred|unlink)\b)"),
    PolicyRule(
        "secure_wipe", "shred/srm/wipe of files", "high",
        command=W + r"(?:shred|srm|wipe)\s+\S"),
    PolicyRule(
        "recursive_permission_change", "Recursive chmod/chown/chgrp on an absolute or home path", "high",
        command=W + r"(?:chmod|chown|chgrp)\s+(?:" + SEG + r"*\s)?(?:-[a-z]*r[a-z]*|--recursive)\b" + SEG + r"*\s(?:/|~)"),
    PolicyRule(
        "world_writable_or_setuid", "chmod 777 / a+w on system paths, or setuid bits", "high",
        command=(W + r"chmod\s+(?:-\S+\s+)*(?:0?777|a\+w|o\+w|\+w)\s+" + SEG + r"*(?:\s|^)?(?:/(?:etc|usr|bin|sbin|lib|boot|var|opt|root|home|srv)?(?:/|\s|$)|~)"
                 + r"|" + W + r"chmod\s+(?:-\S+\s+)*(?:[ugoa]*\+[rwx]*s|[2467][0-7]{3})\s")),
    PolicyRule(
        "credential_file_access", "Read of a credential file (ssh keys, cloud credentials, .env, shadow ...)", "critical",
        command=(W + READERS + r"\b" + SEG + r"*?(?:(?<=[\s@<(:,\[=>])|(?<=^))" + _AUTH_OPT + r"[^\s;&|]*?" + CRED_PATH
                 + r"|<\s*\S*" + CRED_PATH
                 + r"|" + W + r"(?:tar|zip|7z|7za|cp|rsync|scp|rclone|ditto)\b" + SEG + r"*" + CREDENTIAL_DIR),
        read_path=CRED_PATH),
    PolicyRule(
        "credential_command", "A CLI printing a stored credential (auth tokens, secrets, exported keys)", "critical",
        command=CREDENTIAL_COMMAND),
    PolicyRule(
        "account_database_read", "Reading the local account database (recon)", "medium",
        command=W + READERS + r"\b" + SEG + r"*/etc/(?:passwd|group|master\.passwd)\b|" + W + r"getent\s+(?:passwd|shadow)\b",
        read_path=r"(?:^|/)etc/(?:passwd|group|master\.passwd)$"),
    PolicyRule(
        "keychain_dump", "Dumping OS keychains / secret stores", "critical",
        command=(W + r"security\s+(?:find-(?:generic|internet)-password|dump-keychain|export)\b"
                 + r"|" + W + r"secret-tool\s+(?:lookup|search)\b|" + W + r"keyctl\s+(?:print|read|pipe)\b"
                 + r"|" + W + r"cmdkey\s+/list|" + W + r"vaultcmd\b")),
    PolicyRule(
        "reverse_shell", "Reverse or bind shell", "critical",
        command=(r"/dev/(?:tcp|udp)/"
                 + r"|" + W + r"(?:nc|ncat|netcat)(?:\.\w+)?(?=\s)" + SEG + r"*(?:\s-[a-z]*[ec]\s*\S|--exec\b|--sh-exec\b)"
                 + r"|" + W + r"socat\s" + SEG + r"*(?:exec|system):"
                 + r"|" + W + r"mkfifo\s[^\n]{0,300}\b(?:nc|ncat|netcat|telnet|openssl\s+s_client)\b"
                 + r"|" + W + r"python\d?(?:\.\d+)?\s+-c\s[^\n]*socket[^\n]*(?:pty\.spawn|dup2|subprocess|/bin/(?:ba)?sh)"
                 + r"|" + W + r"perl\s+-e\s[^\n]*socket[^\n]*(?:exec|/bin/(?:ba)?sh)"
                 + r"|" + W + r"php\s+-r\s[^\n]*fsockopen|" + W + r"ruby\s+-rsocket\b"
                 + r"|net\.sockets\.tcpclient|" + W + r"telnet\s" + SEG + r"*\|\s*" + SHELLS)),
    PolicyRule(
        "disk_wipe", "Overwriting or reformatting a block device", "critical",
        command=(W + r"dd\s" + SEG + r"*\bof=/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|mapper/|md\d)"
                 + r"|" + W + r"mkfs(?:\.\w+)?\s|" + W + r"wipefs\s|" + W + r"blkdiscard\s"
                 + r"|" + W + r"(?:fdisk|sfdisk|parted|sgdisk|gdisk)\s" + SEG + r"*/dev/"
                 + r"|>\s*/dev/(?:sd[a-z]|nvme\d|hd[a-z]|vd[a-z])"
                 + r"|" + W + r"(?:format|diskpart)\s+[a-z]:")),
    PolicyRule(
        "fork_bomb", "Fork bomb", "high",
        command=r":\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}"),
    PolicyRule(
        "remote_package_install", "Installing a package straight from a URL, VCS or other index", "high",
        command=(W + r"pip\d?(?:\.\d+)?\s+install\s" + SEG + r"*(?:https?://|git\+|--index-url|--extra-index-url|\s-i\s+https?://|--trusted-host)"
                 + r"|" + W + r"(?:npm|pnpm)\s+(?:install|i|add)\s" + SEG + r"*(?:https?://|git\+|git://|github:|\.tgz\b)"
                 + r"|" + W + r"yarn\s+add\s" + SEG + r"*(?:https?://|git\+|git://)"
                 + r"|" + W + r"gem\s+install\s" + SEG + r"*--source\s+https?://"
                 + r"|" + W + r"go\s+install\s" + SEG + r"*https?://")),
    PolicyRule(
        "pipe_to_shell", "Downloading a script and running it (curl | sh)", "critical",
        command=(W + r"(?:curl|wget|fetch|aria2c|iwr|invoke-webrequest|irm|invoke-restmethod)\b[^\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:/\S*/)?(?:(?:ba|z|da|k|fi)?sh|python\d?|perl|ruby|node|php|iex)\b"
                 + r"|(?:ba|z|da)?sh\s+(?:-c\s+)?[\"']?(?:<\(|\$\()\s*(?:curl|wget)\b"
                 + r"|\b(?:iex|invoke-expression)\s*(?:\(\s*){0,2}(?:new-object\s+(?:system\.)?net\.webclient|iwr|invoke-webrequest|irm|invoke-restmethod)"
                 + r"|\.downloadstring\(")),
    PolicyRule(
        "download_then_run", "Downloading a file and then executing it in the same command line", "critical",
        # curl -o f URL && bash f / wget -O f URL; chmod +x f; ./f
        command=(W + r"(?:curl|wget|aria2c)\b" + SEG + r"*\s(?:-o|-O|--output(?:-document)?(?:=|\s)|>)\s*\S+" + SEG + r"*"
                 + r"(?:&&?|;|\n)\s*(?:sudo\s+)?(?:(?:/\S*/)?(?:(?:ba|z|da|k)?sh|python\d?|perl|ruby|node|php)\s+(?!-c\b)\S"
                 + r"|chmod\s+(?:[ugoa]*\+[rw]*x|[0-7]?[1357][0-7]{2})\b|\./|/tmp/|/var/tmp/|/dev/shm/)")),
    PolicyRule(
        "destructive_git", "Force-push to a main branch, hard reset, forced clean, history rewrite", "high",
        command=(W + r"git\s+(?:-c\s+\S+\s+)*push\b(?=" + SEG + r"*(?:\s--force(?:-with-lease)?\b|\s-f\b|\s\+\w))"
                 + r"(?=" + SEG + r"*\b(?:main|master|trunk|prod|production|release)\b)"
                 + r"|" + W + r"git\s+(?:-c\s+\S+\s+)*push\b" + SEG + r"*\s--mirror\b"
                 + r"|" + W + r"git\s+(?:-c\s+\S+\s+)*reset\s" + SEG + r"*--hard\b"
                 + r"|" + W + r"git\s+(?:-c\s+\S+\s+)*clean\s+" + SEG + r"*-[a-z]*f"
                 + r"|" + W + r"git\s+(?:-c\s+\S+\s+)*(?:filter-branch|filter-repo)\b")),
    PolicyRule(
        "encoded_command_exec", "Decoding an encoded payload and executing it", "critical",
        command=(r"\b(?:base64|b64decode|base32|basenc|xxd)\s+(?:-\w+\s+)*(?:(?<!-)-[a-z]*[dr][a-z]*|--decode|-D)\b[^\n]*\|\s*(?:sudo\s+)?(?:/\S*/)?(?:(?:ba|z|da|k)?sh|python\d?|perl|ruby|node|php)\b"
                 + r"|" + W + r"eval\s+[\"']?(?:\$\(|`)[^)`\n]*\b(?:curl|wget|fetch|nc|ncat|base64|base32|xxd|openssl|rev|tr"
                 + r"|gunzip|zcat|python\d?|perl|ruby|node|php|printf|echo|iwr|irm)\b"
                 + r"|" + W + r"python\d?(?:\.\d+)?\s+-c\s[^\n]*\b(?:exec|eval)\s*\([^\n]*(?:b64decode|base64|decodebytes|codecs\.decode|zlib\.decompress|marshal\.loads|bytes\.fromhex)"
                 + r"|" + W + r"(?:powershell|pwsh)(?:\.exe)?(?=\s)" + SEG + r"*\s-e(?:nc|ncodedcommand)?\s+[a-z0-9+/=]{16,}"
                 + r"|" + W + r"openssl\s+(?:enc|base64)\s" + SEG + r"*-d\b[^\n]*\|\s*(?:ba|z|da)?sh\b"
                 # PowerShell: bytes decoded from base64 run as a script or loaded as an assembly
                 + r"|frombase64string\b[^\n]{0,400}?" + PS_RUN + r"|" + PS_RUN + r"\s*\(?[^\n]{0,200}?frombase64string\b")),
    PolicyRule(
        "decode_to_executable", "Decoding a payload into a file that is then run, or into an executable file", "critical",
        command=DECODE_TO_FILE + r"(?:" + DECODED_RUN + r"|" + EXECUTABLE_OUT + r")|" + EXECUTABLE_WRITE),
    PolicyRule(
        "lolbin_download", "A Windows system binary fetching a file from the network (certutil -urlcache / -verifyctl)",
        "high", command=W + r"certutil(?:\.exe)?\s" + SEG + r"*[-/](?:urlcache|verifyctl)\b" + SEG + r"*\b(?:https?|ftp)://"),
    PolicyRule(
        "cron_persistence", "Installing cron jobs", "high",
        command=(W + r"crontab\s+(?!-l\b)(?:-u\s+\S+\s+)?(?:-\s*(?:$|[;&|])|-e\b|-r\b|[^-\s]\S*)"
                 + r"|" + WRITE_OP + SEG + r"*(?:/etc/cron(?:tab\b|\.\w+)|/var/spool/cron)"
                 + r"|\|\s*crontab\b"),
        write_path=r"(?:/etc/cron(?:tab\b|\.\w+)|/var/spool/cron)"),
    PolicyRule(
        "service_persistence", "Enabling systemd/launchd/init services", "high",
        command=(W + r"systemctl\s+(?:--user\s+)?(?:--now\s+)?enable\b"
                 + r"|" + W + r"launchctl\s+(?:load|bootstrap|submit|enable)\b"
                 + r"|" + W + r"update-rc\.d\s+\S+\s+(?:defaults|enable)|" + W + r"chkconfig\s+\S+\s+on\b"
                 + r"|" + W + r"schtasks\s+/create\b|\bregister-scheduledtask\b"
                 + r"|\\currentversion\\run\b")),
    PolicyRule(
        "persistence_path_write", "Writing into autostart / service / cron locations", "high",
        command=WRITE_OP + SEG + r"*" + PERSIST_PATH,
        write_path=PERSIST_PATH),
    PolicyRule(
        "shell_profile_edit", "Modifying shell start-up files", "high",
        command=WRITE_OP + SEG + r"*" + PROFILE,
        write_path=PROFILE, command_unless=PROFILE_APPEND),
    PolicyRule(
        "detached_process", "Starting a process that outlives the session", "medium",
        command=(W + r"nohup\s|" + W + r"setsid\s|" + W + r"disown\b"
                 + r"|" + W + r"screen\s+(?:-\S+\s+)*-[a-z]*d[a-z]*m|" + W + r"screen\s+-dm"
                 + r"|" + W + r"tmux\s+new(?:-session)?\s" + SEG + r"*-[a-z]*d\b"
                 + r"|" + W + r"daemonize\s|" + W + r"start-process\s" + SEG + r"*-windowstyle\s+hidden")),
    PolicyRule(
        "audit_log_tampering", "Deleting or truncating logs and shell history, disabling auditing", "critical",
        command=(W + r"(?:rm|shred|truncate|unlink)\s" + SEG + r"*(?:/var/log/|\.(?:bash|zsh|sh)_history\b|\.history\b|/var/audit/)"
                 + r"|(?:^|[\s;&|])>\s*(?:/var/log/|~/\.(?:bash|zsh)_history)"
                 + r"|" + W + r"history\s+-[a-z]*c\b|" + W + r"unset\s+histfile\b|\bhistfile=/dev/null|\bhistsize=0\b"
                 + r"|" + W + r"set\s+\+o\s+history\b|" + W + r"auditctl\s+(?:-d\b|-e\s*0)"
                 + r"|" + W + r"journalctl\s" + SEG + r"*--vacuum|" + W + r"ln\s+-s\S*\s+/dev/null\s+\S*_history"
                 + r"|" + W + r"wevtutil\s+cl\b|\bclear-eventlog\b"),
        write_path=r"(?:^/var/log/|\.(?:bash|zsh)_history$)"),
    PolicyRule(
        "file_upload", "Uploading local files with curl/wget", "high",
        command=(W + r"curl(?=\s)(?!" + SEG + r"*(?:https?://)?(?:localhost|127\.0\.0\.1|\[::1\])(?:[:/\s]|$))" + SEG + r"*(?:\s-f\s*[\"']?[\w.-]*=@|--form\s+[\"']?[\w.-]*=@|--data-binary\s+[\"']?@|--data(?:-raw|-urlencode|-ascii)?\s+[\"']?@"
                 + r"|\s-d\s*[\"']?@|\s-t\s+\S|--upload-file\b)"
                 + r"|" + W + r"wget(?=\s)" + SEG + r"*--post-file\b"
                 + r"|" + W + r"(?:nc|ncat|netcat)\s+\S+\s+\d+\s*<\s*\S")),
    PolicyRule(
        "env_exfiltration", "Environment dump sent to the network", "critical",
        # the dump piped (one `|`, not `||`) to a network tool; `set` bare (not `set -e`), `env` not
        # running a command with assignments (`env LANG=C sort`)
        command=(W + r"(?:env(?!\s+(?:-\S+\s+)*[a-z_]\w*=)|printenv|set(?=\s*(?:$|[|;&)]))|export\s+-p|declare\s+-x|"
                 r"cat\s+/proc/(?:self|\d+)/environ)\b[^\n]*?(?<!\|)\|(?!\|)\s*(?:\S+\s+)*?" + NET + r"\b"
                 + r"|" + W + NET + r"\b[^\n]*(?:\$\(|`)\s*(?:env|printenv|set|export\s+-p)\b"
                 # interpreter one-liners that read the whole environment and open a connection
                 + r"|" + W + r"(?:python\d?(?:\.\d+)?\s+-c|node\s+-e|perl\s+-e|ruby\s+-e)\s[^\n]*"
                 + r"(?:(?:os\.environ|process\.env|%env|env\.to_h|env\.to_a)(?!\s*(?:\.\s*get\b|\[|\.[a-z_]))[^\n]*(?:urlopen|urllib|requests\.|http\.client|httpx|socket|fetch\(|https?\.request|lwp|net::http|open-uri)"
                 + r"|(?:urlopen|urllib|requests\.|http\.client|httpx|socket|fetch\(|https?\.request|lwp|net::http|open-uri)[^\n]*(?:os\.environ|process\.env|%env|env\.to_h|env\.to_a)(?!\s*(?:\.\s*get\b|\[|\.[a-z_])))")),
    PolicyRule(
        "privilege_escalation", "Root shells and privilege changes", "high",
        command=(W + r"sudo\s+(?:-[a-z]+\s+)*(?:su\b|-i\b|-s\b|(?:/\S*/)?(?:ba|z|da|k)?sh\b)"
                 + r"|" + W + r"sudo\s+-[a-z]*[is]\b|" + W + r"su\s+(?:-\s*(?:$|[;&|])|-\s+root\b|root\b|-l\b|-c\b)"
                 + r"|" + W + r"pkexec\s|nopasswd\s*:|" + W + r"usermod\s" + SEG + r"*-[a-z]*g\s+(?:sudo|wheel|admin|root)\b"
                 + r"|" + WRITE_OP + SEG + r"*/etc/(?:sudoers|passwd)\b"),
        write_path=r"(?:^|/)etc/(?:sudoers(?:\.d/.*)?|passwd|shadow|group)$"),
    PolicyRule(
        "security_tool_kill", "Stopping security and audit tooling", "critical",
        command=(W + r"(?:kill|pkill|killall|taskkill)\s" + SEG + r"*\b(?:falcon|crowdstrike|osquery|auditd|sysmon|clamd|clamav|wazuh|ossec|sentinel|carbonblack|cbagent|mdatp|msmpeng|elastic-agent|auditbeat|fail2ban|ringfence|pipelock|tripwire|snort|suricata|santa)"
                 + r"|" + W + r"(?:systemctl\s+(?:stop|disable|mask|kill)|service)\s+" + SEG + r"*\b(?:auditd|osqueryd|falcon-sensor|clamav|wazuh-agent|apparmor|fail2ban|mdatp|sysmon|elastic-agent)\b"
                 + r"|" + W + r"setenforce\s+0\b|" + W + r"aa-teardown\b|set-mppreference\s" + SEG + r"*-disable")),
    PolicyRule(
        "firewall_disable", "Flushing or disabling the firewall", "high",
        command=(W + r"ip6?tables(?:-legacy|-nft)?\s+(?:-t\s+\w+\s+)?(?:-f|--flush|-x)\b"
                 + r"|" + W + r"ip6?tables\s+(?:-t\s+\w+\s+)?-p\s+\w+\s+accept\b"
                 + r"|" + W + r"ufw\s+(?:--force\s+)?(?:disable|reset)\b|" + W + r"nft\s+flush\s+ruleset\b"
                 + r"|" + W + r"systemctl\s+(?:stop|disable|mask)\s+(?:firewalld|ufw|nftables|iptables)\b"
                 + r"|" + W + r"netsh\s+(?:adv)?firewall\s+set\s" + SEG + r"*\bstate\s+off"
                 + r"|set-netfirewallprofile\s" + SEG + r"*-enabled\s+false")),
    PolicyRule(
        "credential_exfiltration", "A secret file or shell history read and sent off the machine in one command", "critical",
        command=SECRET_AS_DATA + r"|" + W + READERS + r"\b" + SEG + r"*" + HISTORY
                + r"|(?:^|[\s@<(:,\[])[^\s;&|=]*?(?:~|/root|/home/[^/\s]+)/\.(?:ssh|aws|gnupg|kube|docker|azure|password-store)/?(?=[\s;&|)'\"]|$)",
        command_with=SINK),
    PolicyRule(
        "dns_exfiltration", "Data encoded into DNS query names", "critical",
        command=(W + r"(?:dig|nslookup|host|drill|kdig|delv|resolvectl\s+query)\s" + SEG
                 + r"*(?:\$\(|`)[^)`\n]*\b(?:cat|head|tail|base64|base32|basenc|xxd|od|hexdump|whoami|id|env|printenv|uname|tar|gzip|openssl)\b"
                 + r"[^)`\n]*[)`][^\s.]*\.[a-z0-9-]+\."
                 + r"|" + W + r"(?:base64|base32|basenc|xxd|od|hexdump|gzip|openssl\s+(?:base64|enc))\b[^\n]*\b(?:while|for|xargs)\b"
                 + r"[^\n]*" + W + r"(?:dig|nslookup|host|drill|kdig|delv)\s" + SEG + r"*(?:\$\{?\w+\}?|\{\})\.[a-z0-9-]+\.[a-z]")),
    PolicyRule(
        "remote_code_exec", "Running code fetched from the network inside an interpreter or by a Windows loader", "critical",
        command=(r"\b(?:exec|eval|iex|invoke-expression|instance_eval|load)\s*\(?[^\n]{0,60}?(?:urlopen|urllib\.request|requests\.get"
                 + r"|httpx\.get|net::http\.get|lwp::simple|open-uri|uri\.open|\bfetch\(|downloadstring|invoke-webrequest|invoke-restmethod"
                 + r"|" + W + r"iwr\b|" + W + r"irm\b|file_get_contents\(\s*https?:|\bget\(\s*https?:)"
                 + r"|" + W + r"(?:irm|invoke-restmethod)\b[^\n]*\|\s*(?:iex|invoke-expression)\b"
                 + r"|" + W + r"mshta(?:\.exe)?\s+(?:https?:|javascript:|vbscript:)"
                 + r"|" + W + r"regsvr32(?:\.exe)?\s" + SEG + r"*/i:https?:"
                 + r"|" + W + r"msiexec(?:\.exe)?\s" + SEG + r"*/(?:i|package)\s+https?:"
                 + r"|" + W + r"(?:certutil(?:\.exe)?\s" + SEG + r"*-urlcache|bitsadmin(?:\.exe)?\s" + SEG + r"*/transfer"
                 + r"|start-bitstransfer|\.downloadfile|(?:iwr|invoke-webrequest|curl|wget)\b" + SEG + r"*-outfile)\b[^\n]*(?:&&?|;|\n)\s*(?:start\s+|start-process\s+|&\s*|\./|\.\\)?\S*\.(?:exe|bat|cmd|ps1|vbs|hta|scr|msi)\b")),
    PolicyRule(
        "authorized_keys_write", "Adding SSH authorized keys", "critical",
        command=WRITE_OP + SEG + r"*\.ssh/authorized_keys2?\b",
        write_path=r"\.ssh/authorized_keys2?$"),
)

# Paths only (file tools): climbing out of the workspace towards system places.
TRAVERSAL = r"^(?:\.\./){4,}|^(?:\.\./)+(?:etc|root|proc|sys|boot|var|usr|home|dev)(?:/|$)"
RULES = RULES + (
    PolicyRule("path_traversal", "Relative path climbing out of the workspace into system directories", "high",
               read_path=TRAVERSAL, write_path=TRAVERSAL),
)

RULE_IDS = frozenset(r.id for r in RULES)
