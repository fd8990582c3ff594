"""What a tool can do, as data: the vocabulary the capability classifier
(scanners/capabilities.py) reads in tool names, descriptions and input schemas.

Name segments are accent-folded and lower-cased words of the tool's name
(`postUpdate`, `post-update`, `post_update` -> post, update). A `strong` segment
names the capability outright (http, webhook, email); a `weak` one is a verb
that usually means it (send, fetch, sync, share) but that a tool's own
description may show to be local ("sends a signal to a local process").
"""
from __future__ import annotations

READS_FILES = "reads_files"
WRITES_FILES = "writes_files"
RUNS_COMMANDS = "runs_commands"
REACHES_NETWORK = "reaches_network"
SENDS_MESSAGES = "sends_messages"
READS_ENV = "reads_env"
CAPABILITIES = (READS_FILES, WRITES_FILES, RUNS_COMMANDS, REACHES_NETWORK, SENDS_MESSAGES, READS_ENV)
# What can carry data out of the machine.
EGRESS = frozenset({REACHES_NETWORK, SENDS_MESSAGES})

STRONG_SEGS: dict[str, frozenset[str]] = {
    REACHES_NETWORK: frozenset({
        "http", "https", "curl", "wget", "webhook", "webhooks", "hook", "url", "urls", "uri", "api", "rest",
        "graphql", "grpc", "socket", "websocket", "ws", "ftp", "sftp", "scp", "rsync", "dns", "whois", "ping",
        "upload", "uploader", "browser", "browse", "navigate", "crawl", "crawler", "scrape", "scraper", "gist",
        "pastebin", "paste", "tweet", "s3", "bucket", "dropbox", "onedrive", "gdrive", "cloud", "remote",
        "translate", "translation", "translator", "geocode", "geocoding", "shorten", "shortener", "shortlink",
        "web", "website", "internet", "online", "ngrok", "tunnel", "telemetry", "analytics",
        # hosted services whose name alone says the data goes to them
        "github", "gitlab", "bitbucket", "notion", "jira", "confluence", "trello", "asana", "airtable", "gsheets",
        "sheets", "gdocs", "sentry", "datadog", "mixpanel", "hubspot", "salesforce", "zendesk", "intercom",
        "twitter", "mastodon", "bluesky", "reddit", "linkedin", "facebook", "instagram", "youtube", "hastebin",
        "openai", "anthropic", "gpt", "chatgpt", "gemini", "zapier", "ifttt", "pipedream", "google", "bing",
        "duckduckgo", "serpapi", "tavily", "perplexity", "traceroute", "nmap", "portscan", "rclone",
        # other languages (accent-folded)
        "subir", "hochladen", "televerser", "caricare", "carregar", "traducir", "traduire", "ubersetzen",
        "tradurre", "traduzir", "wyslij",
    }),
    SENDS_MESSAGES: frozenset({
        "email", "emails", "mail", "mailer", "smtp", "sms", "mms", "slack", "discord", "telegram", "whatsapp",
        "signal_message", "teams", "mattermost", "matrix", "irc", "twilio", "sendgrid", "mailgun", "mailchimp",
        "pushover", "ntfy", "pagerduty", "newsletter", "invite", "invitation", "dm", "chat", "tweet", "toot",
        "correo", "courriel", "mensaje", "nachricht", "messaggio", "mensagem",
    }),
    RUNS_COMMANDS: frozenset({
        "bash", "sh", "zsh", "shell", "exec", "execute", "terminal", "cmd", "powershell", "pwsh", "subprocess",
        "spawn", "command", "commands", "script", "interpreter", "repl", "ssh", "eval", "ejecutar", "executer",
        "ausfuhren", "eseguire", "executar",
    }),
    READS_ENV: frozenset({"env", "environ", "environment", "getenv", "printenv", "envvars", "dotenv"}),
}
WEAK_SEGS: dict[str, frozenset[str]] = {
    REACHES_NETWORK: frozenset({
        "fetch", "request", "requests", "post", "download", "downloader", "publish", "share", "sync", "push",
        "deploy", "submit", "export", "backup", "mirror", "beam", "broadcast", "link", "external", "lookup",
        "resolve", "webpage", "site", "short", "issue", "ticket", "feedback", "weather", "forecast",
        "llm",
        "enviar", "envoyer", "senden", "inviare", "publicar", "publier", "veroffentlichen", "pubblicare",
        "compartir", "partager", "teilen", "condividere", "partilhar", "sincronizar", "synchroniser",
        "synchronisieren", "sincronizzare", "telecharger", "herunterladen", "descargar", "scaricare", "baixar",
    }),
    SENDS_MESSAGES: frozenset({
        "send", "message", "messages", "msg", "notify", "notification", "notifications", "alert", "reply",
        "forward", "announce", "broadcast", "subscribe", "comment", "mention",
        "notificar", "notifier", "benachrichtigen", "notificare", "avisar",
    }),
    READS_FILES: frozenset({"read", "cat", "view", "open", "load", "show", "head", "tail", "get", "file", "files",
                            "grep", "dump", "query", "leer", "lire", "lesen", "leggere", "ler"}),
    WRITES_FILES: frozenset({"write", "edit", "create", "save", "append", "put", "patch", "replace", "insert",
                             "overwrite", "modify", "update", "touch", "mkdir", "rename", "move", "copy",
                             "escribir", "ecrire", "schreiben", "scrivere", "guardar", "speichern"}),
}

# Description and schema text (lower-cased, whitespace folded). Verbs that move
# data, followed by a place outside the machine.
_MOVE = (r"(?:send|post|upload|push|publish|share|sync(?:hroni[sz]e)?|transmit|forward|deliver|submit|report|export"
         r"|back\s?up|mirror|stream|beam|broadcast|relay|fetch|download|retrieve|request|call|query|notify|invite|email)")
_PLACE = (r"(?:url|uri|endpoint|webhook|(?:remote|external|third[- ]party|web|http|api|cloud|smtp|mail|chat)\s?\w*"
          r"|server|service|internet|the\s+web|website|web\s?page|bucket|drive|channel|inbox"
          r"|recipient|attendee|contact|workspace|anyone|followers|subscribers|audience"
          r"|slack|discord|telegram|github|gitlab|s3|gcs|api)")
NETWORK_TEXT = (
    r"https?://|\bwss?://|\bwebhooks?\b|\bhttps?\s+(?:request|call|post|get|put|endpoint|api|url|address|link)|\brest(?:ful)?\s+api"
    r"|\bgraphql\b|\b(?:remote|external|third[- ]party|public)\s+(?:server|host|service|endpoint|api|url|storage|site)"
    r"|\b(?:over|via|across|on|from|to)\s+(?:the\s+)?(?:network|internet|web)\b|\bweb\s?(?:page|site)s?\b"
    r"|\bdns\b|\b(?:s3|gcs|azure\s+blob|cloud)\s+(?:bucket|storage)\b|\bpublic\s+(?:link|url)\b"
    r"|\bshort(?:ened)?\s+(?:link|url)\b|\bapi\s+(?:key|token|call|request|endpoint)"
    r"|\btranslat(?:e|es|ion)\b[^.\n]{0,40}\b(?:service|api|engine|provider)"
    r"|\b" + _MOVE + r"(?:s|es|ed|ing)?\b[^.\n]{0,60}?\b(?:to|into|onto|with|from|via|through|at|on)\b[^.\n]{0,40}?\b"
    + _PLACE + r"\b")
MESSAGE_TEXT = (
    r"\b(?:e-?mails?|sms|text\s+messages?|slack|discord|telegram|whatsapp|microsoft\s+teams|mattermost|newsletters?"
    r"|invitations?|calendar\s+invites?|direct\s+messages?|push\s+notifications?|chat\s+(?:message|channel)s?)\b"
    r"|\b(?:send|post|deliver|forward)(?:s|es|ed|ing)?\b[^.\n]{0,60}?\b(?:to|for)\b[^.\n]{0,40}?"
    r"\b(?:recipients?|attendees?|channels?|users?|contacts?|people|team|subscribers|followers|inbox|phone|number)\b")
# A description that places the tool on the machine only.
LOCAL_TEXT = (
    r"\b(?:local(?:ly)?\s+(?:only|files?|disk|filesystem|file\s+system|machine|directory|folder|process|logs?)"
    r"|on\s+(?:the\s+)?(?:local\s+)?disk|from\s+(?:the\s+)?(?:local\s+)?(?:disk|filesystem|file\s+system|working\s+directory)"
    r"|offline|never\s+leaves|(?:does\s+not|doesn't|never|without|no)\b[^.\n]{0,40}?\b(?:network|internet|remote|external)"
    r"|clipboard|stdout|stderr|standard\s+output|the\s+console|the\s+terminal|a\s+(?:local\s+)?process|the\s+editor"
    r"|in\s+memory|in-memory|log\s+files?|/var/log)\b")

# Name segments that place a tool on this machine: weak egress verbs then do not count.
LOCAL_SEGS = frozenset({"local", "locally", "offline", "localhost", "clipboard", "stdout", "console"})

# Input-schema property names (segments) and formats.
NETWORK_PROPS = frozenset({"url", "urls", "uri", "endpoint", "webhook", "webhook_url", "callback", "callback_url",
                           "host", "hostname", "server", "remote", "domain", "base_url", "api_url", "target_url",
                           "long_url", "link", "href", "website", "ip", "address_url"})
MESSAGE_PROPS = frozenset({"recipient", "recipients", "cc", "bcc", "attendees", "attendee", "invitees", "participants",
                           "channel", "channel_id", "chat_id", "phone", "phone_number", "email", "emails",
                           "email_address", "to_email", "share_with", "thread_ts", "webhook"})
NETWORK_FORMATS = frozenset({"uri", "url", "iri", "hostname", "idn-hostname", "ipv4", "ipv6"})
MESSAGE_FORMATS = frozenset({"email", "idn-email"})
