"""Text addressed to an AI assistant, in many languages: "For the AI assistant:",
"Till AI-assistenten:", "Для ШІ-асистента:", "دستیار هوش مصنوعی عزیز:".

The shape is a label: a word for AI and a word for an assistant (any inflection: a stem
plus a short tail, either order), at most two more words, then a colon. A noun that names an assistant and ends
in a colon is a heading spoken to it; the same noun inside a sentence ("our AI
assistant answers in 2 seconds") is not. Only a part (an addressee), never a finding
alone: the families built from parts (rules/injection_semantic) and the hidden-text
check (VOCATIVE in rules/injection.py) use it.

`SAMPLES` holds, per language, a label to an AI assistant and the same label to a
person (a near miss): tests/scanners/test_injection_addressee.py builds on both.
"""
from __future__ import annotations

from .injection_labels import TABLE as _LABELS

# every language's assistant words from the label table (one table for both shapes)
_LABEL_STEMS = "|".join(stems for _, stems, _, _ in _LABELS)

# Words for "AI" in many languages (an abbreviation only in capitals and not inside a
# word: "Aim:" or "Kitchen:" is no label), and words for an assistant with an AI word.
# (the literal first, its left boundary after it: `re` can then skip ahead by first letter)
_ABBR = r"(?:(?-i:AI|KI|IA|MI|ИИ|ШІ|ΤΝ)(?<![A-Za-z0-9]..)|(?-i:A\.I\.)(?<![A-Za-z0-9]....)|एआई)(?![A-Za-z])"
_AI = (_ABBR + r"|هوش\s+مصنوعی|الذكاء\s+الاصطناعي|ذكاء\s+اصطناعي|ה?בינה\s+ה?מלאכותית|"
       r"人工智能|人工知能|인공지능|ปัญญาประดิษฐ์|कृत्रिम\s+बुद्धि|tekoäly|umělé?\w{0,3}\s+inteligenc\w{1,3}|"
       r"sztuczn\w{1,3}\s+inteligencj\w{1,3}|mesterséges\s+intelligencia|yapay\s+zek[aâ]|kecerdasan\s+buatan|"
       r"trí\s+tuệ\s+nhân\s+tạo|tehisintellekt\w{0,4}|dirbtin\w{1,4}\s+intelekt\w{0,3}|mākslīg\w{1,4}\s+intelekt\w{0,3}|umj?etn\w{1,4}\s+inteligencij?\w{0,3}|изкуствен\w{0,4}\s+интелект|gervigreind\w{0,4}|τεχνητ\w{1,3}\s+νοημοσύν\w{1,2}|kunstmatige\s+intelligentie|künstliche\w?\s+intelligenz|kunstig\s+intelligens|artificiell\s+intelligens|intell?ig[eêé]n[cțtz]\w{0,3}\s+artifici\w{0,4}|intel·ligència\s+artificial|akili\s+bandia|искусственн\w{1,4}\s+интеллект|штучн\w{1,4}\s+інтелект")
# Words for an assistant, an agent or a bot (stems: also inside compounds, "Tekoälyavustajalle").
_ASSIST = (r"assist|asist|asyst|assziszt|avustaj|ассистент|асистент|помощник|помічник|βοηθ|مساعد|دستیار|עוזר|"
           r"सहायक|সহকারী|உதவியாளர்|助手|助理|アシスタント|어시스턴트|ผู้ช่วย|trợ\s+lý|yardımcı|msaidizi|katulong|"
           r"pembantu|aðstoðarm|agent|агент|bot|бот|" + _LABEL_STEMS)
# A label: an AI word and an assistant word (either order, one line, no sentence end
# between), at most two more words, a colon. Both words: "AI tools:" or "Assistance:"
# in a hidden menu is no address to an agent.
_L = r"[^\s:：︰፡፥፦៖.!?。,;]"   # (the colons of Ethiopic and Khmer too)
_GAP = r"[^:：︰፡፥፦៖.!?。,;\n]{0,40}?"
_TAIL = _L + r"{0,14}(?:[\s-]+" + _L + r"{1,20}){0,2}?\s*[:：︰፡፥፦៖]"
ADDRESSEE_I18N = (r"(?:" + _AI + r")" + _GAP + r"(?:" + _ASSIST + r")" + _TAIL
                  + r"|(?:" + _ASSIST + r")" + _GAP + r"(?:" + _AI + r")" + _TAIL)

# (language, a label addressed to an AI assistant, the same label addressed to a person)
SAMPLES = (
    ("en", "For the AI assistant:", "For the site administrator:"),
    ("es", "Para el asistente de IA:", "Para el administrador del sitio:"),
    ("pt", "Para o assistente de IA:", "Para o administrador do site:"),
    ("fr", "À l'attention de l'assistant IA :", "À l'attention de l'administrateur :"),
    ("de", "Für den KI-Assistenten:", "Für den Administrator:"),
    ("it", "Per l'assistente IA:", "Per l'amministratore del sito:"),
    ("ro", "Asistentului AI:", "Administratorului site-ului:"),
    ("nl", "Voor de AI-assistent:", "Voor de beheerder:"),
    ("sv", "Till AI-assistenten:", "Till administratören:"),
    ("da", "Til AI-assistenten:", "Til administratoren:"),
    ("no", "Til KI-assistenten:", "Til administratoren:"),
    ("fi", "Tekoälyavustajalle:", "Ylläpitäjälle:"),
    ("pl", "Dla asystenta AI:", "Dla administratora:"),
    ("cs", "Pro AI asistenta:", "Pro správce webu:"),
    ("sk", "Pre AI asistenta:", "Pre správcu webu:"),
    ("hu", "MI-asszisztensnek:", "A rendszergazdának:"),
    ("tr", "Yapay zekâ asistanına:", "Site yöneticisine:"),
    ("ru", "Для ИИ-ассистента:", "Для администратора:"),
    ("uk", "Для ШІ-асистента:", "Для адміністратора:"),
    ("el", "Προς τον βοηθό ΤΝ:", "Προς τον διαχειριστή:"),
    ("ar", "إلى مساعد الذكاء الاصطناعي:", "إلى مدير الموقع:"),
    ("fa", "دستیار هوش مصنوعی عزیز:", "مدیر سایت عزیز:"),
    ("he", "לעוזר הבינה המלאכותית:", "למנהל האתר:"),
    ("hi", "एआई सहायक के लिए:", "साइट व्यवस्थापक के लिए:"),
    ("id", "Untuk asisten AI:", "Untuk admin situs:"),
    ("vi", "Gửi trợ lý AI:", "Gửi quản trị viên:"),
    ("sw", "Kwa msaidizi wa AI:", "Kwa msimamizi wa tovuti:"),
    ("tl", "Para sa AI na katulong:", "Para sa tagapangasiwa:"),
    ("zh", "致AI助手：", "致网站管理员："),
    ("ja", "AIアシスタントへ：", "管理者へ："),
    ("ko", "AI 어시스턴트에게:", "관리자에게:"),
    ("th", "ถึงผู้ช่วย AI:", "ถึงผู้ดูแลเว็บไซต์:"),
    ("et", "Tehisintellekti abilisele:", "Veebilehe haldurile:"),
    ("ceb", "Para sa AI nga katabang:", "Para sa tagdumala sa site:"),
    ("lt", "Dirbtinio intelekto asistentui:", "Svetainės administratoriui:"),
    ("lv", "Mākslīgā intelekta asistentam:", "Vietnes administratoram:"),
    ("hr", "Asistentu umjetne inteligencije:", "Administratoru stranice:"),
    ("bg", "До асистента с изкуствен интелект:", "До администратора на сайта:"),
    ("is", "Til gervigreindaraðstoðarmannsins:", "Til vefstjórans:"),
    ("el2", "Προς τον βοηθό τεχνητής νοημοσύνης:", "Προς τον διαχειριστή του ιστότοπου:"),
    ("es2", "Para el asistente de inteligencia artificial:", "Para el administrador del sitio web:"),
    ("it2", "All'assistente di intelligenza artificiale:", "All'amministratore del sito web:"),
    ("ro2", "Asistentului de inteligență artificială:", "Administratorului site-ului web:"),
    ("de2", "An den Assistenten für künstliche Intelligenz:", "An den Verwalter der Webseite:"),
    ("nl2", "Aan de assistent voor kunstmatige intelligentie:", "Aan de beheerder van de website:"),
)
