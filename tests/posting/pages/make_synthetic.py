"""Build the synthetic posting pages from the real saved ones (run: python make_synthetic.py).

The samples lack MyBB's login answer, reply form and redirect page, and phpBB's refused forms;
these follow the engines' own default templates (MyBB 1.8 `newreply`, `redirect`,
`header_welcomeblock_member`, `error_inline`; phpBB 3.3 prosilver `posting_editor`, `login_body`).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent

MYBB_MEMBER_WELCOME = """<!-- start: header_welcomeblock_member -->
						<span class="welcome">Welcome back, <strong><a href="http://127.0.0.1:8083/member.php?action=profile&amp;uid=2">AvtoDom_official</a></strong>. You last visited: Today, 12:01 PM</span>
					</div>
				</div>
				<div class="lower">
					<div class="wrapper">
						<ul class="menu user_links">
							<li><a href="http://127.0.0.1:8083/usercp.php">User CP</a></li>
							<li><a href="http://127.0.0.1:8083/member.php?action=logout&amp;logoutkey=5f0c3d6c1b0e5ae0f3b9d1a1f7c2e9a4" class="logout">Log Out</a></li>
						</ul>
<!-- end: header_welcomeblock_member -->"""

MYBB_NEWREPLY_FORM = """<!-- start: newreply -->
<form action="newreply.php?tid=1&amp;processed=1" method="post" enctype="multipart/form-data" name="input">
<input type="hidden" name="my_post_key" value="370fd5000f32120f2086e5d98c11e089" />
<table border="0" cellspacing="0" cellpadding="5" class="tborder">
<tr>
<td class="thead" colspan="2"><strong>Post a reply to: Scraper test thread</strong></td>
</tr>
<tr>
<td class="trow2" width="20%"><strong>Subject</strong></td>
<td class="trow2"><span class="smalltext"><input type="text" class="textbox" name="subject" size="40" maxlength="85" value="RE: Scraper test thread" tabindex="1" /></span></td>
</tr>
<!-- start: posticons -->
<tr>
<td class="trow1" style="vertical-align: top"><strong>Post Icon:</strong></td>
<td class="trow1" valign="top"><label><input type="radio" name="icon" value="-1" checked="checked" /> no icon</label>
<label><input type="radio" name="icon" value="1" /> <img src="images/icons/information.png" alt="Information" /></label></td>
</tr>
<!-- end: posticons -->
<tr>
<td class="trow2" valign="top"><strong>Your Message</strong></td>
<td class="trow2">
<textarea name="message" id="message" rows="20" cols="70" tabindex="2"></textarea>
</td>
</tr>
<!-- start: newreply_postoptions -->
<tr>
<td class="trow2" valign="top"><strong>Post Options:</strong></td>
<td class="trow2"><span class="smalltext">
<label><input type="checkbox" class="checkbox" name="postoptions[signature]" value="1" checked="checked" /> <strong>Signature:</strong> include your signature.</label><br />
<label><input type="checkbox" class="checkbox" name="postoptions[disablesmilies]" value="1" /> <strong>Disable Smilies:</strong> disable smilies from showing in this post.</label>
</span></td>
</tr>
<tr>
<td class="trow1" valign="top"><strong>Thread Subscription:</strong></td>
<td class="trow1"><span class="smalltext">
<label><input type="radio" class="radio" name="postoptions[subscriptionmethod]" value="" checked="checked" /> Do not subscribe</label><br />
<label><input type="radio" class="radio" name="postoptions[subscriptionmethod]" value="none" /> No notification</label>
</span></td>
</tr>
<!-- end: newreply_postoptions -->
</table>
<br />
<div style="text-align:center"><input type="submit" class="button" name="submit" value="Post Reply" tabindex="3" accesskey="s" />  <input type="submit" class="button" name="previewpost" value="Preview Post" tabindex="4" />  <input type="submit" class="button" name="savedraft" value="Save as Draft" tabindex="5" /></div>
<input type="hidden" name="action" value="do_newreply" />
<input type="hidden" name="replyto" value="" />
<input type="hidden" name="posthash" value="8a0f4c6f4e1b2d3c9e7a6b5d4c3b2a19" id="posthash" />
<input type="hidden" name="attachmentaid" value="" />
<input type="hidden" name="attachmentact" value="" />
<input type="hidden" name="quoted_ids" value="" />
<input type="hidden" name="tid" value="1" />
</form>
<!-- end: newreply -->
"""

MYBB_ERROR = """<!-- start: error_inline -->
<div class="error">
<p><em>Please correct the following errors before continuing:</em></p>
<ul>
<li>The message is too short. Please enter a message longer than 5 characters.</li>
</ul>
</div>
<br />
<!-- end: error_inline -->
"""

MYBB_REDIRECT = """<html xml:lang="en" lang="en" xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>Scraper Lab MyBB</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta http-equiv="refresh" content="2;URL={url}" />
</head>
<body>
<br /><br /><br /><br />
<div style="margin: auto auto; width: 50%" align="center">
<table border="0" cellspacing="0" cellpadding="5" class="tborder">
<tr><td class="thead"><strong>Scraper Lab MyBB</strong></td></tr>
<tr><td class="trow1" align="center"><p>{message}</p></td></tr>
<tr><td class="trow2" align="right"><a href="{url}"><span class="smalltext">Click here if you don't want to wait any longer.</span></a></td></tr>
</table>
</div>
</body>
</html>
"""

PHPBB_FORM_INVALID = '<p class="error">The submitted form was invalid. Try submitting again.</p>\n'
PHPBB_LOGIN_ERROR = ('<div class="error">You have specified an incorrect password. Please check your password '
                     'and try again. If you continue to have problems please contact the Board Administrator.</div>\n')


def _between(page: str, start: str, end: str, replacement: str) -> str:
    """Replace page[start:end] (markers included at start, excluded at end) with replacement."""
    i, j = page.index(start), page.index(end)
    return page[:i] + replacement + page[j:]


def mybb_pages() -> None:
    """newreply form (logged in), the form again with an error, redirect pages."""
    thread = (HERE / "mybb" / "thread-page1.html").read_text(encoding="utf-8")
    member = _between(thread, "<!-- start: header_welcomeblock_guest -->",
                      "<!-- </div> in header_welcomeblock_member", MYBB_MEMBER_WELCOME + "\n")
    newreply = _between(member, '<div class="navigation">', "<!-- start: footer -->", MYBB_NEWREPLY_FORM)
    (HERE / "mybb" / "newreply-synthetic.html").write_text(newreply, encoding="utf-8")
    refused = newreply.replace("<!-- start: newreply -->", MYBB_ERROR + "<!-- start: newreply -->")
    (HERE / "mybb" / "newreply-error-synthetic.html").write_text(refused, encoding="utf-8")
    (HERE / "mybb" / "redirect-newreply-synthetic.html").write_text(MYBB_REDIRECT.format(
        url="showthread.php?tid=1&amp;pid=5#pid5",
        message="Thank you, your reply has been posted. You will now be returned to the thread."), encoding="utf-8")
    (HERE / "mybb" / "redirect-login-synthetic.html").write_text(MYBB_REDIRECT.format(
        url="http://127.0.0.1:8083/index.php",
        message="You have successfully been logged in.<br />You will now be taken back to where you came from."),
        encoding="utf-8")
    wrong = thread.replace('<div class="navigation">', MYBB_ERROR.replace(
        "The message is too short. Please enter a message longer than 5 characters.",
        "You have entered an invalid username/password combination. If you have forgotten your password please "
        "retrieve a new one.") + '<div class="navigation">', 1)
    (HERE / "mybb" / "login-error-synthetic.html").write_text(wrong, encoding="utf-8")


def phpbb_pages() -> None:
    """The reply form refused as "invalid" (sent too fast), the login form with a wrong password."""
    reply = (HERE / "phpbb" / "reply-form.html").read_text(encoding="utf-8")
    anchor = '<h3>Post a reply</h3>'
    at = reply.index('<fieldset class="fields1">', reply.index(anchor)) + len('<fieldset class="fields1">\n')
    (HERE / "phpbb" / "reply-form-invalid-synthetic.html").write_text(
        reply[:at] + PHPBB_FORM_INVALID + reply[at:], encoding="utf-8")
    login = (HERE / "phpbb" / "login-form.html").read_text(encoding="utf-8")
    at = login.index('<fieldset class="fields1">') + len('<fieldset class="fields1">\n')
    (HERE / "phpbb" / "login-error-synthetic.html").write_text(login[:at] + PHPBB_LOGIN_ERROR + login[at:],
                                                               encoding="utf-8")


if __name__ == "__main__":
    mybb_pages()
    phpbb_pages()
