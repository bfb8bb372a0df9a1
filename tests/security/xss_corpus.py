"""XSS payloads for the hostile-forum tests; each one, if it ran, would call alert(<its number>).

RAW payloads reach repapp as markup (a forum that allows HTML, a compromised theme); MARKDOWN
payloads are posted to FlaskBB as a forum user would type them and go through FlaskBB's renderer.
The collection follows the classic vectors (OWASP's filter evasion cheat sheet, PortSwigger's XSS
cheat sheet): script and event handlers, URL schemes with case, entity and whitespace tricks,
frames and plugins, SVG and MathML, CSS, forms, meta refresh and base, and parser-confusion
(mutation) markup that has broken sanitizers before.
"""

from __future__ import annotations

RAW: dict[int, str] = {
    1: "<script>alert(1)</script>",
    2: "<img src=x onerror=alert(2)>",
    3: "<svg onload=alert(3)>",
    4: "<svg><script>alert(4)</script></svg>",
    5: '<a href="javascript:alert(5)">click 5</a>',
    6: '<a href="JaVaScRiPt:alert(6)">click 6</a>',
    7: '<a href="jav&#x09;ascript:alert(7)">click 7</a>',
    8: '<a href=" &#14; javascript:alert(8)">click 8</a>',
    9: '<iframe src="javascript:alert(9)"></iframe>',
    10: '<iframe srcdoc="&lt;script&gt;parent.alert(10)&lt;/script&gt;"></iframe>',
    11: '<object data="javascript:alert(11)"></object>',
    12: '<embed src="javascript:alert(12)">',
    13: "<body onload=alert(13)>",
    14: "<input autofocus onfocus=alert(14)>",
    15: "<details open ontoggle=alert(15)><summary>s</summary>x</details>",
    16: "<video><source onerror=alert(16)></video>",
    17: "<math><mtext><table><mglyph><style><img src=x onerror=alert(17)></style></mglyph></table></mtext></math>",
    18: '<noscript><p title="</noscript><img src=x onerror=alert(18)>"></noscript>',
    19: '<form action="javascript:alert(19)"><button>go 19</button></form>',
    20: '<button formaction="javascript:alert(20)">x 20</button>',
    21: '<meta http-equiv="refresh" content="0;url=javascript:alert(21)">',
    22: '<base href="javascript:alert(22)//">',
    23: '<div style="background-image:url(javascript:alert(23))">x 23</div>',
    24: '<div style="width:expression(alert(24))">x 24</div>',
    25: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgyNSk8L3NjcmlwdD4=">data 25</a>',
    26: '<img src="data:image/svg+xml,&lt;svg onload=alert(26)&gt;">',
    27: "<scr<script>ipt>alert(27)</scr</script>ipt>",
    28: "<!--<img src=x onerror=alert(28)>-->",
    29: '<p title="x"><img src="x" onerror="alert(29)"</p>',
    30: '"><img src=x onerror=alert(30)>',
    31: '<style>@import "javascript:alert(31)";*{background:url("javascript:alert(31)")}</style>',
    32: "<template><img src=x onerror=alert(32)></template>",
    33: "<xss id=x33 tabindex=1 autofocus onfocus=alert(33)>xss 33</xss>",
    34: "<marquee onstart=alert(34)>m 34</marquee>",
    35: '<a href="#" onclick="alert(35)" onmouseover="alert(35)">hover 35</a>',
    36: '<link rel="import" href="data:text/html,&lt;script&gt;alert(36)&lt;/script&gt;">',
    37: '<svg><a xlink:href="javascript:alert(37)"><text x="20" y="20">x 37</text></a></svg>',
    38: "<svg><animate onbegin=alert(38) attributeName=x dur=1s></animate></svg>",
    39: '<img srcset="x 1x" onerror=alert(39)>',
    40: "<textarea><img src=x onerror=alert(40)></textarea>",
    41: "<select><option><img src=x onerror=alert(41)></option></select>",
    42: '<table background="javascript:alert(42)"><tr><td>t 42</td></tr></table>',
    43: "<isindex type=image src=1 onerror=alert(43)>",
    44: '<p style="color:red;background:url(\'https://evil.test/steal\')">styled 44</p>',
    45: '<a href="vbscript:msgbox(45)">vb 45</a>',
    46: "<img src=x:alert(46) onerror=eval(src)>",
    47: '<div onpointerenter="alert(47)">x 47</div>',
    48: "<frameset onload=alert(48)></frameset>",
    49: "<audio src=x onerror=alert(49)></audio>",
    50: '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(50)">ent 50</a>',
    51: '<a href="java\nscript:alert(51)">nl 51</a>',
    52: "<img src=`x`onerror=alert(52)>",
    53: '<object type="text/html" data="data:text/html,&lt;script&gt;alert(53)&lt;/script&gt;"></object>',
    54: '<svg><use href="data:image/svg+xml,&lt;svg id=x onload=alert(54)&gt;#x"></use></svg>',
    55: '<a href="https://ok.example/" style="position:fixed;inset:0" onclick="alert(55)">overlay 55</a>',
}

MARKDOWN: dict[int, str] = {
    101: "<script>alert(101)</script>",
    102: "[click 102](javascript:alert(102))",
    103: "<javascript:alert(103)>",
    104: "![img 104](javascript:alert(104))",
    105: "[click 105](JaVaScRiPt:alert(105))",
    106: "<img src=x onerror=alert(106)>",
    107: "[data 107](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMDcpPC9zY3JpcHQ+)",
    108: '![x 108](x" onerror="alert(108))',
    109: "`<script>alert(109)</script>`",
    110: '<a href="javascript:alert(110)">x 110</a>',
}

# Markdown whose text must reach the inbox literally: FlaskBB escapes it, repapp keeps it escaped.
LITERAL_TEXT = {101: "<script>alert(101)</script>", 106: "<img src=x onerror=alert(106)>"}

# A page that shows one of these anywhere in its markup lets hostile content act.
URL_SCHEMES_FORBIDDEN = ("javascript:", "vbscript:", "data:text", "data:image/svg")
