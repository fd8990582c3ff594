"""A label addressed to an assistant, in ~90 languages: "Til aðstoðarmannsins:",
"Kumsizi:", "Көмекшіге ескерту:", "សម្រាប់ជំនួយការ៖", "Al la asistanto:".

Unlike rules/injection_addressee (a word for AI AND a word for an assistant), one word for
an assistant or helper is enough here, so the label is weaker: it is only a part of
agent_file_exfiltration, whose anchor already holds a credential file (or a secret
variable) and a place to send it in one sentence. The label is what makes that sentence
an order to the agent rather than a runbook step for a person ("Для администратора:").

Shape: at the start of a segment (line, quote, markup value, sentence), at most two words
around one word holding an assistant stem (any inflection, also inside a compound or an
unspaced script), then a colon (any script's: "：", "፡", "៖") or a vocative comma. The
stems come from one table: per language, its words for an assistant / helper, including
the loanword "assistant" in its script. Admin, operator and reader words are never in it.

`SAMPLES` holds per language a label to an assistant and the same label to a person;
tests/scanners/test_injection_labels.py builds true positives and near misses from them.
"""
from __future__ import annotations

# (language, assistant stems (regex alternation, matched case-insensitively), a label to
# an assistant, the same label to a person)
TABLE: tuple[tuple[str, str, str, str], ...] = (
    ("en", r"assistant|chatbot|copilot", "Assistant:", "Administrator:"),
    ("es", r"asistente", "Para el asistente:", "Para el administrador:"),
    ("pt", r"assistente", "Para o assistente:", "Para o administrador:"),
    ("fr", r"assistant", "À l'assistant :", "À l'administrateur :"),
    ("it", r"assistente", "All'assistente:", "All'amministratore:"),
    ("ca", r"assistent", "A l'assistent:", "A l'administrador:"),
    ("gl", r"asistente", "Ao asistente:", "Ao administrador:"),
    ("eu", r"laguntzaile", "Laguntzaileari:", "Administratzaileari:"),
    ("ro", r"asistent", "Asistentului:", "Administratorului:"),
    ("de", r"assistent", "An den Assistenten:", "An den Verwalter:"),
    ("nl", r"assistent", "Aan de assistent:", "Aan de beheerder:"),
    ("af", r"assistent", "Aan die assistent:", "Aan die bestuurder:"),
    ("sv", r"assistent", "Till assistenten:", "Till förvaltaren:"),
    ("da", r"assistent", "Til assistenten:", "Til administratoren:"),
    ("no", r"assistent", "Til assistenten:", "Til forvalteren:"),
    ("is", r"aðstoðarm|adstodarm", "Til aðstoðarmannsins:", "Til stjórnandans:"),
    ("fo", r"hjálpar", "Til hjálparan:", "Til umsitaran:"),
    ("fi", r"avustaj|assistentti", "Avustajalle:", "Ylläpitäjälle:"),
    ("et", r"assisten[dt]|(?<![^\W\d_])abili(?:ne|s)", "Assistendile:", "Haldurile:"),
    ("lv", r"asistent|palīg|palig", "Asistentam:", "Administratoram:"),
    ("lt", r"asistent|pagalbinink", "Asistentui:", "Administratoriui:"),
    ("pl", r"asystent", "Do asystenta:", "Do administratora:"),
    ("cs", r"asistent", "Asistentovi:", "Správci:"),
    ("sk", r"asistent", "Asistentovi:", "Správcovi:"),
    ("sl", r"asistent|pomočnik|pomocnik", "Pomočniku:", "Skrbniku:"),
    ("hr", r"asistent|pomoćnik|pomocnik", "Pomoćniku:", "Administratoru:"),
    ("sr", r"асистент|помоћник|asistent|pomoćnik", "Помоћнику:", "Администратору:"),
    ("bg", r"асистент|помощник", "До асистента:", "До администратора:"),
    ("mk", r"асистент|помошник", "До асистентот:", "До администраторот:"),
    ("ru", r"ассистент|помощник", "Помощнику:", "Администратору:"),
    ("uk", r"асистент|помічник", "Помічнику:", "Адміністраторові:"),
    ("be", r"асістэнт|памочнік", "Памочніку:", "Адміністратару:"),
    ("hu", r"asszisztens|segéd", "Az asszisztensnek:", "A rendszergazdának:"),
    ("sq", r"asistent|ndihmës|ndihmes", "Për asistentin:", "Për administratorin:"),
    ("el", r"βοηθ|ασίσταντ", "Προς τον βοηθό:", "Προς τον διαχειριστή:"),
    ("mt", r"assistent", "Lill-assistent:", "Lill-amministratur:"),
    ("cy", r"cynorthwy", "I'r cynorthwyydd:", "I'r gweinyddwr:"),
    ("ga", r"c?h?úntóir|c?h?untoir", "Don chúntóir:", "Don riarthóir:"),
    ("eo", r"asistant|helpant", "Al la asistanto:", "Al la administranto:"),
    ("tr", r"asistan|yardımcı|yardimci", "Asistana:", "Yöneticiye:"),
    ("az", r"köməkçi|komekci|asistent", "Köməkçi üçün:", "İnzibatçı üçün:"),
    ("uz", r"yordamchi|ёрдамчи|assistent", "Yordamchi uchun:", "Administrator uchun:"),
    ("kk", r"көмекші|ассистент|komekshi", "Көмекшіге:", "Әкімшіге:"),
    ("ky", r"жардамчы", "Жардамчыга:", "Администраторго:"),
    ("tg", r"ёрдамчӣ|ёрдамчи|ёвар", "Ба ёрдамчӣ:", "Ба маъмур:"),
    ("tk", r"kömekç|komekc", "Kömekçä:", "Dolandyryja:"),
    ("mn", r"туслах", "Туслахад:", "Админд:"),
    ("ka", r"ასისტენტ|დამხმარე", "ასისტენტისთვის:", "ადმინისტრატორისთვის:"),
    ("hy", r"օգնական|ասիստենտ", "Օգնականին:", "Ադմինիստրատորին:"),
    ("he", r"עוזר|אסיסטנט", "לעוזר:", "למנהל:"),
    ("ar", r"مساعد|المساعد", "إلى المساعد:", "إلى المدير:"),
    ("fa", r"دستیار", "برای دستیار:", "برای مدیر:"),
    ("ur", r"معاون|اسسٹنٹ", "معاون کے لیے:", "منتظم کے لیے:"),
    ("ps", r"مرستندوی|مرستیال", "مرستندوی ته:", "مدیر ته:"),
    ("ku", r"alîkar|alikar|یاریدەدەر", "Ji alîkar re:", "Ji rêveber re:"),
    ("hi", r"सहायक|असिस्टेंट", "सहायक के लिए:", "प्रबंधक के लिए:"),
    ("mr", r"सहाय्यक|सहायक", "सहाय्यकासाठी:", "व्यवस्थापकासाठी:"),
    ("ne", r"सहायक", "सहायकका लागि:", "प्रशासकका लागि:"),
    ("bn", r"সহকারী|সহায়ক", "সহকারীর জন্য:", "প্রশাসকের জন্য:"),
    ("pa", r"ਸਹਾਇਕ", "ਸਹਾਇਕ ਲਈ:", "ਪ੍ਰਬੰਧਕ ਲਈ:"),
    ("gu", r"સહાયક", "સહાયક માટે:", "વ્યવસ્થાપક માટે:"),
    ("or", r"ସହାୟକ", "ସହାୟକ ପାଇଁ:", "ପରିଚାଳକ ପାଇଁ:"),
    ("ta", r"உதவியாளர்|உதவியாளரு|அசிஸ்டன்ட்", "உதவியாளருக்கு:", "நிர்வாகிக்கு:"),
    ("te", r"సహాయకు|సహాయక|అసిస్టెంట్", "సహాయకుడికి:", "నిర్వాహకుడికి:"),
    ("kn", r"ಸಹಾಯಕ", "ಸಹಾಯಕರಿಗೆ:", "ನಿರ್ವಾಹಕರಿಗೆ:"),
    ("ml", r"സഹായി|അസിസ്റ്റന്റ", "സഹായിക്ക്:", "അഡ്മിനിസ്ട്രേറ്റർക്ക്:"),
    ("si", r"සහායක|සහායකය", "සහායකයාට:", "පරිපාලකට:"),
    ("my", r"လက်ထောက်", "လက်ထောက်အတွက်:", "စီမံခန့်ခွဲသူအတွက်:"),
    ("th", r"ผู้ช่วย", "ถึงผู้ช่วย:", "ถึงผู้ดูแลระบบ:"),
    ("lo", r"ຜູ້ຊ່ວຍ", "ສຳລັບຜູ້ຊ່ວຍ:", "ສຳລັບຜູ້ດູແລ:"),
    ("km", r"ជំនួយការ", "សម្រាប់ជំនួយការ៖", "សម្រាប់អ្នកគ្រប់គ្រង៖"),
    ("vi", r"trợ\s+lý|tro\s+ly", "Gửi trợ lý:", "Gửi quản trị viên:"),
    ("id", r"asisten", "Untuk asisten:", "Untuk pengelola:"),
    ("ms", r"pembantu|asisten", "Kepada pembantu:", "Kepada pentadbir:"),
    ("jv", r"asistèn|asisten|pambiyantu", "Kanggo asistèn:", "Kanggo pangurus:"),
    ("tl", r"katulong|asistant", "Para sa katulong:", "Para sa tagapangasiwa:"),
    ("sw", r"msaidizi", "Kwa msaidizi:", "Kwa msimamizi:"),
    ("zu", r"msizi", "Kumsizi:", "Kumphathi:"),
    ("xh", r"ncedisi", "Kumncedisi:", "Kumlawuli:"),
    ("am", r"ረዳት|ረዳቱ", "ለረዳቱ፦", "ለአስተዳዳሪው፦"),
    ("ti", r"ሓጋዚ", "ንሓጋዚ፡", "ንኣመሓዳሪ፡"),
    ("so", r"caawiy|kaaliy", "Caawiye:", "Maamule:"),
    ("ha", r"mataimak", "Ga mataimaki:", "Ga mai gudanarwa:"),
    ("yo", r"olùrànlọ́wọ́|oluranlowo", "Sí olùrànlọ́wọ́:", "Sí alákòóso:"),
    ("ig", r"onye\s+enyemaka", "Nye onye enyemaka:", "Nye onye nchịkwa:"),
    ("mg", r"mpanampy", "Ho an'ny mpanampy:", "Ho an'ny mpitantana:"),
    ("fy", r"assistint", "Oan de assistint:", "Oan de behearder:"),
    ("br", r"skoazell", "D'ar skoazeller:", "D'ar merour:"),
    ("gd", r"cuidea?ch|cuidich", "Don neach-cuideachaidh:", "Don rianaire:"),
    ("la", r"adiutor|adjutor", "Adiutori:", "Procuratori:"),
    ("yi", r"אַסיסטענט|אסיסטענט|געהילף", "צום אַסיסטענט:", "צום פֿאַרוואַלטער:"),
    ("tt", r"ярдәмче", "Ярдәмчегә:", "Идарәчегә:"),
    ("ba", r"ярҙамсы", "Ярҙамсыға:", "Идарасыға:"),
    ("ug", r"ياردەمچى|ياردەمچي", "ياردەمچىگە:", "باشقۇرغۇچىغا:"),
    ("sd", r"مددگار", "مددگار لاءِ:", "منتظم لاءِ:"),
    ("as", r"সহকাৰী|সহায়ক", "সহকাৰীৰ বাবে:", "পৰিচালকৰ বাবে:"),
    ("bo", r"རོགས་རམ", "རོགས་རམ་པར།:", "དོ་དམ་པར།:"),
    ("dv", r"އެހީތެރި", "އެހީތެރިޔާއަށް:", "ވެރިޔާއަށް:"),
    ("su", r"asistén|asisten", "Pikeun asistén:", "Pikeun pangurus:"),
    ("ceb", r"katabang", "Sa katabang:", "Sa tagdumala:"),
    ("mi", r"kaiāwhina|kaiawhina", "Ki te kaiāwhina:", "Ki te kaiwhakahaere:"),
    ("sm", r"fesoasoani", "I le fesoasoani:", "I le pule:"),
    ("haw", r"mea\s+kōkua|mea\s+kokua", "I ka mea kōkua:", "I ka luna:"),
    ("rw", r"mufasha", "Ku mufasha:", "Ku muyobozi:"),
    ("sn", r"mubatsiri|batsiri", "Kumubatsiri:", "Kumutungamiri:"),
    ("st", r"mothusi|mothuši", "Ho mothusi:", "Ho motsamaisi:"),
    ("ny", r"wothandiz|othandiz", "Kwa wothandizira:", "Kwa woyang'anira:"),
    ("om", r"gargaar", "Gargaaraaf:", "Bulchaaf:"),
    ("ln", r"mosungi", "Epai ya mosungi:", "Epai ya mokambi:"),
    ("qu", r"yanapa", "Yanapaqman:", "Kamachiqman:"),
    ("ay", r"yanapi", "Yanapirina:", "Apnaqirina:"),
    ("gn", r"pytyvõ|pytyvo", "Pytyvõhárape:", "Sambyhyhárape:"),
    ("ht", r"asistan", "Pou asistan an:", "Pou administratè a:"),
    ("zh", r"助手|助理", "致助手：", "致管理员："),
    ("ja", r"アシスタント|助手", "アシスタントへ：", "管理者へ："),
    ("ko", r"어시스턴트|도우미|비서", "어시스턴트에게:", "관리자에게:"),
)

# A token of a label: no space and no sentence or label punctuation (combining marks of
# Brahmic and Southeast Asian scripts are not \w, so a negative class, not \w).
_T = r"[^\s:：︰፡፥፦៖.,，、!?。;\"'“”«»<>()\[\]{}|=*#/\\]"
_STEMS = "|".join(stems for _, stems, _, _ in TABLE)
# Where a label may start: the text's start, or after a line break, markup, a quote, a
# list or comment marker, a key's colon, or a sentence end and a space.
_START = (r"(?:^|(?<=[\n\r>\"'“«(\[|*#%/=•·–—\-:;])|(?<=[\n\r>\"'“«(\[|*#%/=•·–—\-:;]\s)|(?<=[.!?。։።؟।]\s)"
          r"|(?<=[.!?。։።؟।]\s\s))[ \t]*")   # (an indented line: a YAML block, a code comment)
# (an elided article or preposition belongs to the next word: "l'assistant", "I'r", "D'ar")
_TA = r"(?:" + _T + r"|['’](?=[^\W\d_]))"
_WORD = _TA + r"{1,24}"
_ABBR = r"(?<![A-Za-zА-Яа-яЁёІі])(?-i:AI|KI|LLM|ИИ|ШІ)"
# a full stop used as a colon after a label ("Օգնականին."): only in scripts whose own full
# stop is another mark (Armenian, Ethiopic, Indic, Burmese, Khmer, Tibetan, Thai, Lao, CJK)
_OWN_STOP = r"\u0530-\u058f\u1200-\u139f\u0900-\u0d7f\u1000-\u109f\u1780-\u17ff\u0f00-\u0fff\u0e00-\u0eff\u3040-\u30ff\u4e00-\u9fff"
# after the word: at most two words and a colon of any script, a vocative comma right after
# it, or that script's dot
_END = (r"(?:(?:\s+" + _WORD + r"){0,2}?\s*[:：︰፡፥፦៖]|\s*[,，、،](?=\s)|(?<=[" + _OWN_STOP + r"])\.(?=\s))")
# At most two words, then a word holding an assistant stem (anywhere in it: compounds and
# unspaced scripts) or an AI abbreviation (a tail only after a hyphen: "AI-ისთვის:"), then
# _END. The match stops at the stem (the rest is a lookahead): the prefilter's superset is
# then the stems alone, a literal set, and an abbreviation with the one character after it
# (caseless there, so "ai" inside a word such as "details" is not a candidate).
LABEL = (_START + r"(?:" + _WORD + r"\s+){0,2}?" + _TA + r"{0,14}(?#hs)(?:(?:" + _STEMS + r")(?=" + _T + r"{0,16}"
         + _END + r")|" + _ABBR + r"(?=(?:[\-‐]" + _T + r"{1,16})?" + _END + r")[\-‐:：,，])")

SAMPLES = tuple((lang, ai, human) for lang, _, ai, human in TABLE)

# A label that is more than a bare name: a speaker tag in a chat transcript is the noun
# alone ("Assistant:", "Asistente:", "AI:"); an order is addressed to it ("To the assistant:",
# "Asistentui:", "Kumsizi:", "Для ИИ-агента:", "À l'assistant :"). As an anchor it ends at
# the stem (the prefilter's superset is the stems, a literal set; a consumed tail made the
# database measurably slower), and its family's reach lets the confirm window see the rest.
# (an abbreviation only right before a hyphen or a colon: the prefilter is caseless, and
# "ai " or "ии " end words in Italian or Russian prose)
_AT_STEM = r"(?:(?:" + _STEMS + r")(?=" + _T + r"{0,16}" + _END + r")|" + _ABBR + r"(?=(?:[\-‐]" + _T + r"{1,16})?" + _END + r")[\-‐:：])"
ADDRESSED = (_START + r"(?:(?<=[^\W\d_]['’])|(?!(?:" + _STEMS + r"|" + _ABBR + r")[ \t]*[:：︰፡፥፦៖,，、،.](?:\s|$)))(?:" + _WORD
             + r"\s+){0,2}?" + _TA + r"{0,14}(?#hs)" + _AT_STEM)
ADDRESSED_REACH = 80   # the rest of the label after its stem (a lookahead: Family.reach)

# What an order names that a reader recognises in any language: words every script
# borrows (API, token, password, cookie, prompt), a secret variable or credential file
# (added by the family), a download piped to a shell, a URL left open for data ("?d=").
LOANED_SECRET = (
    r"(?<![A-Za-z])(?-i:API)(?![a-z])|\btokens?\b|токен|توکن|توكن|טוקן|टोकन|টোকেন|トークン|토큰|令牌|ტოკენ|թոքեն|"
    r"\bpasswor|\bparol|парол|پسورد|パスワード|패스워드|密码|密碼|პაროლ|գաղտնաբառ|"
    r"\bcookies?\b|куки|クッキー|쿠키|کوکی|كوكي|\bprompts?\b|промпт|پرامپت|プロンプト|프롬프트|提示词|პრომპტ|"
    r"\b(?:curl|wget)\s+-|\|\s*(?:ba|z)?sh\b|"
    r"(?:https?://\S{1,200}?[?&][\w-]{1,20}=(?:$|[\s\"'<)\].,;]|\{[^}\s]{1,30}\}|<[^>\s]{1,30}>|\$\{?\w))"
)


def stem_then(obj: str) -> str:
    """An assistant stem with `obj` later on its line (a part: searched in the paragraph,
    its prefilter superset is the stems alone)."""
    return (r"(?#hs)(?:(?:" + _STEMS + r")|" + _ABBR + r"[\-‐:：])(?=[^\n]{0,300}?(?:" + obj + r"))")
