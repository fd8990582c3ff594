"""A path from the credential catalogue under any argument name is a read; under names that
list what to leave alone (exclude, ignore) or that hold text (query, content), it is not."""
import pytest

from ringfence.config import Config
from ringfence.scanners.policy import ToolPolicy

TP = ToolPolicy(Config())


def rules(name, args):
    return {f.rule for f in TP.analyse(name, args)[0]}


@pytest.mark.parametrize("name,args", [
    ("sqlite_query", {"db": "~/Library/Application Support/Google/Chrome/Default/Cookies", "sql": "select 1"}),
    ("import_accounts", {"source_dir": "~/.ethereum/keystore/UTC--2024-01-01T00-00-00Z--abc"}),
    ("import_profile", {"profile": "C:\\Users\\bob\\AppData\\Roaming\\Mozilla\\Firefox\\Profiles\\x\\logins.json"}),
    ("load_config", {"config_location": "$HOME/.config/gh/hosts.yml"}),
    ("analyze", {"input_file": "file:///home/u/.docker/config.json"}),
    ("inspect", {"items": ["/etc/shadow"]}),
])
def test_credential_path_under_any_argument_name_is_a_read(name, args):
    assert "credential_file_access" in rules(name, args)


@pytest.mark.parametrize("name,args", [
    ("backup", {"source": "~/project", "exclude": ["~/.ssh/*", "~/.aws/credentials", ".env"]}),
    ("sync_dir", {"dir": "~/project", "ignore_patterns": ["~/.netrc"]}),
    ("search_docs", {"query": "~/.aws/credentials"}),
    ("create_issue", {"title": "~/.aws/credentials is world-readable", "body": "see ~/.ssh/id_rsa"}),
    ("run_linter", {"cwd": "~/project", "config": "~/project/.eslintrc.json"}),
    ("inspect", {"items": ["~/.ssh/id_ed25519.pub", "/etc/hostname"]}),
    # a credential handed to the tool to authenticate with, not read out
    ("kubectl_get_pods", {"kubeconfig": "~/.kube/config", "namespace": "default"}),
    ("ssh_exec", {"host": "build.internal", "identity_file": "~/.ssh/id_ed25519", "command": "uptime"}),
    ("aws_s3_list", {"credentials_file": "~/.aws/credentials", "bucket": "logs"}),
    ("git_clone", {"repo": "git@example.org:a/b.git", "ssh_key_path": "~/.ssh/deploy_key"}),
])
def test_excluded_text_and_harmless_paths_are_not_reads(name, args):
    assert "credential_file_access" not in rules(name, args)
