"""One self-contained HTML report (inline CSS, inline SVG charts, a small inline filter
script pinned by a CSP hash; no network). Every value from the evidence is HTML-escaped,
and no evidence text is ever placed inside the script."""
from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import Any

from .gaps import describe

COLORS = {"allow": "#3a7d44", "block": "#c0392b", "warn": "#d68910", "strip": "#7d3c98", "other": "#7f8c8d"}
MAX_BUCKETS = 120
TOP = 15
TIMELINES = 50

SCRIPT = """
(function(){
  var q=document.getElementById('q'), rows=document.querySelectorAll('#blocks tbody tr'),
      shown=document.getElementById('shown');
  function run(){
    var s=q.value.toLowerCase(), n=0;
    for(var i=0;i<rows.length;i++){
      var hit=rows[i].textContent.toLowerCase().indexOf(s)>=0;
      rows[i].style.display=hit?'':'none'; if(hit)n++;
    }
    shown.textContent=String(n);
  }
  q.addEventListener('input',run); run();
})();
"""

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
.ok{background:#e8f5e9;border:2px solid #3a7d44;padding:10px}
.bad{background:#fdecea;border:2px solid #c0392b;padding:10px}
.warn{background:#fff8e1;border:1px solid #d68910;padding:8px}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;
vertical-align:top;font-size:13px}th{background:#f4f4f4}code{font-size:12px;word-break:break-all}
.num{text-align:right}.cards span{display:inline-block;margin:0 18px 8px 0}
.cards b{font-size:20px;display:block}.diff td{width:50%;font-family:monospace;white-space:pre-wrap}
.old{background:#fdecea}.new{background:#e8f5e9}
"""


def e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def render(data: dict, inputs: list[str], generated: str) -> str:
    d = data["digest"]
    sha = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{sha}'; img-src data:; "
           "connect-src 'none'; form-action 'none'; base-uri 'none'")
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{e(csp)}">',
           '<meta name="referrer" content="no-referrer"><title>ringfence evidence report</title>',
           f"<style>{CSS}</style></head><body>",
           "<h1>ringfence evidence report</h1>",
           f"<p>Generated {e(generated)} from {e(', '.join(inputs))}</p>"]
    out += _status(data)
    out += _gaps(data)
    out += _cards(d)
    out.append("<h2>Decisions over time</h2>")
    fine = d.get("timeline_s_full") and len(d.get("timeline_s") or {}) > len(d["timeline"])
    out.append(_timeline_svg(d["timeline_s"] if fine else d["timeline"]))
    out.append("<h2>Blocks by scanner</h2>")
    out.append(_bars(d["block_scanners"], "block"))
    out.append("<h2>Blocks by rule</h2>")
    out.append(_bars(d["block_rules"], "block"))
    out.append("<h2>Top destinations</h2>")
    out.append(_bars(d["destinations"], "allow"))
    out.append("<h2>Top tools</h2>")
    out.append(_bars(d["tools"], "allow"))
    out.append("<h2>Top MCP servers</h2>")
    out.append(_bars(_servers(d), "allow"))
    out += _sessions(d)
    out += _blocks(d)
    out += _rugpulls(d)
    out.append(f"<script>{SCRIPT}</script></body></html>")
    return "\n".join(out)


def _status(data: dict) -> list[str]:
    logs = data["logs"]
    if data["valid"] and data["sealed"]:
        own = sum(i.get("sig_checked", 0) for i in logs)
        via = sum(i.get("sig_by_checkpoint", 0) for i in logs)
        how = (f" ({own} by their own signature, {via} through signed checkpoints over the hash chain)"
               if via else "")
        head = f'<div class="ok" id="status"><b>VALID AND SEALED</b>: {len(logs)} log(s); every receipt ' \
               f"authenticated{how}; every chain link and seal verified" + \
               (f"; signers checked against roster {e(data['roster'])}" if data.get("roster") else "") + ".</div>"
    elif data["valid"]:
        head = '<div class="warn" id="status"><b>VALID, BUT THE END IS NOT PROVEN</b> for some logs ' \
               "(see below): what is there verifies.</div>"
    else:
        bad = [i for i in logs if not i["valid"]]
        head = f'<div class="bad" id="status"><b>INVALID</b>: {len(bad)} of {len(logs)} log(s) failed ' \
               "verification. Numbers below include only what was read before each failure.<ul>" + \
               "".join(f"<li><code>{e(i['session'])}</code>: {e(i['error'])}"
                       + (f" (at seq {e(i['broken_at_seq'])})" if i.get("broken_at_seq") is not None else "")
                       + "</li>" for i in bad) + "</ul></div>"
    rows = ["<h2>Verification per log</h2><table><tr><th>log (session)</th><th>files</th><th>receipts</th>"
            "<th>status</th><th>detail</th><th>signer</th></tr>"]
    for i in logs:
        status = "valid and sealed" if i["valid"] and i["sealed"] else ("valid, end not proven" if i["valid"]
                                                                        else "INVALID")
        detail = i["error"] if not i["valid"] else i.get("tail", "")
        if i.get("rotation"):
            detail += f" key rotation endorsed by both keys; linked to prior chain: {i['rotation'].get('linked', '?')}"
        rows.append(f"<tr><td><code>{e(i['session'])}</code></td><td class=num>{len(i.get('files', []))}</td>"
                    f"<td class=num>{i.get('count', 0)}</td><td>{e(status)}</td><td>{e(detail)}</td>"
                    f"<td><code>{e((i.get('signer_key') or '')[:16])}</code></td></tr>")
    rows.append("</table>")
    return [head] + rows


def _gaps(data: dict) -> list[str]:
    if not data["gaps"]:
        return ["<h2>Evidence gaps</h2><p id=gaps>None: every intent has an outcome, every session that opened "
                "closed, no heartbeat window is missing.</p>"]
    return ["<h2>Evidence gaps</h2><ul id=gaps>"] + \
        [f"<li>{e(describe(g))} <code>{e(g.get('session', ''))}</code></li>" for g in data["gaps"]] + ["</ul>"]


def _cards(d: dict) -> list[str]:
    v = d["verdicts"]
    items = [("decisions", d["decisions"]), ("blocked", v.get("block", 0)), ("allowed", v.get("allow", 0)),
             ("warned", v.get("warn", 0)), ("sessions", len(d["sessions"])), ("intents", d["intents"]),
             ("outcomes", d["outcomes"]), ("all receipts", d["total"])]
    mode = ", ".join(f"{k} ({n})" for k, n in d["modes"].items()) or "not recorded"
    return ['<h2>Summary</h2><div class="cards">'] + [f"<span><b>{n}</b>{e(k)}</span>" for k, n in items] + \
        [f"</div><p>Enforcement mode (from session receipts): {e(mode)}</p>"]


def _rebucket(tl: dict) -> list[tuple[str, dict]]:
    keys = sorted(tl)
    if len(keys) <= MAX_BUCKETS:
        return [(k, tl[k]) for k in keys]
    step = -(-len(keys) // MAX_BUCKETS)
    out = []
    for i in range(0, len(keys), step):
        agg: dict = {}
        for k in keys[i:i + step]:
            for v, n in tl[k].items():
                agg[v] = agg.get(v, 0) + n
        out.append((keys[i], agg))
    return out


def _timeline_svg(tl: dict) -> str:
    buckets = _rebucket(tl)
    if not buckets:
        return "<p>No decisions.</p>"
    w, h, pad = 1000, 220, 30
    peak = max(sum(b.values()) for _, b in buckets) or 1
    bw = (w - pad) / len(buckets)
    parts = [f'<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 40}" '
             f'role="img" aria-label="decisions over time">']
    for i, (label, b) in enumerate(buckets):
        y = h
        for verdict in ("allow", "warn", "strip", "block"):
            n = b.get(verdict, 0)
            if not n:
                continue
            bh = n / peak * (h - 10)
            y -= bh
            parts.append(f'<rect x="{pad + i * bw:.1f}" y="{y:.1f}" width="{max(bw - 1, 1):.1f}" height="{bh:.1f}" '
                         f'fill="{COLORS[verdict]}"><title>{e(label)} {verdict} {n}</title></rect>')
        other = sum(n for k, n in b.items() if k not in ("allow", "warn", "strip", "block"))
        if other:
            bh = other / peak * (h - 10)
            y -= bh
            parts.append(f'<rect x="{pad + i * bw:.1f}" y="{y:.1f}" width="{max(bw - 1, 1):.1f}" '
                         f'height="{bh:.1f}" fill="{COLORS["other"]}"/>')
    parts.append(f'<text x="0" y="12" font-size="11">{peak}</text>')
    parts.append(f'<text x="{pad}" y="{h + 16}" font-size="11">{e(buckets[0][0])}Z</text>')
    parts.append(f'<text x="{w - 130}" y="{h + 16}" font-size="11">{e(buckets[-1][0])}Z</text>')
    x = pad
    for verdict in ("allow", "warn", "block", "strip"):
        parts.append(f'<rect x="{x}" y="{h + 26}" width="10" height="10" fill="{COLORS[verdict]}"/>'
                     f'<text x="{x + 14}" y="{h + 35}" font-size="11">{verdict}</text>')
        x += 70
    parts.append("</svg>")
    return "".join(parts)


def _bars(counts: dict, kind: str) -> str:
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    if not top:
        return "<p>None.</p>"
    peak = top[0][1] or 1
    rows = []
    for name, n in top:
        wpx = max(1, int(n / peak * 400))
        rows.append(f'<tr><td><code>{e(name)}</code></td><td class=num>{n}</td><td><svg width="{wpx}" height="12">'
                    f'<rect width="{wpx}" height="12" fill="{COLORS[kind]}"/></svg></td></tr>')
    more = f"<p>{len(counts) - TOP} more not shown.</p>" if len(counts) > TOP else ""
    return "<table>" + "".join(rows) + "</table>" + more


def _servers(d: dict) -> dict:
    out: dict = {}
    for s in d["sessions"].values():
        server = (s.get("open") or {}).get("server")
        if server and s["n"]:
            out[server] = out.get(server, 0) + s["n"]
    return out


def _spark(buckets: dict) -> str:
    keys = sorted(buckets)
    if not keys:
        return ""
    peak = max(b[0] for b in buckets.values()) or 1
    w = 300
    bw = w / len(keys)
    parts = [f'<svg width="{w}" height="24">']
    for i, k in enumerate(keys):
        n, bl = buckets[k]
        hh = max(1.0, n / peak * 22)
        hb = hh * bl / n if n else 0.0
        x, wd = f"{i * bw:.1f}", f"{max(bw - 0.5, 0.5):.1f}"
        parts.append(f'<rect x="{x}" y="{24 - hh:.1f}" width="{wd}" height="{hh - hb:.1f}" fill="{COLORS["allow"]}">'
                     f'<title>{e(k)}: {n} ({bl} blocked)</title></rect>')
        if hb:
            parts.append(f'<rect x="{x}" y="{24 - hb:.1f}" width="{wd}" height="{hb:.1f}" fill="{COLORS["block"]}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _sessions(d: dict) -> list[str]:
    ss = sorted(d["sessions"].items(), key=lambda kv: -kv[1]["n"])[:TIMELINES]
    rows = ["<h2>Sessions</h2><table id=sessions><tr><th>session</th><th>kind / server</th><th>from</th><th>to</th>"
            "<th>decisions</th><th>blocks</th><th>closed</th><th>timeline</th></tr>"]
    for sid, s in ss:
        op = s.get("open") or {}
        kind = " ".join(x for x in (op.get("kind", ""), op.get("server", "")) if x) or "-"
        rows.append(f"<tr><td><code>{e(sid)}</code></td><td>{e(kind)}</td><td>{e(s['first'])}</td>"
                    f"<td>{e(s['last'])}</td><td class=num>{s['n']}</td><td class=num>{s['blocks']}</td>"
                    f"<td>{e(s['closed'] or ('no' if op else 'n/a'))}</td>"
                    f"<td>{_spark(s['buckets_s'] if s.get('buckets_s_full') and len(s['buckets_s']) > len(s['buckets']) else s['buckets'])}</td></tr>")
    rows.append("</table>")
    if len(d["sessions"]) > TIMELINES:
        rows.append(f"<p>{len(d['sessions']) - TIMELINES} smaller sessions not shown.</p>")
    return rows


def _blocks(d: dict) -> list[str]:
    rows = d["rows"]
    out = ["<h2>Blocked actions</h2>",
           f'<p><label>Search: <input id="q" type="search" placeholder="target, rule, receipt id"></label> '
           f'<span id="shown">{len(rows)}</span> of {len(rows)} rows shown'
           + (f"; the table holds the first {len(rows)} of {d['blocks']} blocks" if d["blocks"] > len(rows) else "")
           + "</p>",
           '<table id="blocks"><thead><tr><th>time</th><th>target</th><th>rule</th><th>excerpt (redacted)</th>'
           "<th>receipt id</th><th>session</th></tr></thead><tbody>"]
    for ts, sid, target, rule, intent, rid, transport, sev in rows:
        out.append(f"<tr><td>{e(ts)}</td><td><code>{e(target)}</code></td><td>{e(rule)}</td><td>{e(intent)}</td>"
                   f"<td><code>{e(rid)}</code></td><td><code>{e(sid)}</code></td></tr>")
    out.append("</tbody></table>")
    return out


_PAREN = re.compile(r"\((.*)\)\s*$", re.S)


def diff_rows(intent: str) -> list[tuple[str, str]]:
    """What a rug-pull receipt says changed, as (approved, now) pairs."""
    m = _PAREN.search(intent or "")
    text = m.group(1) if m else ""
    pairs = []
    for bit in [b for b in text.split("; ") if b]:
        g = re.match(r"description grew by (\d+) chars: '(.*)'?$", bit)
        c = re.match(r"description changed \((\d+) -> (\d+) chars\) at (\d+): '(.*)'?$", bit)
        if g:
            pairs.append(("description (as approved)", f"description + {g.group(1)} chars: {g.group(2).rstrip(chr(39))}"))
        elif c:
            pairs.append((f"description ({c.group(1)} chars), same up to char {c.group(3)}",
                          f"description ({c.group(2)} chars) from char {c.group(3)}: {c.group(4).rstrip(chr(39))}"))
        elif bit.startswith("param added: "):
            pairs.append(("-", "+ param " + bit[len("param added: "):]))
        elif bit.startswith("param removed: "):
            pairs.append(("param " + bit[len("param removed: "):], "- removed"))
        else:
            pairs.append(("(approved definition)", bit))
    return pairs or [("(approved definition)", "definition changed")]


def _rugpulls(d: dict) -> list[str]:
    out = ["<h2>Rug-pulls (tool definitions changed after approval)</h2>"]
    if not d["rugpulls"]:
        return out + ["<p>None.</p>"]
    for ts, sid, tool, rule, intent, rid, verdict in d["rugpulls"]:
        out.append(f"<p><b><code>{e(tool)}</code></b> {e(rule)} ({e(verdict)}) at {e(ts)}, receipt "
                   f"<code>{e(rid)}</code></p><table class=diff><tr><th>approved</th><th>now</th></tr>")
        for old, new in diff_rows(intent):
            out.append(f"<tr><td class=old>{e(old)}</td><td class=new>{e(new)}</td></tr>")
        out.append("</table>")
    return out
