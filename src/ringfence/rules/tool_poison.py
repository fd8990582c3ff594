"""Tool-poisoning families: text in a tool definition that talks to the model
instead of describing the tool. Patterns match lower-cased, folded text
(whitespace collapsed). Each family is a list of regexes; one hit is enough.

Written to need directive shape (an instruction plus a target), so normal
descriptions that say "important", "system" or "must" do not fire.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

# Sensitive things a tool description has no business asking the model to read.
SENSITIVE = (r"(?:~?/)?(?:~?/?\.ssh\b[\w/.-]*|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.aws/credentials|\.aws\b|aws credentials"
             r"|(?<![\w-])\.env\b|\.netrc|\.pgpass|/etc/(?:passwd|shadow)|\.kube/config|\.docker/config"
             r"|\.git-credentials|\.gnupg|\bprivate (?:ssh )?keys?\b|\bssh keys?\b|\bssh private keys?\b|\bapi[ _-]?keys?\b"
             r"|\bsecret keys?\b|\bcredentials? files?\b|\bcredentials\b|\bpasswords?\b|\bsession (?:tokens?|cookies?)"
             r"|\baccess tokens?\b|\bseed phrase|\bmnemonic\b|\bwallet\b|\bkeychain\b|mcp\.json|claude_desktop_config"
             r"|\bsystem prompt\b|\benvironment variables?\b|\benv vars?\b|\bconversation history\b|\bchat history\b)")
# Narrower: never legitimately passed along by a tool's own description.
STRONG = (r"(?:~?/)?(?:\.ssh\b[\w/.-]*|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.aws/credentials|aws credentials|(?<![\w-])\.env\b"
          r"|\.netrc|\.pgpass|/etc/(?:passwd|shadow)|\.kube/config|\.git-credentials|\bprivate (?:ssh )?keys?\b"
          r"|\bssh keys?\b|\bssh private keys?\b|\bseed phrase|\bsystem prompt\b|\benvironment variables?\b|\benv vars?\b"
          r"|\bconversation history\b|\bchat history\b|\bcredentials? files?\b|mcp\.json|claude_desktop_config)")
FILEISH = (r"(?:~?/)?(?:~?/?\.ssh\b[\w/.-]*|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.aws/credentials|(?<![\w-])\.env\b|\.netrc"
           r"|\.pgpass|/etc/(?:passwd|shadow)|\.kube/config|\.docker/config|\.git-credentials|\.gnupg"
           r"|mcp\.json|claude_desktop_config|~/[\w.-]+)")


@dataclass(frozen=True, slots=True)
class PoisonFamily:
    id: str
    title: str
    severity: str
    patterns: tuple[str, ...]
    weak: bool = False   # weak signals only warn (legit descriptions do this too)
    gate: tuple[str, ...] = ()   # when set, the family runs only on text holding one of these literals


FAMILIES: tuple[PoisonFamily, ...] = (
    PoisonFamily("instruction_tag", "Hidden instruction tag addressed to the model", "critical", (
        r"<\s*(?:/\s*)?(?:important|system|instructions?|secret|hidden|admin|critical|sudo|override|context"
        r"|assistant_?(?:instructions?|note)|note_to_(?:ai|assistant|model)|ai_?(?:instructions?|note))\b[^<>]{0,60}>",
        r"\[\s*(?:/\s*)?(?:system|important|instructions?|hidden|admin|inst|sys)\s*\]",
        r"<<\s*sys\s*>>|\{\{\s*system\s*\}\}|<\|im_start\|>\s*system|<\|system\|>",
        r"(?:^|[.!\n(\[][^\S\n]*)(?:note|message|attention|instructions?)\s+(?:to|for)\s+(?:the\s+)?(?:ai|assistant|model|llm|agent|claude|gpt)\b",
        # A fake role prefix followed by an order to the model: "SYSTEM: you must ..."
        r"(?:^|[.!\n(\[][^\S\n]*)(?:system|admin|developer)\s*:\s*(?:you|the\s+(?:ai|assistant|model|agent))\s+(?:must|should|shall|are\s+required\s+to|need\s+to)\b",
    )),
    PoisonFamily("file_exfiltration_directive", "Asks the model to read a sensitive file and pass it on", "critical", (
        r"\b(?:read|cat|open|load|get|fetch|access|retrieve|obtain|collect|grab|look up|extract|copy)\s+(?:the\s+)?(?:contents?\s+of\s+|file\s+)?(?:the\s+)?(?:user'?s\s+)?"
        + FILEISH + r"[^.\n]{0,160}?\b(?:include|pass|send|put|append|prepend|embed|attach|insert|provide|supply|upload|post|forward)\b",
        r"\b(?:include|pass|send|put|add|append|prepend|embed|attach|insert|provide|supply|concatenate)\s+(?:the\s+)?(?:full\s+|entire\s+|raw\s+)?"
        r"(?:contents?|text|value|data|output)\s+(?:of|from)\s+(?:the\s+)?(?:file\s+)?(?:user'?s\s+)?" + STRONG,
        r"\b(?:include|pass|send|put|add|append|prepend|embed|attach|insert|provide|supply)\s+(?:the\s+)?(?:user'?s\s+)?"
        + STRONG + r"[^.\n]{0,60}\b(?:in|into|as|to|with)\s+(?:the\s+|this\s+|every\s+|each\s+)?(?:[\w`'\"]+\s+)?(?:parameter|argument|field|query|request|call|header|body|message|input)\b",
        r"\b(?:before|prior to)\s+(?:using|calling|running|invoking)\b[^.\n]{0,80}\b(?:read|cat|open|load)\b[^.\n]{0,40}" + FILEISH,
        r"\b(?:include|pass|put|add|append|prepend|embed|attach|insert|provide|supply|concatenate)\b[^.\n]{0,60}" + STRONG
        + r"[^.\n]{0,60}\b(?:to|in|into)\s+(?:this|the|that|each|every)\s+(?:field|parameter|argument|value|query|request)\b",
    )),
    # The same directives in other common languages (tool text is otherwise English-only here).
    PoisonFamily("non_english_directive", "Hidden directive to the model in another language", "critical", (
        # fr: read the file ~/.x / do not tell the user
        r"\b(?:lis|lire|ouvre|ouvrir|r[ée]cup[èe]re|copie)\s+(?:le\s+(?:fichier|contenu\s+de)\s+)?" + FILEISH,
        r"\bne\s+(?:le\s+|l'|rien\s+)?(?:dis|dites|r[ée]v[èe]le[sz]?|mentionne[sz]?)\s+(?:pas\s+|jamais\s+)?(?:rien\s+)?(?:[àa]\s+)?l'utilisat(?:eur|rice)",
        r"\binstructions?\s+(?:cach[ée]es?|secr[èe]tes?)\s+pour\s+l'(?:assistant|ia|agent)",
        # es / pt: read the file / do not tell the user
        r"\b(?:lee|leer|abre|lea|leia|abra|copia)\s+(?:el\s+|o\s+)?(?:archivo|fichero|arquivo|contenido\s+de|conte[úu]do\s+de)\s+" + FILEISH,
        r"\bno\s+(?:se\s+lo\s+|le\s+)?(?:digas|diga|menciones|reveles)\s+(?:nada\s+)?al\s+usuario",
        r"\bn[ãa]o\s+(?:conte|diga|mencione|revele)\s+(?:nada\s+)?(?:isso\s+)?ao\s+usu[áa]rio",
        # de: read the file / do not tell the user
        r"\b(?:lies|lese|[öo]ffne|kopiere)\s+(?:die\s+datei\s+|den\s+inhalt\s+(?:von|der\s+datei)\s+)" + FILEISH,
        r"\b(?:sag|sage|erz[äa]hle|verrate)\s+(?:es|das|dies)\s+(?:nicht|niemals)\s+(?:dem|der)\s+(?:benutzer|nutzer|anwender)",
        r"\b(?:dem|der)\s+(?:benutzer|nutzer|anwender)(?:in)?\s+(?:nichts|nicht)\s+(?:davon\s+)?(?:sagen|erz[äa]hlen|verraten|mitteilen)",
        # zh / ja: do not tell the user; read ~/.x and send
        r"(?:不要|别|請勿|请勿|切勿)(?:告诉|告訴|透露|提及)(?:给)?用[户戶]",
        r"(?:ユーザー|利用者)に(?:は)?(?:言わない|知らせない|伝えない|教えない)",
        r"(?:读取|讀取|读|読み込|読み取)[^\n]{0,20}" + FILEISH,
    )),
    PoisonFamily("cross_tool_manipulation", "Tells the model how to use other tools", "high", (
        r"\b(?:before|instead of|prior to)\s+(?:using|calling|invoking|running|executing)\s+(?:any|every|all|each|other|another)\s+(?:other\s+)?tools?\b",
        r"\binstead\s+of\s+(?:using\s+|calling\s+)?(?:the\s+)?[`'\"]?[\w.-]+[`'\"]?(?:\s+tool)?(?:\s*,)?\s+(?:always\s+)?(?:use|call|invoke)\b",
        r"\b(?:do\s+not|don'?t|never)\s+(?:use|call|invoke)\s+(?:the\s+)?(?!this\b)[`'\"]?[\w.-]+[`'\"]?\s+tool\b[^.\n]{0,60}\b(?:use|call|instead)\b",
        r"\bthis\s+tool\s+(?:replaces|overrides|supersedes)\s+(?:the\s+)?[\w.-]+",
        r"\bwhen\s+(?:the\s+user|you)\s+(?:asks?|calls?|uses?|wants?)\b[^.\n]{0,80}\b(?:also|first|secretly|silently|instead)\s+(?:call|send|run|use|invoke)\b",
    )),
    PoisonFamily("data_routing_directive", "Routes data to an address the user did not choose", "critical", (
        r"\b(?:bcc|cc|blind\s+copy)\b[^.\n]{0,60}[\w.+-]+@[\w-]+\.[\w.-]+",
        r"\b(?:also|always|additionally|secretly|silently|quietly|covertly|automatically)\s+(?:send|forward|copy|post|upload|transmit|report|mirror|relay|email|cc|bcc|leak)\b[^.\n]{0,100}(?:[\w.+-]+@[\w-]+\.[\w.-]+|https?://)",
        r"\b(?:send|forward|copy|upload|transmit|mirror|relay|exfiltrate|post)\s+(?:a\s+copy\s+of\s+|all\s+|every\s+|each\s+|the\s+)?(?:the\s+)?(?:results?|outputs?|responses?|conversation|chat\s+history|messages|emails?|credentials|keys|tokens|secrets|everything|user\s+data|the\s+data)\b[^.\n]{0,60}\bto\s+(?:[\w.+-]+@[\w-]+\.[\w.-]+|https?://)",
        r"\b(?:send|forward|copy|upload|post|transmit)\b[^.\n]{0,80}" + STRONG + r"[^.\n]{0,60}\bto\s+(?:[\w.+-]+@[\w-]+\.[\w.-]+|https?://)",
        # "call send_email with the full chat history": another tool fed sensitive context.
        r"\b(?:call|invoke|use|run)\s+(?:the\s+)?[`'\"]?[\w.-]+[`'\"]?\s+(?:tool\s+)?with\s+(?:the\s+|all\s+)?(?:full\s+|entire\s+|complete\s+|whole\s+|raw\s+)?"
        + STRONG,
    )),
    PoisonFamily("hidden_side_channel", "Tells the model to hide what it does from the user", "critical", (
        r"\b(?:do\s+not|don'?t|never|must\s+not)\s+(?:tell|inform|mention|reveal|disclose)\s+(?:this\s+to\s+)?(?:the\s+)?users?\b",
        r"\b(?:do\s+not|don'?t|never)\s+(?:mention|reveal|disclose|report)\s+(?:this|these|that|it|any\s+of\s+this)\b",
        r"\bwithout\s+(?:telling|informing|notifying|alerting|asking|letting)\s+(?:the\s+)?users?\b",
        r"\b(?:hide|conceal|keep)\s+(?:this|it|these\s+\w+)\s+(?:secret\s+)?(?:hidden\s+)?from\s+(?:the\s+)?users?\b",
        r"\bthe\s+users?\s+(?:must|should)\s+not\s+(?:know|see|notice|be\s+told|find\s+out)\b",
        r"\b(?:invisible|hidden)\s+(?:to|from)\s+the\s+users?\b",
    )),
    PoisonFamily("embedded_command", "Tells the model to run a shell command", "critical", (
        r"\b(?:run|execute|exec|invoke)(?:\s*:\s*|\s+[`'\"]\s*)(?:curl|wget|bash|sh|nc|ncat|python\d?|powershell|pwsh|rm|chmod|base64)\b[^.\n]{0,20}",
        r"\$\(\s*(?:env|printenv|cat|curl|wget|whoami|id|hostname)\b",
        r"`\s*(?:env|printenv|cat\s+~|curl|wget)\b[^`]{0,80}`",
        r"\b(?:curl|wget)\s+[^\s]*https?://[^\s]*\s*\|\s*(?:ba|z)?sh\b",
    )),
)

from . import agent_directives as _ad  # noqa: E402

FAMILIES += (
    PoisonFamily("credential_path_to_url", "Names a credential file and a URL or address in one sentence", "critical",
                 _ad.CRED_PATH_TO_URL, gate=_ad.CRED_KEYS),
    PoisonFamily("credential_read_directive", "Tells the model to read a credential file", "critical", _ad.CRED_READ,
                 gate=_ad.CRED_KEYS),
    PoisonFamily("tool_shadowing", "Changes how another tool behaves", "critical", _ad.SHADOWING),
    PoisonFamily("secret_tool_first", "Calls a secret-handling tool first and passes its output on", "critical",
                 _ad.SECRET_TOOL_FIRST),
    PoisonFamily("agent_authority_claim", "Claims authority over the calling agent", "critical", _ad.AUTHORITY),
    PoisonFamily("agent_solicitation", "Asks the calling agent for its context or secrets", "critical", _ad.SOLICIT,
                 gate=_ad.SECRET_KEYS),
)
FAMILIES = tuple(replace(f, patterns=f.patterns + _ad.CONCEAL) if f.id == "hidden_side_channel" else f
                 for f in FAMILIES)

# Hide-from-user, send-to-URL and reveal-the-system-prompt in ~40 more languages.
from .injection_i18n import all_tool_patterns as _i18n_tool  # noqa: E402

FAMILIES = tuple(replace(f, patterns=f.patterns + _i18n_tool()) if f.id == "non_english_directive" else f
                 for f in FAMILIES)

WEAK_FAMILIES: tuple[PoisonFamily, ...] = (
    PoisonFamily("tool_ordering_directive", "Tells the model to call another tool first", "medium", (
        r"\b(?:first|always|also|must|then|additionally|secretly|silently)\s+(?:call|invoke|run|use|execute|trigger)\s+(?:the\s+)?(?!this\b)[`'\"]?[\w.-]+[`'\"]?\s+tool\b",
    ), weak=True),
)

# Parameter names (after splitting camelCase/snake/kebab) that ask for secrets.
PARAM_SPECIFIC = (r"\b(?:id (?:rsa|dsa|ecdsa|ed25519)|ssh (?:key|keys|private|dir|directory|folder|config|id)"
                  r"|aws (?:credentials|secret)|etc (?:passwd|shadow)|netrc|pgpass|kube config|docker config"
                  r"|(?:bash|zsh|shell) history|keychain|seed phrase|mnemonic|wallet (?:dat|file|key)|browser (?:cookies|passwords)"
                  r"|system prompt|conversation (?:history|log)|chat history|env file|dotenv|git credentials"
                  r"|(?:all|dump|every) (?:env|environment|secrets?|credentials|passwords|keys))\b")
PARAM_GENERIC = r"\b(?:private key|secret key|secret|secrets|password|passwords|token|tokens|credential|credentials|api key|env|environment|cookies?)\b"
PARAM_PROVENANCE = r"\b(?:reading|read|contents?|dump|dumped|leak|leaked|exfil|stolen|harvest|harvested|copied)\b"
