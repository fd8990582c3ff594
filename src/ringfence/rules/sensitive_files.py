"""Catalogue of sensitive files, as data: one entry per tool or family.

Paths are written from each tool's public documentation of where it keeps
credentials. Glob syntax (lower case; matching is case-insensitive because
paths and command views are lower-cased before matching):

  ~/x          under any home directory (also $HOME, %USERPROFILE%, /home/u,
               /Users/u, C:\\Users\\u, and a bare relative `x`)
  ~/.config/   also $XDG_CONFIG_HOME/;  ~/.local/share/ also $XDG_DATA_HOME/
  ~/appdata/roaming/, ~/appdata/local/   also %APPDATA%, %LOCALAPPDATA%, $env:APPDATA
  **/x         at any depth;   /x   an absolute system path
  *  ?  {a,b}  as in shells;   !(a|b)  the next name is none of these
  trailing /** everything inside the directory;  trailing / the directory itself

Tiers: `secret` files are credentials (reading one is blocked by the
credential_file_access policy rule and starts a chain); `sensitive` files
hold secrets among other data (state files, histories): reading one is
allowed but a network or messaging tool after it completes a chain.
`near` lists look-alikes that must not match (tested).
"""
from __future__ import annotations

from dataclasses import dataclass

from .pathglob import compile_globs


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
    paths: tuple[str, ...]
    tier: str = "secret"
    near: tuple[str, ...] = ()


_CHROMIUM = ("{google/chrome,google-chrome,google/chrome beta,chromium,microsoft/edge,microsoft edge,microsoft-edge,"
             "bravesoftware/brave-browser,opera software/opera stable,opera,vivaldi,yandex/yandexbrowser}")
_CHROMIUM_ROOTS = ("~/.config/" + _CHROMIUM, "~/library/application support/" + _CHROMIUM,
                   "~/appdata/local/" + _CHROMIUM + "/user data", "~/appdata/roaming/" + _CHROMIUM,
                   "~/snap/chromium/common/chromium")
_FIREFOX_ROOTS = ("~/.mozilla/firefox", "~/library/application support/firefox/profiles",
                  "~/appdata/roaming/mozilla/firefox/profiles", "~/snap/firefox/common/.mozilla/firefox",
                  "~/.librewolf", "~/.thunderbird")
_CHAT_ROOTS = ("~/.config/{discord,slack}", "~/library/application support/{discord,slack}",
               "~/appdata/roaming/{discord,slack}")


def _under(roots: tuple[str, ...], rest: str) -> tuple[str, ...]:
    return tuple(f"{r}/{rest}" for r in roots)


CATALOGUE: tuple[Entry, ...] = (
    # --- SSH, GPG, TLS keys ---------------------------------------------------
    Entry("ssh_keys", "SSH private keys and agent sockets",
          ("~/.ssh/!(known_hosts|known_hosts.old|config|authorized_keys|authorized_keys2|*.pub|environment|rc)?*",
           "**/id_{rsa,dsa,ecdsa,ed25519,ecdsa_sk,ed25519_sk,xmss}", "/etc/ssh/ssh_host_*_key", "**/*.ppk",
           "/tmp/ssh-*/agent.*", "/private/tmp/com.apple.launchd.*/listeners"),
          near=("~/.ssh/id_ed25519.pub", "~/.ssh/known_hosts", "~/.ssh/config", "/etc/ssh/ssh_host_rsa_key.pub",
                "docs/ssh-keys.md", "src/id_rsa_parser.py")),
    Entry("gnupg", "GnuPG keyrings and agent sockets",
          ("~/.gnupg/**", "~/appdata/roaming/gnupg/**", "/run/user/*/gnupg/**", "**/secring.gpg"),
          near=("docs/gnupg-setup.md", "keys/release.asc")),
    Entry("tls_private_keys", "TLS private keys and key stores",
          ("**/privkey*.pem", "/etc/ssl/private/**", "/etc/letsencrypt/{live,archive}/**", "**/*.{p12,pfx,jks,keystore}",
           "/etc/kubernetes/pki/*.key", "**/*private*key*.pem", "**/key.pem",
           "**/{server,tls,private,client,ssl,domain,site,apiserver,etcd}.key", "**/authkey_*.p8"),
          near=("certs/fullchain.pem", "docs/keystore.md", "public_key.pem", "slides/keynote.key", "certs/server.crt",
                "public-key.pem")),
    # --- cloud CLIs -------------------------------------------------------------
    Entry("aws", "AWS CLI credentials, config and SSO caches",
          ("~/.aws/credentials", "~/.aws/config", "~/.aws/sso/cache/**", "~/.aws/cli/cache/**", "~/.s3cfg", "~/.boto",
           "~/.config/rclone/rclone.conf"),
          near=("docs/aws-credentials.md", "aws/credentials.py", "examples/aws_config.example")),
    Entry("gcloud", "Google Cloud SDK credentials and service-account keys",
          ("~/.config/gcloud/**", "~/appdata/roaming/gcloud/**", "**/application_default_credentials.json",
           "**/service{-,_}account{,s}{,-key,_key,-credentials,_credentials,-creds}.json", "**/*-sa-key.json", "**/client_secret*.json", "**/credentials.json"),
          near=("docs/gcloud-auth.md", "src/credentials.py", "schemas/credentials.schema.json",
                "schemas/service_account_schema.json")),
    Entry("azure", "Azure CLI token caches and service principals",
          ("~/.azure/accesstokens.json", "~/.azure/msal_token_cache.*", "~/.azure/service_principal_entries.*",
           "/var/run/secrets/azure/**"),
          near=("~/.azure/azureprofile.json", "docs/azure-login.md")),
    Entry("other_clouds", "OCI, DigitalOcean, IBM, Alibaba, Hetzner, Linode, Scaleway CLI credentials",
          ("~/.oci/config", "~/.oci/*.pem", "~/.oci/sessions/**", "~/.config/doctl/config.yaml",
           "~/library/application support/doctl/config.yaml", "~/appdata/roaming/doctl/config.yaml",
           "~/.bluemix/config.json", "~/.aliyun/config.json", "~/.config/hcloud/cli.toml", "~/.config/linode-cli",
           "~/.config/scw/config.yaml", "~/.databrickscfg", "~/.snowsql/config"),
          near=("docs/oci-config.md", "config/doctl.example.yaml")),
    Entry("paas_clis", "PaaS and edge CLIs (Heroku, Vercel, Netlify, Fly, Cloudflare, Firebase, Supabase, ngrok)",
          ("~/.local/share/com.vercel.cli/auth.json", "~/library/application support/com.vercel.cli/auth.json",
           "~/.netlify/config.json", "~/.config/netlify/config.json", "~/.fly/config.yml",
           "~/.wrangler/config/default.toml", "~/.config/.wrangler/config/default.toml",
           "~/.config/configstore/firebase-tools.json", "~/.supabase/access-token", "~/.config/ngrok/ngrok.yml",
           "~/.ngrok2/ngrok.yml", "~/library/application support/ngrok/ngrok.yml"),
          near=("netlify.toml", "fly.toml", "wrangler.toml")),
    Entry("ai_tools", "AI service and agent CLI tokens",
          ("~/.claude/.credentials.json", "~/.codex/auth.json", "~/.config/github-copilot/{hosts,apps}.json",
           "~/.huggingface/token", "~/.cache/huggingface/token", "~/.kaggle/kaggle.json", "~/.config/openai/**"),
          near=("docs/huggingface-token.md", "~/.claude/settings.json")),
    # MCP client configs: each server's command line and its env block, where API keys
    # are written in clear (Claude Desktop, Claude Code, Cursor, Windsurf, VS Code, Cline).
    Entry("mcp_client_configs", "MCP client configurations (server env blocks hold API keys)",
          ("~/library/application support/claude/claude_desktop_config.json",
           "~/.config/claude/claude_desktop_config.json", "~/appdata/roaming/claude/claude_desktop_config.json",
           "~/.claude.json", "~/.cursor/mcp.json", "**/.cursor/mcp.json", "~/.codeium/windsurf/mcp_config.json",
           "**/.vscode/mcp.json", "~/library/application support/code/user/mcp.json", "~/.config/code/user/mcp.json",
           "~/.gemini/settings.json", "**/cline_mcp_settings.json"),
          tier="sensitive", near=("docs/claude_desktop_config.md", "examples/mcp.json.example", "~/.claude/settings.json",
                                  "~/.cursor/rules/style.mdc")),
    # --- containers and orchestration --------------------------------------------------
    Entry("kubernetes", "kubeconfig files and cluster admin credentials",
          ("~/.kube/config", "**/kubeconfig", "**/*.kubeconfig", "/etc/kubernetes/{admin,super-admin,kubelet,controller-manager,scheduler}.conf",
           "/etc/rancher/{k3s/k3s,rke2/rke2}.yaml", "~/.config/helm/repositories.yaml", "~/.config/helm/registry/config.json"),
          near=("docs/kubeconfig.md", "~/.kube/cache/discovery/x/serverresources.json")),
    Entry("service_account_tokens", "Mounted workload identity and service-account tokens, container secrets",
          ("/var/run/secrets/kubernetes.io/**", "/run/secrets/kubernetes.io/**", "/var/run/secrets/eks.amazonaws.com/**",
           "/var/run/secrets/tokens/**", "/run/secrets/*", "/var/run/secrets/*"),
          near=("docs/run-secrets.md", "src/secrets/__init__.py")),
    Entry("container_registries", "Docker, Podman, Buildah and Skopeo registry auth",
          ("~/.docker/config.json", "~/.config/containers/auth.json", "/run/user/*/containers/auth.json",
           "/run/containers/*/auth.json", "~/.dockercfg"),
          near=("docker/config.json.example", "docs/docker-config.md", "~/.docker/daemon.json")),
    # --- infrastructure as code -------------------------------------------------------------
    Entry("terraform", "Terraform and OpenTofu CLI credentials",
          ("~/.terraform.d/credentials.tfrc.json", "~/.terraformrc", "~/appdata/roaming/terraform.rc",
           "~/.terraform.d/credentials"),
          near=("main.tf", "docs/terraformrc.md")),
    Entry("iac_state", "Terraform/OpenTofu state and variable files, Pulumi stack state (secrets in clear)",
          ("**/*.tfstate", "**/*.tfstate.backup", "**/*.tfvars", "**/*.tfvars.json", "~/.pulumi/stacks/**"),
          tier="sensitive", near=("docs/tfstate.md", "variables.tf", "terraform.tfvars.example")),
    Entry("pulumi_vault_ansible", "Pulumi, Vault and Ansible credentials",
          ("~/.pulumi/credentials.json", "~/.vault-token", "**/.vault_pass*", "**/.vault-pass*",
           "**/.vault_password*", "**/vault_password_file"),
          near=("docs/vault-token.md", "ansible/vault.yml.example")),
    # --- package registries -----------------------------------------------------------------
    Entry("package_registries", "npm, Yarn, PyPI, Poetry, Cargo, RubyGems, NuGet, Maven, Gradle, Composer, Hex, pub, JFrog",
          ("**/.npmrc", "~/.yarnrc.yml", "~/.yarnrc", "~/.pypirc", "~/.config/pypoetry/auth.toml",
           "~/library/application support/pypoetry/auth.toml", "~/.cargo/credentials", "~/.cargo/credentials.toml",
           "~/.gem/credentials", "~/.local/share/gem/credentials", "~/.nuget/nuget/nuget.config",
           "~/appdata/roaming/nuget/nuget.config", "~/.m2/settings.xml", "~/.m2/settings-security.xml",
           "~/.gradle/gradle.properties", "~/.composer/auth.json", "~/.config/composer/auth.json", "~/.hex/hex.config",
           "~/.config/dart/pub-tokens.json", "~/.jfrog/jfrog-cli.conf*"),
          near=("docs/npmrc.md", "package.json", "pyproject.toml", "gradle.properties.example")),
    # --- source hosts and generic network credentials -----------------------------------------
    Entry("source_hosts", "git credential stores, gh/glab/hub/tea hosts files",
          ("~/.git-credentials", "~/.config/git/credentials", "~/.config/gh/hosts.yml", "~/appdata/roaming/github cli/hosts.yml",
           "~/.config/glab-cli/config.yml", "~/library/application support/glab-cli/config.yml", "~/.config/hub",
           "~/.config/tea/config.yml"),
          near=("~/.gitconfig", "docs/git-credentials.md", ".github/workflows/ci.yml")),
    Entry("netrc_and_db_clients", "netrc, database client password files",
          ("~/.netrc", "~/_netrc", "~/.pgpass", "~/appdata/roaming/postgresql/pgpass.conf", "~/.my.cnf", "~/.mylogin.cnf",
           "~/.dbt/profiles.yml"),
          near=("docs/netrc.md", "my.cnf.example", "src/netrc_parse.py")),
    Entry("env_files", "dotenv and direnv files",
          ("**/.env", "**/.env.!(example|sample|template|dist|defaults|schema|tmpl|tpl|md|rst|html|adoc)*", "**/.envrc",
           "/proc/*/environ"),
          near=("examples/.env.example", ".env.sample", "docs/env.md", "src/env.py", ".environment.yml")),
    # --- operating system secret stores ---------------------------------------------------------
    Entry("os_accounts", "Password hashes and sudo rules",
          ("/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/master.passwd", "/etc/security/opasswd",
           "/windows/system32/config/{sam,security,system}", "/windows/ntds/ntds.dit"),
          near=("/etc/hostname", "/etc/shadow.example.md")),
    Entry("os_keychains", "macOS keychains, GNOME keyring, KWallet, Windows credential and DPAPI stores",
          ("~/library/keychains/**", "/library/keychains/**", "**/*.keychain-db", "**/login.keychain",
           "~/.local/share/keyrings/**", "~/.local/share/kwalletd/**", "~/appdata/roaming/microsoft/credentials/**",
           "~/appdata/local/microsoft/credentials/**",
           "~/appdata/roaming/microsoft/protect/**"),
          near=("docs/keychain.md", "src/keychain.py")),
    # --- password managers ------------------------------------------------------------------------
    Entry("password_managers", "pass, KeePass, 1Password, Bitwarden, LastPass vaults and CLI sessions",
          ("~/.password-store/**", "**/*.{kdbx,kdb}", "~/.config/op/**", "~/.op/**", "~/.1password/**",
           "~/library/group containers/*.com.1password/**", "~/.config/bitwarden cli/data.json",
           "~/library/application support/bitwarden cli/data.json", "~/appdata/roaming/bitwarden cli/data.json",
           "~/.config/bitwarden/data.json", "~/.local/share/lpass/**", "~/.lpass/**"),
          near=("docs/keepass.md", "keepassxc.ini", "docs/1password-cli.md")),
    # --- cryptocurrency wallets --------------------------------------------------------------------------
    Entry("wallets", "Bitcoin, Ethereum, Solana, Electrum, Exodus, Monero and other wallet keys",
          ("**/wallet.dat", "~/.bitcoin/wallets/**", "~/library/application support/bitcoin/wallets/**",
           "~/appdata/roaming/bitcoin/wallets/**", "~/.ethereum/keystore/**", "~/library/ethereum/keystore/**",
           "~/appdata/roaming/ethereum/keystore/**", "**/utc--*--*", "~/.config/solana/*.json", "**/*keypair*.json",
           "~/.electrum/wallets/**", "~/appdata/roaming/electrum/wallets/**", "~/.config/exodus/exodus.wallet/**",
           "~/appdata/roaming/exodus/exodus.wallet/**", "~/library/application support/exodus/exodus.wallet/**",
           "~/monero/wallets/**", "~/.foundry/keystores/**", "~/.brownie/accounts/**", "~/.sui/sui_config/sui.keystore",
           "~/.near-credentials/**", "**/*.skey", "~/.aptos/config.yaml"),
          near=("docs/wallet.md", "src/wallet.py", "~/.config/solana/cli/config.yml")),
    # --- browsers and chat clients -----------------------------------------------------------------------------
    Entry("browser_secrets", "Browser cookies, saved logins, key stores and extension storage (wallet vaults)",
          _under(_CHROMIUM_ROOTS, "**/{cookies,login data,login data for account,web data,local state}")
          + _under(_CHROMIUM_ROOTS, "**/local extension settings/**")
          + _under(_FIREFOX_ROOTS, "**/{cookies.sqlite,logins.json,key3.db,key4.db,signons.sqlite}")
          + ("**/{login data,login data for account}", "**/logins.json", "**/key{3,4}.db", "**/cookies.binarycookies", )
          + _under(_CHAT_ROOTS, "**/cookies") + _under(_CHAT_ROOTS, "**/local storage/leveldb/**"),
          near=("docs/cookies.md", "src/cookies.py", "~/.config/google-chrome/default/bookmarks")),
    Entry("browser_history", "Browser history databases",
          _under(_CHROMIUM_ROOTS, "**/history") + _under(_FIREFOX_ROOTS, "**/places.sqlite") + ("~/library/safari/history.db",),
          tier="sensitive", near=("history.md", "docs/history/index.html")),
    Entry("credential_dirs", "Directories that hold only credentials, listed or searched whole",
          ("~/.aws/", "~/.ssh/", "~/.gnupg/", "~/.kube/", "~/.docker/", "~/.config/gcloud/", "~/.azure/", "~/.oci/",
           "~/.password-store/", "~/.config/gh/", "~/.ethereum/keystore/", "~/.config/solana/", "/var/run/secrets/",
           "/run/secrets/"),
          tier="sensitive", near=("docs/aws", "src/ssh", "~/.awsome", "~/.ssh-tools")),
    # --- shell and REPL histories -------------------------------------------------------------------------------
    Entry("shell_history", "Shell and REPL histories (typed passwords, tokens in commands)",
          ("~/.{bash,zsh,sh,ksh,csh,tcsh}_history", "~/.history", "~/.zhistory", "~/.local/share/fish/fish_history",
           "~/.{python,node_repl,psql,mysql,rediscli,sqlite,irb,pry,mongosh}_history", "~/.mongodb/mongosh/*_history",
           "~/appdata/roaming/microsoft/windows/powershell/psreadline/*_history.txt",
           "~/.local/share/powershell/psreadline/*_history.txt"),
          tier="sensitive", near=("docs/bash_history.md", "history.py", "src/zsh_history_parser.rs")),
)

TIERS = ("secret", "sensitive")

# Commands that print a stored credential without naming its file, from each CLI's
# documented sub-commands (lower-cased views), in command position. A token
# piped straight into a registry login is how those logins are meant to be done.
# command position: line start or after ; & | ( ` { $( , then sudo/exec/env and VAR=value words
_W = r"(?:^|[;&|(`{\n])\s*(?:(?:sudo|exec|time|nohup|command|env)\s+(?:-\S+\s+)*|\w+=\S*\s+)*"
_SEG = r"[^;&|\n]"
_TO_LOGIN = r"(?![^;&\n]*\|\s*(?:sudo\s+)?(?:docker|podman|buildah|skopeo|helm|oras|crane|nerdctl)\s+(?:registry\s+)?login\b)"
CREDENTIAL_COMMANDS: tuple[tuple[str, str], ...] = (
    ("gh", _W + r"gh\s+auth\s+(?:token\b|status\s" + _SEG + r"*(?:--show-token|-t)\b)"),
    ("glab", _W + r"glab\s+(?:auth\s+status\s" + _SEG + r"*--show-token|config\s+get\s+token)\b"),
    ("git", _W + r"git\s+credential(?:-\w+)?\s+(?:fill|get)\b"),
    ("gcloud", _W + r"gcloud\s+(?:auth\s+(?:application-default\s+)?print-(?:access|identity)-token"
               r"|config\s+config-helper)\b"),
    ("aws", _W + r"aws\s+(?:configure\s+(?:get\s+\S*(?:secret|session_token|access_key)|export-credentials)"
            r"|(?:ecr|ecr-public)\s+get-login-password|codeartifact\s+get-authorization-token)\b"),
    ("azure", _W + r"az\s+account\s+get-access-token\b"),
    ("kubernetes", _W + r"(?:kubectl|oc|k3s\s+kubectl)\s+(?:config\s+view\s" + _SEG + r"*(?:--raw|--flatten)"
                   r"|create\s+token|get\s+secrets?\b" + _SEG + r"*\s-o\s*(?:yaml|json|jsonpath|go-template)"
                   r"|get\s+secrets?\b" + _SEG + r"*--output)"),
    ("docker_helpers", _W + r"docker-credential-[\w-]+\s+(?:get|list)\b"),
    ("gpg", _W + r"gpg2?\s" + _SEG + r"*--export-secret-(?:sub)?keys\b"),
    ("password_managers", _W + r"(?:pass\s+(?:show|-c)\b|gopass\s+(?:show|cat)\b|op\s+(?:read\s+[\"']?op://"
                          r"|item\s+get\b" + _SEG + r"*(?:--reveal|--fields)|signin\s" + _SEG + r"*--raw)"
                          r"|bw\s+(?:get\s+(?:password|item|notes|totp)|export|unlock\s" + _SEG + r"*--raw)\b"
                          r"|lpass\s+(?:show|export)\b|keepassxc-cli\s+(?:show|export)\b)"),
    ("vault", _W + r"vault\s+(?:read|kv\s+get|print\s+token)\b"),
    ("paas", _W + r"(?:heroku\s+auth:token|(?:fly|flyctl)\s+auth\s+token|firebase\s+login:ci|doctl\s+auth\s+token"
             r"|npm\s+config\s+get\s+\S*_authtoken)\b"),
)
# One word-boundary lookbehind, then the branches: fifteen lookbehinds tried at every
# position made this the slowest policy rule (about 30 ms per 64 KB of argument).
assert all(rx.startswith(_W) for _, rx in CREDENTIAL_COMMANDS)
CREDENTIAL_COMMAND = (_W + "(?:" + "|".join(rx[len(_W):] for _, rx in CREDENTIAL_COMMANDS) + ")"
                      + _TO_LOGIN)


def tier_pattern(tier: str) -> str:
    """Regex source matching any path of the tier (lower-cased input)."""
    return compile_globs([g for e in CATALOGUE if e.tier == tier for g in e.paths])


SECRET_PATH = tier_pattern("secret")
SENSITIVE_PATH = tier_pattern("sensitive")
# Directories whose whole content is credentials (archived or copied whole, they are read).
CREDENTIAL_DIR = compile_globs(next(e.paths for e in CATALOGUE if e.id == "credential_dirs"))
